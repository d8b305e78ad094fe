import datetime
from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import log_access, log_refused
from core.locking import RecordChanged
from followup.models import FollowUp, Outcome, RegisterOutcome, ReminderSent
from followup.selectors import followup_window_start, open_followup_counts_per_coach
from participants.models import ConsentFlow, Participant
from participants.selectors import can_edit_participant, has_consent, participants_for_user
from placements.models import Placement, follow_up_due_date

# Callers that did not load the follow-up from a form (imports, tasks) skip the version check.
NOT_CHECKED = object()


def followup_check_registration(
    *, placement: Placement, outcome: str, performed_on: datetime.date | None
) -> None:
    """A follow-up is registered with an outcome, on or after the placement's end."""
    if placement.end_date is None:
        raise ValidationError(
            {"outcome": _("The placement has not ended; there is nothing to follow up yet.")}
        )
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcome codes.")})
    if performed_on is None:
        raise ValidationError({"performed_on": _("Enter the date of the follow-up.")})
    if performed_on < placement.end_date:
        raise ValidationError(
            {
                "performed_on": _("The follow-up cannot be before the placement ended (%(date)s).")
                % {"date": placement.end_date.isoformat()}
            }
        )
    if performed_on > timezone.localdate():
        raise ValidationError({"performed_on": _("The follow-up cannot be dated after today.")})


def followup_validate(followup: FollowUp) -> None:
    """A follow-up belongs to an ended placement; with an outcome or a date it is registered.

    Registered, it keeps the same rules as :func:`followup_register`.
    """
    if followup.outcome or followup.performed_on:
        followup_check_registration(
            placement=followup.placement,
            outcome=followup.outcome,
            performed_on=followup.performed_on,
        )
    elif followup.placement.end_date is None:
        raise ValidationError(
            {"placement": _("The placement has not ended; there is nothing to follow up yet.")}
        )


@transaction.atomic
def followup_save(*, followup: FollowUp) -> FollowUp:
    """Save a follow-up edited as a whole (the admin and its inline): its due date or outcome."""
    followup_validate(followup)
    followup.full_clean()
    followup.save()
    return followup


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
    followup_check_registration(placement=placement, outcome=outcome, performed_on=performed_on)
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


# Longer reasons belong in the journal; this one is repeated on every follow-up closed.
NOT_REACHED_REASON_MAX_LENGTH = 500


# The access-log detail of a follow-up refused there: counts and kinds only, as every detail.
NOT_REACHED_REFUSED_DETAIL = "follow-up out of reach (not reached, several at once)"


class _OutOfReach(Exception):
    def __init__(self, followup_ids: Collection[int]) -> None:
        super().__init__()
        self.followup_ids = followup_ids


def followups_log_refused(*, followup_ids: Collection[int], user: User) -> None:
    """Chosen follow-ups the user may not change, each an access-log "refused" row.

    A row names the follow-up asked for and, when it exists, its participant,
    so that the monthly review flags it as it flags any refusal naming a
    participant; an id that is no follow-up is logged as asked for. Nothing
    of it reaches the user, whose message stays the same whatever the reason.
    """
    ids = sorted(set(followup_ids))
    participants = dict(
        FollowUp.objects.filter(pk__in=ids).values_list("pk", "placement__participant_id")
    )
    for followup_id in ids:
        log_refused(
            detail=NOT_REACHED_REFUSED_DETAIL,
            participant_id=participants.get(followup_id),
            object_type="followup",
            object_id=followup_id,
            user=user,
        )


def followups_mark_not_reached(
    *,
    followup_ids: Collection[int],
    reason: str,
    performed_by: User,
    today: datetime.date | None = None,
) -> list[FollowUp]:
    """Close out follow-ups nobody could reach: outcome "not reached", dated today.

    For overdue follow-ups past their window (``followup_window_start``) only:
    one still within it is refused, and so is one already registered. The
    reason becomes each follow-up's note. All or nothing: a follow-up outside
    the user's reach, or one they may not change (a manager only reads),
    refuses the whole request, in words that do not say whether it exists;
    each one outside reach is a "refused" row in the access log, written once
    the transaction has rolled back (``followups_log_refused``). Each
    follow-up closed is an access-log row, as a registration on the
    participant page is.
    """
    try:
        return _followups_close_out(
            followup_ids=followup_ids, reason=reason, performed_by=performed_by, today=today
        )
    except _OutOfReach as refused:
        followups_log_refused(followup_ids=refused.followup_ids, user=performed_by)
        raise ValidationError(
            _("Some of the chosen follow-ups are not yours to change."), code="out_of_reach"
        ) from None


@transaction.atomic
def _followups_close_out(
    *,
    followup_ids: Collection[int],
    reason: str,
    performed_by: User,
    today: datetime.date | None,
) -> list[FollowUp]:
    today = today or timezone.localdate()
    ids = set(followup_ids)
    reason = " ".join(reason.split())
    if not ids:
        raise ValidationError(_("Choose at least one follow-up."), code="none_chosen")
    if not reason:
        raise ValidationError(
            {"reason": _("Write why these participants could not be reached.")}, code="no_reason"
        )
    if len(reason) > NOT_REACHED_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason to %(limit)d characters.")
                % {"limit": NOT_REACHED_REASON_MAX_LENGTH}
            },
            code="reason_too_long",
        )
    followups = list(
        FollowUp.objects.select_for_update(of=("self",))
        .filter(
            pk__in=ids,
            placement__participant__in=participants_for_user(performed_by).values("pk"),
        )
        .select_related("placement__participant")
        .order_by("pk")
    )
    if len(followups) != len(ids):
        raise _OutOfReach(ids - {followup.pk for followup in followups})
    if not all(can_edit_participant(performed_by, f.placement.participant) for f in followups):
        raise PermissionDenied
    done = [f for f in followups if f.is_done]
    if done:
        raise ValidationError(
            _("%(count)d of the chosen follow-ups are already registered.") % {"count": len(done)},
            code="already_registered",
        )
    window_start = followup_window_start(today)
    within = [f for f in followups if f.placement.end_date >= window_start]
    if within:
        raise ValidationError(
            _(
                "%(count)d of the chosen follow-ups are still within the follow-up window "
                "(placement ended on or after %(date)s): register them one by one."
            )
            % {"count": len(within), "date": window_start.isoformat()},
            code="within_window",
        )
    for followup in followups:
        followup_check_registration(
            placement=followup.placement, outcome=Outcome.NOT_REACHED, performed_on=today
        )
        followup.outcome = Outcome.NOT_REACHED
        followup.performed_on = today
        followup.performed_by = performed_by
        followup.note = reason
        followup.full_clean()
        followup.save(
            update_fields=["outcome", "performed_on", "performed_by", "note", "updated_at"]
        )
        participant = followup.placement.participant
        log_access(
            action=Action.CHANGE,
            participant_id=participant.pk,
            object_type="followup",
            object_id=followup.pk,
            detail="follow-up registered as not reached (several at once)",
            user=performed_by,
            unit_and_coach=(participant.unit_id, participant.coach_id),
        )
    return followups


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
OPEN_BATCH = 5000


def followups_open(*, placements: QuerySet[Placement]) -> int:
    """Give every ended placement in `placements` its follow-up; returns how many were opened.

    The one place where ending a placement opens its three-month follow-up,
    due three calendar months after the end (``follow_up_due_date``): the
    coach's page, the admin and the nightly task all come here. A follow-up
    that exists already moves with a changed end date. Safe to run any
    number of times: a placement's follow-up is unique, so a second run (or
    two workers at once) opens nothing twice.
    """
    ended = placements.filter(end_date__isnull=False)
    moved = [
        followup
        for followup in FollowUp.objects.filter(placement__in=ended).select_related("placement")
        if followup.due_date != follow_up_due_date(followup.placement.end_date)
    ]
    for followup in moved:
        followup.due_date = follow_up_due_date(followup.placement.end_date)
        followup.save(update_fields=["due_date", "updated_at"])
    missing = (
        ended.filter(followup__isnull=True)
        .values_list("pk", "end_date")
        .order_by("pk")
        .iterator(chunk_size=OPEN_BATCH)
    )
    created = 0
    batch: list[FollowUp] = []
    for placement_id, end_date in missing:
        batch.append(FollowUp(placement_id=placement_id, due_date=follow_up_due_date(end_date)))
        if len(batch) == OPEN_BATCH:
            created += _insert_new(batch)
            batch = []
    if batch:
        created += _insert_new(batch)
    return created


def followups_open_for_ended_placements(*, today: datetime.date) -> int:
    """The nightly safety net: every placement ended by today has its follow-up."""
    return followups_open(
        placements=Placement.objects.filter(end_date__lte=today, followup__isnull=True)
    )


def _insert_new(batch: list[FollowUp]) -> int:
    before = FollowUp.objects.filter(placement_id__in=[f.placement_id for f in batch]).count()
    FollowUp.objects.bulk_create(batch, ignore_conflicts=True)
    after = FollowUp.objects.filter(placement_id__in=[f.placement_id for f in batch]).count()
    return after - before


@transaction.atomic
def followup_withdraw(*, placement: Placement) -> None:
    """A placement that is ongoing again has nothing to follow up yet.

    Its open follow-up goes; a registered one cannot be undone this way.
    """
    followup = FollowUp.objects.select_for_update().filter(placement=placement).first()
    if followup is None:
        return
    if followup.is_done:
        raise ValidationError(
            {
                "end_date": _(
                    "The placement's follow-up is registered (%(date)s); it keeps its end date."
                )
                % {"date": followup.performed_on.isoformat()}
            }
        )
    followup.delete()


def reminders_send(*, today: datetime.date, site_url: str = "") -> int:
    """E-mail each coach a count of their overdue and soon-due follow-ups; once a day.

    The e-mail carries counts and a link, never names or personnummer: mail
    leaves the system and may be read on a phone.
    """
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
