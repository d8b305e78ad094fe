from django.urls import include, path

from casework import transfer_views, views

app_name = "participants"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("new/", views.register, name="register"),
    path("reassign/", views.reassign, name="reassign"),
    # Asking to take over a person of another unit; the decisions are under /transfers/.
    path("take-over/", transfer_views.take_over, name="take_over"),
    # The participant page and its forms: participants:detail, participants:note_add, ...
    path("<int:pk>/", include("casework.case_urls")),
]
