import datetime

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from followup.models import FollowUp
from participants.models import Participant
from placements.models import (
    MAX_INTERNSHIP_DAYS,
    Internship,
    JobType,
    Placement,
    Workplace,
    follow_up_due_date,
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
    if planned_end_date is not None:
        length = relativedelta(planned_end_date + datetime.timedelta(days=1), start_date)
        months = length.years * 12 + length.months + (1 if length.days > 15 else 0)
        if not job_type.min_months <= months <= job_type.max_months:
            warnings.append(
                _(
                    "The planned length is %(months)s months; "
                    "%(job_type)s runs %(min)s–%(max)s months."
                )
                % {
                    "months": months,
                    "job_type": job_type.name,
                    "min": job_type.min_months,
                    "max": job_type.max_months,
                }
            )
    return warnings


def placement_check_no_overlap(placement: Placement) -> None:
    """One participant holds one Stockholmsjobb at a time; an ongoing one is open-ended."""
    end = placement.end_date or datetime.date.max
    overlapping = (
        Placement.objects.filter(participant_id=placement.participant_id, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=placement.start_date))
        .exclude(pk=placement.pk)
    )
    if overlapping.exists():
        raise ValidationError(
            {"start_date": _("The participant already has a placement in this period.")},
            code="overlap",
        )


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
    placement.full_clean()
    # Lock the participant so two simultaneous placements cannot both pass the overlap check.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    placement_check_no_overlap(placement)
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
def placement_end(*, placement: Placement, end_date: datetime.date, end_reason: str) -> Placement:
    """End a placement and open its three-month follow-up."""
    if not end_reason:
        raise ValidationError({"end_reason": _("Say why the placement ended.")})
    placement.end_date = end_date
    placement.end_reason = end_reason
    placement.full_clean()
    Participant.objects.select_for_update().filter(pk=placement.participant_id).first()
    placement_check_no_overlap(placement)
    placement.save(update_fields=["end_date", "end_reason", "updated_at"])
    FollowUp.objects.update_or_create(
        placement=placement, defaults={"due_date": follow_up_due_date(end_date)}
    )
    return placement


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
    if (end_date - start_date).days >= MAX_INTERNSHIP_DAYS:
        raise ValidationError({"end_date": _("An internship lasts at most four weeks (28 days).")})
    internship = Internship(
        participant=participant,
        placement=placement,
        employer=employer,
        occupation=occupation,
        start_date=start_date,
        end_date=end_date,
    )
    internship.full_clean()
    internship.save()
    return internship
