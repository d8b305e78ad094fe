import datetime

import pytest
import time_machine
from django.core import mail

from followup.models import FollowUp, ReminderSent
from followup.services import followups_open_for_ended_placements, reminders_send
from followup.tasks import open_followups_task, send_followup_reminders_task
from tests.factories import CoachFactory, FollowUpFactory, ParticipantFactory, PlacementFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def ended(end: datetime.date, **kwargs):
    return PlacementFactory(end_date=end, end_reason="completed", **kwargs)


def test_opening_follow_ups_covers_every_ended_placement_once():
    a = ended(D(2020, 11, 30))
    b = ended(D(2021, 1, 15))
    PlacementFactory(end_date=None)  # ongoing: nothing to follow up
    ended(D(2021, 3, 1))  # ends after "today": not yet
    assert followups_open_for_ended_placements(today=D(2021, 2, 1)) == 2
    assert dict(FollowUp.objects.values_list("placement", "due_date")) == {
        a.pk: D(2021, 2, 28),
        b.pk: D(2021, 4, 15),
    }
    assert followups_open_for_ended_placements(today=D(2021, 2, 1)) == 0
    assert FollowUp.objects.count() == 2


def test_opening_follow_ups_keeps_registered_ones_untouched():
    followup = FollowUpFactory(outcome="studier", performed_on=D(2021, 4, 30))
    assert followups_open_for_ended_placements(today=D(2022, 1, 1)) == 0
    followup.refresh_from_db()
    assert followup.outcome == "studier"


@time_machine.travel(D(2021, 2, 1))
def test_the_task_wraps_the_service_and_uses_todays_date():
    ended(D(2021, 1, 31))
    assert open_followups_task.delay().get() == 1
    assert open_followups_task.delay().get() == 0


def _coach_with_followups(due_dates: list[datetime.date], **coach_fields):
    coach = CoachFactory(**coach_fields)
    for due in due_dates:
        participant = ParticipantFactory(unit=coach.unit, coach=coach)
        FollowUpFactory(placement__participant=participant, due_date=due)
    return coach


def test_reminder_lists_overdue_and_due_within_a_week_without_personal_data():
    today = D(2021, 3, 10)
    coach = _coach_with_followups(
        [D(2021, 3, 1), D(2021, 3, 9), D(2021, 3, 10), D(2021, 3, 17), D(2021, 3, 18)],
        first_name="Karin",
        email="karin@example.se",
    )
    assert reminders_send(today=today, site_url="https://sj.example.se") == 1
    (message,) = mail.outbox
    assert message.to == ["karin@example.se"]
    assert "2" in message.body and "https://sj.example.se/followups/" in message.body
    reminder = ReminderSent.objects.get(coach=coach)
    assert (reminder.overdue, reminder.due_soon) == (2, 2)
    for participant in coach.caseload.all():
        assert participant.last_name not in message.body
        assert participant.personnummer[:8] not in message.body


def test_reminders_are_sent_once_a_day():
    today = D(2021, 3, 10)
    _coach_with_followups([D(2021, 3, 1)], email="a@example.se")
    assert reminders_send(today=today) == 1
    assert reminders_send(today=today) == 0
    assert len(mail.outbox) == 1
    assert reminders_send(today=today + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2


def test_no_reminder_without_anything_due_or_for_registered_followups():
    today = D(2021, 3, 10)
    _coach_with_followups([D(2021, 4, 30)], email="later@example.se")
    done = _coach_with_followups([D(2021, 3, 1)], email="done@example.se")
    FollowUp.objects.filter(placement__participant__coach=done).update(
        outcome="studier", performed_on=D(2021, 3, 2)
    )
    assert reminders_send(today=today) == 0
    assert mail.outbox == []


def test_deactivated_coach_gets_no_reminder():
    coach = _coach_with_followups([D(2021, 3, 1)], email="gone@example.se")
    coach.is_active = False
    coach.save()
    assert reminders_send(today=D(2021, 3, 10)) == 0


def test_a_failed_send_is_retried_on_the_next_run(monkeypatch):
    _coach_with_followups([D(2021, 3, 1)], email="a@example.se")

    def broken(*args, **kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("followup.services.send_mail", broken)
    with pytest.raises(ConnectionError):
        reminders_send(today=D(2021, 3, 10))
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders_send(today=D(2021, 3, 10)) == 1


@time_machine.travel(D(2021, 3, 10))
def test_reminder_task_wraps_the_service():
    _coach_with_followups([D(2021, 3, 1)], email="a@example.se")
    assert send_followup_reminders_task.delay().get() == 1
    assert send_followup_reminders_task.delay().get() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_follow_ups_are_opened_by_a_real_worker(celery_worker_process, real_broker):
    placement = ended(D(2020, 11, 30))
    result = open_followups_task.delay()
    assert result.get(timeout=30) == 1
    assert FollowUp.objects.get(placement=placement).due_date == D(2021, 2, 28)
    assert open_followups_task.delay().get(timeout=30) == 0
