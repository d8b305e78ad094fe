"""Writes that span several kinds of record, each in one transaction.

A rule that belongs to one kind of record lives in that record's app
(``placements.services``, ``followup.services``); what has to happen to
several records together lives here, and every path that writes (the coach's
page, the admin and its inlines) calls it.
"""

import datetime
from collections.abc import Iterable

from django.db import transaction

from followup.services import followup_withdraw, followups_open
from placements import services as placement_services
from placements.models import Placement


@transaction.atomic
def placement_end(
    *,
    placement: Placement,
    end_date: datetime.date,
    end_reason: str,
    loaded_at: datetime.datetime | None = None,
) -> Placement:
    """End a placement and open its three-month follow-up, together or not at all.

    With `loaded_at` (the placement's `updated_at` when the user opened the
    form) a placement changed since then is not touched: RecordChanged.
    """
    placement = placement_services.placement_set_end(
        placement=placement, end_date=end_date, end_reason=end_reason, loaded_at=loaded_at
    )
    followups_open(placements=Placement.objects.filter(pk=placement.pk))
    return placement


@transaction.atomic
def placement_save(*, placement: Placement, others: Iterable[Placement] = ()) -> Placement:
    """Save a placement edited as a whole (the admin and its inlines), with its follow-up.

    An ended placement has its follow-up, moved with a changed end date; one
    made ongoing again loses an open follow-up (a registered one refuses the
    change). `others` are the participant's placements saved in the same
    form, checked for overlap as they will be.
    """
    end_before = (
        Placement.objects.filter(pk=placement.pk).values_list("end_date", flat=True).first()
        if placement.pk is not None
        else None
    )
    placement_services.placement_save(placement=placement, others=others)
    if placement.end_date is None:
        followup_withdraw(placement=placement)
    elif placement.end_date != end_before or not hasattr(placement, "followup"):
        followups_open(placements=Placement.objects.filter(pk=placement.pk))
    return placement
