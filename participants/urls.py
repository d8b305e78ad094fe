from django.urls import path

from participants import views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<int:pk>/", views.participant_detail, name="detail"),
]
