"""The annual report's pages, under /reports/.

A namespace of its own: ``reports`` is the dashboard's (under /dashboard/), and
two includes sharing a namespace cannot both be reversed.
"""

from django.urls import path

from followup import register_views
from reports.annual import views as annual_views

app_name = "annual"

urlpatterns = [
    path("", annual_views.annual_index, name="index"),
    path("build/", annual_views.annual_build, name="build"),
    path("status/", annual_views.annual_status, name="status"),
    path("download/<slug:kind>/", annual_views.annual_download, name="download"),
    path("print/", annual_views.annual_print, name="print"),
    path("scb/", register_views.register_page, name="scb"),
    path("scb/cohort/", register_views.cohort_download, name="scb_cohort"),
    path("scb/import/", register_views.extract_upload, name="scb_import"),
]
