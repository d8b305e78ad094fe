"""Report periods: tertials (T1, T2), the annual report (VB) and custom ranges.

A period reports on the placements whose actual end date falls in a 12-month
window that ends ``REPORT_PERIOD_LAG_MONTHS`` months before the period's end,
so that every follow-up of those placements is due and registered by then
(DESIGN §4): with the default lag of 4, ``T2-2020`` covers 2019-05-01..2020-04-30.
"""

import datetime
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

# The month each period kind ends in: T1 on 30 April, T2 on 31 August, VB on 31 December.
PERIOD_END_MONTH = {"T1": 4, "T2": 8, "VB": 12}
PERIOD_KINDS = tuple(PERIOD_END_MONTH)

# Years outside this range are typing mistakes, and would overflow `datetime.date`.
MIN_YEAR = 1900
MAX_YEAR = 9998

_LABEL = re.compile(r"^(T1|T2|VB)-(\d{4})$")
_CUSTOM_LABEL = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class ReportPeriod:
    """A named report period and its window of placement end dates (both days included)."""

    label: str
    window_start: datetime.date
    window_end: datetime.date

    def __str__(self) -> str:
        return self.label


def _lag(lag_months: int | None) -> int:
    lag = settings.REPORT_PERIOD_LAG_MONTHS if lag_months is None else lag_months
    if lag < 0:
        raise ValueError(f"The report period lag cannot be negative (got {lag}).")
    return lag


def period_end(kind: str, year: int) -> datetime.date:
    """The last day of a period: 30 April (T1), 31 August (T2) or 31 December (VB)."""
    first_of_next_month = datetime.date(year, PERIOD_END_MONTH[kind], 1) + relativedelta(months=1)
    return first_of_next_month - datetime.timedelta(days=1)


def _named_period(kind: str, year: int, lag: int) -> ReportPeriod:
    # The window's last month is `lag` months before the period's last month.
    day_after_window = datetime.date(year, PERIOD_END_MONTH[kind], 1) + relativedelta(
        months=1 - lag
    )
    return ReportPeriod(
        label=f"{kind}-{year}",
        window_start=day_after_window - relativedelta(months=12),
        window_end=day_after_window - datetime.timedelta(days=1),
    )


def _unknown(label: str) -> ValueError:
    return ValueError(f"Unknown period '{label}': use T1-YYYY, T2-YYYY or VB-YYYY.")


def parse_period(label: str, *, lag_months: int | None = None) -> ReportPeriod:
    """The period a label names: ``T1-2020``, ``T2-2020`` or ``VB-2020``.

    The label of a custom period (``2019-05-01..2020-04-30``) is read back too,
    so a stored label always gives its period again.
    """
    text = label.strip().upper()
    custom = _CUSTOM_LABEL.match(text)
    if custom:
        try:
            start, end = (datetime.date.fromisoformat(part) for part in custom.groups())
        except ValueError:
            raise _unknown(label) from None
        return custom_period(start, end)
    match = _LABEL.match(text)
    if not match:
        raise _unknown(label)
    kind, year = match.group(1), int(match.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"Unknown period '{label}': the year must be {MIN_YEAR}–{MAX_YEAR}.")
    return _named_period(kind, year, _lag(lag_months))


def custom_period(start: datetime.date, end: datetime.date) -> ReportPeriod:
    """A period over any range of end dates (``--from``/``--to``), both days included."""
    if end < start:
        raise ValueError(f"The period ends ({end}) before it starts ({start}).")
    return ReportPeriod(label=f"{start}..{end}", window_start=start, window_end=end)


def periods_between(
    first_year: int, last_year: int, *, lag_months: int | None = None
) -> list[ReportPeriod]:
    """Every named period of the years, in time order: T1, T2, VB of each year."""
    lag = _lag(lag_months)
    return [
        _named_period(kind, year, lag)
        for year in range(first_year, last_year + 1)
        for kind in PERIOD_KINDS
    ]


def current_period(
    today: datetime.date | None = None, *, lag_months: int | None = None
) -> ReportPeriod:
    """The most recent named period that has ended on or before ``today``."""
    today = today or timezone.localdate()
    ended = [
        (period_end(kind, year), kind, year)
        for year in (today.year - 1, today.year)
        for kind in PERIOD_KINDS
        if period_end(kind, year) <= today
    ]
    _, kind, year = max(ended)
    return _named_period(kind, year, _lag(lag_months))
