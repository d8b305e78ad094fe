"""The admin's desk, under /desk/: the landing page and the survey rounds.

The placement import (casework.import_urls) is mounted beside it, under /desk/import/.
"""

from django.urls import path

from reports import desk_views, survey_views

app_name = "desk"

urlpatterns = [
    path("", desk_views.index, name="index"),
    path("survey-rounds/", survey_views.rounds, name="survey_rounds"),
    path("survey-rounds/<int:pk>/invite/", survey_views.round_invite, name="survey_round_invite"),
    path("survey-rounds/<int:pk>/close/", survey_views.round_close, name="survey_round_close"),
]
