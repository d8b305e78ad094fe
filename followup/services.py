import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from followup.models import FollowUp, Outcome
from placements.models import Placement, follow_up_due_date


@transaction.atomic
def followup_register(
    *,
    placement: Placement,
    outcome: str,
    performed_on: datetime.date,
    performed_by: User | None,
    employer_or_school: str = "",
    note: str = "",
) -> FollowUp:
    """Register the three-month follow-up of an ended placement."""
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
