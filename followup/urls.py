from django.urls import path

from followup import views

app_name = "followup"

urlpatterns = [
    path("", views.followups, name="followups"),
    path("not-reached/", views.mark_not_reached, name="mark_not_reached"),
]
