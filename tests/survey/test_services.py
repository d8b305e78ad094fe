"""Issuing invitations and printing their one-time links."""

import datetime
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessLogEntry, Action
from survey.models import SurveyInvitation, hash_token
from survey.selectors import usable_invitation
from survey.services import TOKEN_BYTES, invitation_links_make, invitations_issue
from tests.factories import ParticipantFactory, job_type
from tests.helpers.reports import SurveyPlacementFactory, make_invitation, make_round

pytestmark = pytest.mark.django_db

OPENS = datetime.date(2026, 9, 1)


def _round():
    return make_round(opens_on=OPENS, closes_on=datetime.date(2026, 9, 30), open_today=False)


def test_issue_invites_only_participants_with_a_placement_ongoing_on_the_first_day():
    ongoing = SurveyPlacementFactory(
        start_date=datetime.date(2026, 3, 1), job_type=job_type("basanstallning")
    )
    ends_that_day = SurveyPlacementFactory(
        start_date=datetime.date(2026, 1, 1), end_date=OPENS, job_type=job_type("stockholmsvard")
    )
    SurveyPlacementFactory(
        planned_end_date=None,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 8, 31),
    )
    SurveyPlacementFactory(start_date=datetime.date(2026, 9, 2))
    ParticipantFactory()  # no placement at all

    issued = invitations_issue(survey_round=_round())

    assert issued == 2
    invited = dict(SurveyInvitation.objects.values_list("participant_id", "job_type__code"))
    assert invited == {
        ongoing.participant_id: "basanstallning",
        ends_that_day.participant_id: "stockholmsvard",
    }
    assert not SurveyInvitation.objects.filter(token_hash__isnull=False).exists()


def test_issue_again_adds_only_the_participants_not_yet_invited():
    survey_round = _round()
    SurveyPlacementFactory(start_date=datetime.date(2026, 3, 1))
    assert invitations_issue(survey_round=survey_round) == 1
    SurveyPlacementFactory(start_date=datetime.date(2026, 4, 1))

    assert invitations_issue(survey_round=survey_round) == 1
    assert SurveyInvitation.objects.count() == 2


def test_issue_logs_one_row_per_invited_participant(admin_user):
    placement = SurveyPlacementFactory(start_date=datetime.date(2026, 3, 1))

    invitations_issue(survey_round=_round(), issued_by=admin_user)

    rows = AccessLogEntry.objects.filter(participant_id=placement.participant_id)
    assert [(row.action, row.object_type) for row in rows] == [(Action.BULK_CHANGE, "participant")]


def test_issue_runs_a_bounded_number_of_queries():
    survey_round = _round()
    for _ in range(3):
        SurveyPlacementFactory(start_date=datetime.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as few:
        invitations_issue(survey_round=survey_round)
    SurveyInvitation.objects.all().delete()
    for _ in range(12):
        SurveyPlacementFactory(start_date=datetime.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as many:
        invitations_issue(survey_round=survey_round)

    assert SurveyInvitation.objects.count() == 15
    assert len(many) == len(few)


def test_a_printed_token_is_stored_only_as_its_sha256(coach, participant):
    invitation = make_invitation(make_round(), participant)

    [link] = invitation_links_make(invitations=[invitation], made_by=coach)

    invitation.refresh_from_db()
    assert len(link.token) >= 22  # 16 random bytes, URL-safe base64
    assert TOKEN_BYTES * 8 >= 128
    assert invitation.token_hash == hashlib.sha256(link.token.encode()).hexdigest()
    assert link.token in link.url
    stored = [
        str(value)
        for row in SurveyInvitation.objects.values_list()
        for value in row
        if value is not None
    ]
    assert not any(link.token in value for value in stored)
    assert not AccessLogEntry.objects.filter(detail__contains=link.token).exists()
    assert not AccessLogEntry.objects.filter(path__contains=link.token).exists()


def test_each_print_makes_a_new_token_and_the_old_link_stops_working(coach, participant):
    invitation = make_invitation(make_round(), participant)
    [first] = invitation_links_make(invitations=[invitation], made_by=coach)
    assert usable_invitation(first.token) == invitation

    [second] = invitation_links_make(invitations=[invitation], made_by=coach)

    assert second.token != first.token
    assert usable_invitation(first.token) is None
    assert usable_invitation(second.token) == invitation


def test_printing_skips_used_invitations(coach, participant):
    used = make_invitation(make_round(), participant, token="old", used=True)

    assert invitation_links_make(invitations=[used], made_by=coach) == []
    used.refresh_from_db()
    assert used.token_hash == hash_token("old")


def test_printing_logs_a_print_row_per_participant(coach, unit):
    survey_round = make_round()
    invitations = [
        make_invitation(survey_round, ParticipantFactory(unit=unit, coach=coach)) for _ in range(3)
    ]

    invitation_links_make(invitations=invitations, made_by=coach)

    rows = AccessLogEntry.objects.filter(action=Action.PRINT)
    assert sorted(rows.values_list("participant_id", flat=True)) == sorted(
        invitation.participant_id for invitation in invitations
    )
    assert set(rows.values_list("username", "unit_name", "object_type")) == {
        ("coach1", "Jobbtorg Järva", "surveyinvitation")
    }
