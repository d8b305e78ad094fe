import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.locking import RecordChanged
from followup.models import FollowUp, Outcome, RegisterOutcome, ReminderSent
from participants.models import ConsentFlow, Participant
from participants.selectors import has_consent
from placements.models import Placement, follow_up_due_date

# Callers that did not load the follow-up from a form (imports, tasks) skip the version check.
NOT_CHECKED = object()


@transaction.atomic
def followup_register(
    *,
    placement: Placement,
    outcome: str,
    performed_on: datetime.date,
    performed_by: User | None,
    employer_or_school: str = "",
    note: str = "",
    loaded_at: datetime.datetime | object | None = NOT_CHECKED,
) -> FollowUp:
    """Register the three-month follow-up of an ended placement.

    `loaded_at` is the follow-up's `updated_at` when the coach's form was
    opened: a save from an older version raises RecordChanged. `None` means
    the form was opened before the row existed; one the nightly task has
    opened since is fine, one already registered is not.
    """
    if placement.end_date is None:
        raise ValidationError(
            {"outcome": _("The placement has not ended; there is nothing to follow up yet.")}
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcome codes.")})
    if performed_on < placement.end_date:
        raise ValidationError(
            {"performed_on": _("The follow-up cannot be before the placement ended.")}
        )
    if loaded_at is not NOT_CHECKED:
        current = FollowUp.objects.select_for_update().filter(placement=placement).first()
        if current is not None and (
            current.updated_at != loaded_at if loaded_at is not None else current.is_done
        ):
            raise RecordChanged(current)
    followup, _created = FollowUp.objects.select_for_update().get_or_create(
        placement=placement, defaults={"due_date": follow_up_due_date(placement.end_date)}
    )
    followup.outcome = outcome
    followup.performed_on = performed_on
    followup.performed_by = performed_by
    followup.employer_or_school = employer_or_school
    followup.note = note
    followup.full_clean()
    followup.save()
    return followup


# --- SCB register extracts -------------------------------------------------------------


def register_outcome_check_consent(*, participant: Participant) -> None:
    """Refuse SCB data for a participant without current consent to the SCB flow.

    SCB matches the personnummer against its registers only for people who
    consented; a withdrawal stops new rows, while rows stored before it stay.
    """
    if not has_consent(participant, ConsentFlow.SCB):
        raise ValidationError(
            {
                "participant": _(
                    "The participant has no current consent to register follow-up through "
                    "SCB, so no register outcome can be stored for them."
                )
            }
        )


@transaction.atomic
def register_outcome_save(
    *, participant: Participant, year: int, income_source: str
) -> RegisterOutcome:
    """Store a participant's main income source in a year from an SCB extract row.

    A second row for the same participant and year replaces the first (an
    extract delivered again). Refused without current SCB consent.
    """
    register_outcome_check_consent(participant=participant)
    outcome = RegisterOutcome.objects.select_for_update().filter(
        participant=participant, year=year
    ).first() or RegisterOutcome(participant=participant, year=year)
    outcome.income_source = income_source
    outcome.full_clean()
    outcome.save()
    return outcome


# --- Reminders --------------------------------------------------------------------------

REMINDER_HORIZON_DAYS = 7


def followups_open_for_ended_placements(*, today: datetime.date) -> int:
    """Give every placement that has ended a follow-up; returns how many were opened.

    Safe to run any number of times: a placement's follow-up is unique, so a
    second run (or two workers at once) opens nothing twice.
    """
    missing = (
        Placement.objects.filter(end_date__isnull=False, end_date__lte=today, followup__isnull=True)
        .values_list("pk", "end_date")
        .iterator(chunk_size=5000)
    )
    created = 0
    batch: list[FollowUp] = []
    for placement_id, end_date in missing:
        batch.append(FollowUp(placement_id=placement_id, due_date=follow_up_due_date(end_date)))
        if len(batch) == 5000:
            created += _insert_new(batch)
            batch = []
    if batch:
        created += _insert_new(batch)
    return created


def _insert_new(batch: list[FollowUp]) -> int:
    before = FollowUp.objects.filter(placement_id__in=[f.placement_id for f in batch]).count()
    FollowUp.objects.bulk_create(batch, ignore_conflicts=True)
    after = FollowUp.objects.filter(placement_id__in=[f.placement_id for f in batch]).count()
    return after - before


def reminders_send(*, today: datetime.date, site_url: str = "") -> int:
    """E-mail each coach a count of their overdue and soon-due follow-ups; once a day.

    The e-mail carries counts and a link, never names or personnummer: mail
    leaves the system and may be read on a phone.
    """
    from followup.selectors import open_followup_counts_per_coach

    sent = 0
    for row in open_followup_counts_per_coach(
        today=today, horizon=today + datetime.timedelta(days=REMINDER_HORIZON_DAYS)
    ):
        if not row["overdue"] and not row["due_soon"]:
            continue
        with transaction.atomic():
            _reminder, created = ReminderSent.objects.get_or_create(
                coach_id=row["coach_id"],
                sent_on=today,
                defaults={"overdue": row["overdue"], "due_soon": row["due_soon"]},
            )
            if not created:
                continue
            # Inside the transaction: if sending fails the row goes too, and the
            # next run tries again.
            _send_reminder(row, site_url=site_url)
            sent += 1
    return sent


def _send_reminder(row: dict, *, site_url: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Stockholmsjobb: follow-ups to register")
        body = render_to_string(
            "followup/reminder_email.txt",
            {
                "first_name": row["coach_first_name"],
                "overdue": row["overdue"],
                "due_soon": row["due_soon"],
                "days": REMINDER_HORIZON_DAYS,
                "url": f"{site_url}/followups/",
            },
        )
    send_mail(subject, body, None, [row["coach_email"]])
