"""Periods of days with an optional end: placements, studies, anything that runs until it ends.

An open end (``None``) runs on for ever. Two periods overlap when each
starts on or before the other's last day; the same rule is a ``Q`` for the
database and a comparison for rows held in memory (a form's unsaved rows).
"""

import datetime

from django.db.models import Q


def overlapping(start: datetime.date, end: datetime.date | None) -> Q:
    """Rows with ``start_date``/``end_date`` whose period shares a day with start..end."""
    rows = Q(end_date__isnull=True) | Q(end_date__gte=start)
    return rows if end is None else rows & Q(start_date__lte=end)


def periods_overlap(
    start: datetime.date,
    end: datetime.date | None,
    other_start: datetime.date,
    other_end: datetime.date | None,
) -> bool:
    """Whether start..end and other_start..other_end share a day (in memory)."""
    return (end is None or other_start <= end) and (other_end is None or other_end >= start)
