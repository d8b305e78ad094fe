from django.urls import path

from placements import views

app_name = "placements"

urlpatterns = [
    path("", views.workplace_list, name="workplace_list"),
    path("<int:pk>/", views.workplace_detail, name="workplace_detail"),
]
