"""The participant page and its forms, under /participants/<pk>/.

Included from participants/urls.py, so the names live in the `participants`
namespace: `participants:detail`, `participants:note_add`, ...
"""

from django.urls import path

from casework import case_views, study_views

urlpatterns = [
    path("", case_views.participant_detail, name="detail"),
    path("timeline/", case_views.participant_timeline_fragment, name="timeline"),
    path("disability/", case_views.disability_edit, name="disability_edit"),
    path("gender/", case_views.gender_self_described_edit, name="gender_self_described_edit"),
    path("consents/", case_views.consent_add, name="consent_add"),
    path("details/", case_views.details_edit, name="details_edit"),
    # The full number is shown in the answer to a POST, never in an address.
    path("personnummer/show/", case_views.personnummer_show, name="personnummer_show"),
    path("personnummer/", case_views.personnummer_correct_view, name="personnummer_correct"),
    path("close/", case_views.case_close_view, name="case_close"),
    path("reopen/", case_views.case_reopen_view, name="case_reopen"),
    path("notes/", case_views.note_add, name="note_add"),
    path("notes/<int:note_pk>/correction/", case_views.note_correct, name="note_correct"),
    path("activities/", case_views.activity_add, name="activity_add"),
    path("goals/", case_views.goal_add, name="goal_add"),
    path("goals/<int:goal_pk>/", case_views.goal_update, name="goal_update"),
    path("studies/", case_views.study_add, name="study_add"),
    path("studies/<int:study_pk>/", study_views.study_update_view, name="study_update"),
    path("placements/", case_views.placement_add, name="placement_add"),
    path(
        "placements/<int:placement_pk>/extend/",
        case_views.placement_extend_view,
        name="placement_extend",
    ),
    path("placements/<int:placement_pk>/end/", case_views.placement_end_view, name="placement_end"),
    path("internships/", case_views.internship_add, name="internship_add"),
    path("subsidies/", case_views.subsidy_add, name="subsidy_add"),
    path(
        "subsidies/<int:subsidy_pk>/decision/",
        case_views.subsidy_decide,
        name="subsidy_decide",
    ),
    path(
        "followups/<int:placement_pk>/",
        case_views.followup_register_view,
        name="followup_register",
    ),
]
