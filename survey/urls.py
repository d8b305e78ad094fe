from django.urls import path

from survey import views

app_name = "survey"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:pk>/links/", views.links, name="links"),
    path("results/", views.results, name="results"),
    path("results/<int:pk>/paper/", views.paper_import, name="paper_import"),
    path("thanks/", views.thanks, name="thanks"),
    # Public, last: a token never equals one of the words above (22 random characters).
    path("<str:token>/", views.respond, name="respond"),
]
