"""The years of the annual report: the report year's dates, the years a table shows,
the years one can ask for.
"""

import datetime
from collections.abc import Sequence

from django.db.models import Max, Min
from django.utils import timezone

from placements.models import Placement

# Tables 2 and 3 show the periods of the report year and the three years before it.
YEARS_SHOWN = 4


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def years_with_data(today: datetime.date | None = None) -> list[int]:
    """The years a report can be made for: from the first placement's start to the last
    date, and never after the current year (a planned start next year is not data)."""
    bounds = Placement.objects.aggregate(
        first=Min("start_date"), last_start=Max("start_date"), last_end=Max("end_date")
    )
    if bounds["first"] is None:
        return []
    last = max(date for date in (bounds["last_start"], bounds["last_end"]) if date is not None)
    this_year = (today or timezone.localdate()).year
    return list(range(bounds["first"].year, min(last.year, this_year) + 1))


def is_preliminary(year: int, as_at: datetime.date) -> bool:
    """A report of a year that has not ended on its as-at date: its figures will change."""
    return as_at <= year_bounds(year)[1]


def preliminary_note(as_at: datetime.date) -> str:
    """The words every table of a preliminary report carries, with its as-at date."""
    return f"Preliminär: uppgifterna gäller per {as_at:%Y-%m-%d}; året är inte avslutat."


def default_year(years: Sequence[int], today: datetime.date | None = None) -> int:
    """The last full year, or the latest year with data before it."""
    last_full = (today or timezone.localdate()).year - 1
    earlier = [year for year in years if year <= last_full]
    return max(earlier) if earlier else last_full
