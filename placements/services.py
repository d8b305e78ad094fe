import datetime
from collections.abc import Iterable

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.locking import lock_unchanged
from core.periods import overlapping, periods_overlap
from participants.models import Participant
from participants.services import placement_check_belongs
from placements.models import (
    MAX_INTERNSHIP_DAYS,
    Internship,
    JobType,
    Placement,
    SubsidyOutcome,
    WageSubsidyCase,
    Workplace,
)


class PlacementNeedsConfirmation(ValidationError):
    """The placement is valid but outside the job type's guidance; the coach must confirm."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(warnings, code="needs_confirmation")
        self.warnings = warnings


def _age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return relativedelta(day, birth_date).years


def placement_warnings(
    *,
    participant: Participant,
    job_type: JobType,
    start_date: datetime.date,
    planned_end_date: datetime.date | None,
) -> list[str]:
    """What a coach must confirm: the job type's age and length ranges are guidance, not law."""
    warnings = []
    age = _age_on(participant.birth_date, start_date)
    if not job_type.min_age <= age <= job_type.max_age:
        warnings.append(
            _("The participant is %(age)s at the start; %(job_type)s is for ages %(min)s–%(max)s.")
            % {
                "age": age,
                "job_type": job_type.name,
                "min": job_type.min_age,
                "max": job_type.max_age,
            }
        )
    warnings += placement_length_warnings(
        job_type=job_type, start_date=start_date, planned_end_date=planned_end_date
    )
    return warnings


def placement_length_warnings(
    *, job_type: JobType, start_date: datetime.date, planned_end_date: datetime.date | None
) -> list[str]:
    if planned_end_date is None:
        return []
    length = relativedelta(planned_end_date + datetime.timedelta(days=1), start_date)
    months = length.years * 12 + length.months + (1 if length.days > 15 else 0)
    if job_type.min_months <= months <= job_type.max_months:
        return []
    return [
        _("The planned length is %(months)s months; %(job_type)s runs %(min)s–%(max)s months.")
        % {
            "months": months,
            "job_type": job_type.name,
            "min": job_type.min_months,
            "max": job_type.max_months,
        }
    ]


def placement_check_no_overlap(placement: Placement, *, others: Iterable[Placement] = ()) -> None:
    """One participant holds one Stockholmsjobb at a time; an ongoing one is open-ended.

    `others` are placements of the same participant being saved together
    with this one (the rows of an admin inline): they are checked as they
    will be, not as the database has them.
    """
    others = [other for other in others if other is not placement]
    overlapping_rows = (
        Placement.objects.filter(participant_id=placement.participant_id)
        .filter(overlapping(placement.start_date, placement.end_date))
        .exclude(pk__in=[p.pk for p in [placement, *others] if p.pk is not None])
    )
    if overlapping_rows.exists() or any(
        periods_overlap(placement.start_date, placement.end_date, other.start_date, other.end_date)
        for other in others
        if other.participant_id == placement.participant_id and other.start_date
    ):
        raise ValidationError(
            {"start_date": _("The participant already has a placement in this period.")},
            code="overlap",
        )


def placement_check_end_not_future(
    placement: Placement, *, today: datetime.date | None = None
) -> None:
    """An actual end is a day that has come; the planned end is for the future."""
    today = today or timezone.localdate()
    if placement.end_date is not None and placement.end_date > today:
        raise ValidationError(
            {
                "end_date": _(
                    "The end date cannot be after today (%(today)s); a later end is the "
                    "planned end date."
                )
                % {"today": today.isoformat()}
            },
            code="future",
        )


def placement_check(placement: Placement, *, others: Iterable[Placement] = ()) -> None:
    """The rules between a placement and the world: time, and the participant's others.

    A form calls it to show a broken rule next to its fields (the admin);
    :func:`placement_validate` calls it under the participant's lock.
    """
    placement_check_end_not_future(placement)
    placement_check_no_overlap(placement, others=others)


def placement_validate(placement: Placement, *, others: Iterable[Placement] = ()) -> None:
    """Every rule a placement keeps, whoever writes it; raises ValidationError.

    The participant's row is locked for the transaction, so that two
    placements saved at once cannot both pass the overlap check.
    """
    placement.full_clean()
    Participant.objects.select_for_update().filter(pk=placement.participant_id).first()
    placement_check(placement, others=others)


@transaction.atomic
def placement_create(
    *,
    participant: Participant,
    job_type: JobType,
    workplace: Workplace,
    start_date: datetime.date,
    planned_end_date: datetime.date | None = None,
    funding: str = "sdf",
    confirm_warnings: bool = False,
) -> Placement:
    """Place a participant. Raises PlacementNeedsConfirmation for unconfirmed warnings."""
    placement = Placement(
        participant=participant,
        job_type=job_type,
        workplace=workplace,
        funding=funding,
        start_date=start_date,
        planned_end_date=planned_end_date,
    )
    placement_validate(placement)
    warnings = placement_warnings(
        participant=participant,
        job_type=job_type,
        start_date=start_date,
        planned_end_date=planned_end_date,
    )
    if warnings and not confirm_warnings:
        raise PlacementNeedsConfirmation(warnings)
    placement.save()
    return placement


@transaction.atomic
def placement_set_end(
    *,
    placement: Placement,
    end_date: datetime.date,
    end_reason: str,
    loaded_at: datetime.datetime | None = None,
) -> Placement:
    """Record that a placement ended, and why.

    Only the placement: ending one also opens its follow-up, which
    ``casework.services.placement_end`` does in the same transaction; call
    that. With `loaded_at` (the placement's `updated_at` when the user
    opened the form) a placement changed since then is not touched:
    RecordChanged.
    """
    if loaded_at is not None:
        placement = lock_unchanged(Placement.objects, pk=placement.pk, loaded_at=loaded_at)
    if not end_reason:
        raise ValidationError({"end_reason": _("Say why the placement ended.")})
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement_validate(placement)
    placement.save(update_fields=["end_date", "end_reason", "updated_at"])
    return placement


@transaction.atomic
def placement_save(*, placement: Placement, others: Iterable[Placement] = ()) -> Placement:
    """Save a placement edited as a whole (the admin), new or changed, under every rule.

    Only the placement: its follow-up follows in ``casework.services.placement_save``.
    """
    placement_validate(placement, others=others)
    placement.save()
    return placement


def internship_check_length(
    start_date: datetime.date | None, end_date: datetime.date | None
) -> None:
    """An internship lasts at most four weeks (28 days); the message names the last day."""
    if start_date and end_date and (end_date - start_date).days >= MAX_INTERNSHIP_DAYS:
        last = start_date + datetime.timedelta(days=MAX_INTERNSHIP_DAYS - 1)
        raise ValidationError(
            {
                "end_date": _(
                    "An internship lasts at most four weeks (28 days): "
                    "the last day can be %(date)s at the latest."
                )
                % {"date": last.isoformat()}
            }
        )


def internship_validate(internship: Internship) -> None:
    """An internship lasts at most four weeks and hangs on the participant's own placement."""
    internship_check_length(internship.start_date, internship.end_date)
    placement_check_belongs(participant=internship.participant, placement=internship.placement)
    internship.full_clean()


@transaction.atomic
def internship_create(
    *,
    participant: Participant,
    employer: str,
    start_date: datetime.date,
    end_date: datetime.date,
    placement: Placement | None = None,
    occupation: str = "",
) -> Internship:
    internship = Internship(
        participant=participant,
        placement=placement,
        employer=employer,
        occupation=occupation,
        start_date=start_date,
        end_date=end_date,
    )
    return internship_save(internship=internship)


@transaction.atomic
def internship_save(*, internship: Internship) -> Internship:
    """Save an internship, new or changed (the page, the admin and its inlines)."""
    internship_validate(internship)
    internship.save()
    return internship


@transaction.atomic
def placement_extend(
    *,
    placement: Placement,
    planned_end_date: datetime.date,
    extended_on: datetime.date,
    confirm_warnings: bool = False,
    loaded_at: datetime.datetime | None = None,
) -> Placement:
    """Move an ongoing placement's planned end later.

    A job type that is not extendable may still be extended past its length
    (illness, a pending job offer), but only once the coach confirms:
    PlacementNeedsConfirmation, like a new placement outside the ranges.
    """
    placement = lock_unchanged(
        Placement.objects.select_related("job_type"), pk=placement.pk, loaded_at=loaded_at
    )
    if placement.end_date is not None:
        raise ValidationError(
            {"planned_end_date": _("The placement has ended; an ended placement is not extended.")}
        )
    if placement.planned_end_date is not None and planned_end_date <= placement.planned_end_date:
        raise ValidationError(
            {
                "planned_end_date": _(
                    "The new planned end must be after the current one (%(date)s)."
                )
                % {"date": placement.planned_end_date.isoformat()}
            }
        )
    if extended_on < placement.start_date:
        raise ValidationError(
            {"extended_on": _("The extension cannot be decided before the placement started.")}
        )
    placement.planned_end_date = planned_end_date
    placement.extended_on = extended_on
    placement.full_clean()
    if not placement.job_type.extendable:
        warnings = placement_length_warnings(
            job_type=placement.job_type,
            start_date=placement.start_date,
            planned_end_date=planned_end_date,
        )
        if warnings and not confirm_warnings:
            raise PlacementNeedsConfirmation(warnings)
    placement.save(update_fields=["planned_end_date", "extended_on", "updated_at"])
    return placement


@transaction.atomic
def wage_subsidy_create(
    *,
    participant: Participant,
    applied_on: datetime.date,
    kind: str,
    employer: str = "",
    placement: Placement | None = None,
) -> WageSubsidyCase:
    """Record an application to Arbetsförmedlingen; it waits for a decision."""
    case = WageSubsidyCase(
        participant=participant,
        placement=placement,
        kind=kind,
        employer=employer.strip(),
        applied_on=applied_on,
        outcome=SubsidyOutcome.PENDING,
    )
    return wage_subsidy_save(case=case)


DECIDED_OUTCOMES = (SubsidyOutcome.GRANTED, SubsidyOutcome.REJECTED)


def wage_subsidy_validate(case: WageSubsidyCase) -> None:
    """The decision date makes the processing time measurable.

    Granted and rejected need one, a withdrawn application has none, and no
    decision comes before its application.
    """
    placement_check_belongs(participant=case.participant, placement=case.placement)
    if case.outcome in DECIDED_OUTCOMES and case.decided_on is None:
        raise ValidationError({"decided_on": _("Enter the date of the decision.")})
    if case.outcome == SubsidyOutcome.WITHDRAWN and case.decided_on is not None:
        raise ValidationError(
            {"decided_on": _("A withdrawn application has no decision date; leave it empty.")}
        )
    if case.decided_on is not None and case.applied_on and case.decided_on < case.applied_on:
        raise ValidationError({"decided_on": _("The decision cannot come before the application.")})
    case.full_clean()


@transaction.atomic
def wage_subsidy_save(*, case: WageSubsidyCase) -> WageSubsidyCase:
    """Save a wage-subsidy case, new or changed (the page, the admin and its inlines)."""
    wage_subsidy_validate(case)
    case.save()
    return case


@transaction.atomic
def wage_subsidy_decide(
    *,
    case: WageSubsidyCase,
    outcome: str,
    decided_on: datetime.date | None,
    loaded_at: datetime.datetime | None = None,
) -> WageSubsidyCase:
    """Record Arbetsförmedlingen's decision (or that the application was withdrawn).

    The decision date makes the processing time measurable, so granted and
    rejected need one; a withdrawn application has none.
    """
    case = lock_unchanged(WageSubsidyCase.objects, pk=case.pk, loaded_at=loaded_at)
    case.outcome = outcome
    case.decided_on = decided_on
    wage_subsidy_validate(case)
    case.save(update_fields=["outcome", "decided_on", "updated_at"])
    return case
