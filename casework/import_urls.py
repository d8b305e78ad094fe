"""Placement import in the browser, mounted under /desk/import/ (the admin's desk)."""

from django.urls import path

from casework import import_views

app_name = "placement_import"

urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("<int:pk>/", import_views.detail, name="detail"),
    path("<int:pk>/status/", import_views.status, name="status"),
    path("<int:pk>/start/", import_views.start, name="start"),
    path("<int:pk>/cancel/", import_views.cancel, name="cancel"),
]
