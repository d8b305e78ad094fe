from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path(
        "participants/<int:pk>/extract/",
        views.participant_extract,
        name="participant_extract",
    ),
]
