"""Follow-ups past their window closed out as not reached, several at once, with a reason."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AccessLogEntry, Action
from followup.models import FollowUp, Outcome
from followup.selectors import followup_window_start
from followup.services import followups_mark_not_reached
from tests.factories import (
    AdminFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 3, 1)
URL = "/followups/"
BULK_URL = "/followups/not-reached/"
REASON = "No answer to three calls and a letter"


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


def open_followup(participant, end: datetime.date, **kwargs) -> FollowUp:
    placement = PlacementFactory(
        participant=participant, start_date=end.replace(year=end.year - 1), end_date=end
    )
    return FollowUpFactory(placement=placement, **kwargs)


@pytest.fixture
def old(participant) -> list[FollowUp]:
    """Two follow-ups overdue past the window (placements ended before 2020-11-01)."""
    return [open_followup(participant, D(2018, 5, 31)), open_followup(participant, D(2020, 10, 31))]


@pytest.fixture
def recent(participant) -> FollowUp:
    """Overdue (due 2021-02-28), but still within the window."""
    return open_followup(participant, D(2020, 11, 30))


def test_the_window_is_the_report_lag_after_the_end():
    assert followup_window_start(TODAY) == D(2020, 11, 1)


# --- The service --------------------------------------------------------------------------


def test_follow_ups_past_the_window_are_registered_not_reached_with_the_reason(coach, old):
    closed = followups_mark_not_reached(
        followup_ids=[f.pk for f in old], reason=f"  {REASON} ", performed_by=coach
    )

    assert len(closed) == 2
    for followup in old:
        followup.refresh_from_db()
        assert followup.outcome == Outcome.NOT_REACHED
        assert followup.performed_on == TODAY
        assert followup.performed_by == coach
        assert followup.note == REASON
    logged = AccessLogEntry.objects.filter(action=Action.CHANGE, object_type="followup")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(f.pk for f in old)
    assert {row.participant_id for row in logged} == {old[0].placement.participant_id}
    # The reason, which a user typed, is never written to the log.
    assert not any(REASON in row.detail for row in logged)


def test_one_still_within_the_window_refuses_them_all(coach, old, recent):
    with pytest.raises(ValidationError) as error:
        followups_mark_not_reached(
            followup_ids=[*(f.pk for f in old), recent.pk], reason=REASON, performed_by=coach
        )
    assert "still within the follow-up window" in error.value.messages[0]
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()
    assert not AccessLogEntry.objects.filter(object_type="followup").exists()


def test_a_follow_up_outside_the_coachs_reach_refuses_them_all(coach, old, other_unit):
    elsewhere = open_followup(ParticipantFactory(unit=other_unit), D(2019, 1, 31))
    with pytest.raises(ValidationError) as error:
        followups_mark_not_reached(
            followup_ids=[old[0].pk, elsewhere.pk], reason=REASON, performed_by=coach
        )
    assert error.value.messages == ["Some of the chosen follow-ups are not yours to change."]
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_a_follow_up_that_does_not_exist_is_refused_in_the_same_words(coach, old):
    with pytest.raises(ValidationError) as error:
        followups_mark_not_reached(
            followup_ids=[old[0].pk, 999_999], reason=REASON, performed_by=coach
        )
    assert error.value.messages == ["Some of the chosen follow-ups are not yours to change."]


def test_one_already_registered_is_refused(coach, participant, old):
    done = open_followup(participant, D(2019, 5, 31), performed_on=D(2019, 9, 1), outcome="studier")
    with pytest.raises(ValidationError, match="already registered"):
        followups_mark_not_reached(
            followup_ids=[old[0].pk, done.pk], reason=REASON, performed_by=coach
        )
    done.refresh_from_db()
    assert done.outcome == "studier"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(coach, old, reason):
    with pytest.raises(ValidationError) as error:
        followups_mark_not_reached(followup_ids=[old[0].pk], reason=reason, performed_by=coach)
    assert "reason" in error.value.message_dict


def test_nothing_chosen_is_refused(coach):
    with pytest.raises(ValidationError):
        followups_mark_not_reached(followup_ids=[], reason=REASON, performed_by=coach)


def test_a_manager_reads_but_does_not_close_out(manager, old):
    with pytest.raises(PermissionDenied):
        followups_mark_not_reached(followup_ids=[old[0].pk], reason=REASON, performed_by=manager)
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_an_admin_closes_out_in_any_unit(other_unit):
    elsewhere = open_followup(ParticipantFactory(unit=other_unit), D(2019, 1, 31))
    followups_mark_not_reached(
        followup_ids=[elsewhere.pk], reason=REASON, performed_by=AdminFactory()
    )
    elsewhere.refresh_from_db()
    assert elsewhere.outcome == Outcome.NOT_REACHED


# --- The list and the two steps --------------------------------------------------------------


def checkbox(html: str, pk: int) -> str | None:
    match = re.search(rf'<input[^>]*name="followups" value="{pk}"[^>]*>', html)
    return match.group(0) if match else None


def test_only_follow_ups_past_the_window_can_be_chosen_and_none_is_ticked(
    client, coach, old, recent
):
    client.force_login(coach)
    html = client.get(URL).content.decode()
    for followup in old:
        assert checkbox(html, followup.pk) is not None
        assert "checked" not in checkbox(html, followup.pk)
    assert checkbox(html, recent.pk) is None
    assert 'id="not-reached-select-all"' in html
    assert unlabelled_controls(html) == []


def test_a_manager_sees_no_boxes(client, manager, old):
    client.force_login(manager)
    html = client.get(URL).content.decode()
    assert checkbox(html, old[0].pk) is None
    assert "not-reached-form" not in html


def test_choosing_shows_what_will_be_closed_and_saves_nothing_yet(client, coach, old):
    client.force_login(coach)
    response = client.post(
        BULK_URL,
        {"followups": [old[1].pk], "reason": REASON, "return_query": "scope=unit&within=90"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert [f.pk for f in response.context["followups"]] == [old[1].pk]
    html = response.content.decode()
    assert REASON in html
    assert 'name="confirmed" value="1"' in html
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_confirming_closes_them_out_and_returns_to_the_list(client, coach, old):
    client.force_login(coach)
    response = client.post(
        BULK_URL,
        {
            "followups": [f.pk for f in old],
            "reason": REASON,
            "confirmed": "1",
            "return_query": "scope=unit&within=90&next=https://evil.example",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    assert response.url == f"{URL}?scope=unit&within=90"
    assert FollowUp.objects.filter(outcome=Outcome.NOT_REACHED).count() == 2
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 follow-ups registered as not reached." in page.content.decode()


def test_select_all_chooses_every_follow_up_shown(client, coach, old):
    client.force_login(coach)
    response = client.post(
        BULK_URL,
        {"shown": [f.pk for f in old], "select_all": "on", "reason": REASON},
    )
    assert sorted(f.pk for f in response.context["followups"]) == sorted(f.pk for f in old)


def test_no_reason_shows_the_list_again_with_the_message(client, coach, old):
    client.force_login(coach)
    response = client.post(
        BULK_URL, {"followups": [old[0].pk], "reason": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write why these participants could not be reached." in html
    # What was ticked stays ticked.
    assert "checked" in checkbox(html, old[0].pk)


def test_nothing_ticked_is_refused_with_a_message(client, coach, old):
    client.force_login(coach)
    response = client.post(BULK_URL, {"reason": REASON}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Tick the follow-ups to close" in response.content.decode()


def test_a_follow_up_still_within_the_window_is_refused_at_confirmation(client, coach, old, recent):
    client.force_login(coach)
    chosen = {"followups": [old[0].pk, recent.pk], "reason": REASON}
    confirm = client.post(BULK_URL, chosen, HTTP_ACCEPT_LANGUAGE="en")
    assert "not yet past the follow-up window" in confirm.content.decode()
    assert 'name="confirmed"' in confirm.content.decode()
    assert "Confirm: close them out" not in confirm.content.decode()

    response = client.post(
        BULK_URL, {**chosen, "confirmed": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "still within the follow-up window" in response.content.decode()
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_another_units_follow_up_is_refused_and_not_shown(client, coach, old, other_unit):
    stranger = ParticipantFactory(unit=other_unit, last_name="Främling")
    elsewhere = open_followup(stranger, D(2019, 1, 31))
    client.force_login(coach)
    chosen = {"followups": [old[0].pk, elsewhere.pk], "reason": REASON}

    confirm = client.post(BULK_URL, chosen, HTTP_ACCEPT_LANGUAGE="en")
    assert "Främling" not in confirm.content.decode()
    assert [f.pk for f in confirm.context["followups"]] == [old[0].pk]

    response = client.post(
        BULK_URL, {**chosen, "confirmed": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "not yours to change" in response.content.decode()
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_a_manager_cannot_post(client, manager, old):
    client.force_login(manager)
    response = client.post(BULK_URL, {"followups": [old[0].pk], "reason": REASON, "confirmed": "1"})
    assert response.status_code == 403
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_the_bulk_address_takes_no_get(client, coach):
    client.force_login(coach)
    assert client.get(BULK_URL).status_code == 405
