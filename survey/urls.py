from django.urls import path

from survey import views

app_name = "survey"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/links/", views.links, name="links"),
    path("thanks/", views.thanks, name="thanks"),
    # Public, last: a token never equals one of the words above (22 random characters).
    # The results page, /survey/results/, is reports.survey_urls, included before this.
    path("<str:token>/", views.respond, name="respond"),
]
