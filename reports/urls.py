from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("download/<slug:table>.csv", views.dashboard_csv, name="dashboard_csv"),
    path("snapshots/recompute/", views.snapshot_recompute, name="snapshot_recompute"),
    path("snapshots/<int:pk>/", views.snapshot_status, name="snapshot_status"),
]
