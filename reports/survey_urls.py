"""The survey's results page, under /survey/results/.

A namespace of its own: ``survey`` is the survey app's (its rounds, links and
public answer page under /survey/), and two includes sharing a namespace
cannot both be reversed.
"""

from django.urls import path

from reports import survey_views

app_name = "survey_results"

urlpatterns = [
    path("", survey_views.results, name="index"),
    path("<int:pk>/paper/", survey_views.paper_import, name="paper_import"),
]
