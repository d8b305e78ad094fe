from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("", views.review, name="review"),
    path("sample/", views.sample, name="sample"),
    path("sample.csv", views.sample_csv, name="sample_csv"),
]
