from django.urls import path

from reports import desk_views

app_name = "desk"

urlpatterns = [
    path("", desk_views.index, name="index"),
]
