"""The managers' and administrators' decisions on transfers, under /transfers/."""

from django.urls import path

from casework import transfer_views

app_name = "transfers"

urlpatterns = [
    path("", transfer_views.transfer_list, name="list"),
    path("<int:pk>/decision/", transfer_views.transfer_decide, name="decide"),
]
