from django.urls import include, path

from casework import views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.register, name="register"),
    path("reassign/", views.reassign, name="reassign"),
    # The participant page and its forms: participants:detail, participants:note_add, ...
    path("<int:pk>/", include("casework.case_urls")),
]
