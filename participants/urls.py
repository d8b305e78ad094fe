from django.urls import include, path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.register, name="register"),
    path("reassign/", views.reassign, name="reassign"),
    # The participant page and its forms: participants:detail, participants:note_add, ...
    path("<int:pk>/", include("participants.case_urls")),
]
