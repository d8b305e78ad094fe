import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from followup.models import FollowUp


def open_followups() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(performed_on__isnull=True)


def followup_window_start(today: datetime.date) -> datetime.date:
    """The earliest placement end whose follow-up is still within its window.

    The follow-up window: a follow-up is due three months after the placement
    ended, and the report period that counts it is drawn
    ``REPORT_PERIOD_LAG_MONTHS`` (4) months after the end (DESIGN §4), so that
    every follow-up is due and registered by then. A follow-up of a placement
    that ended before the returned date is past its window: the report it
    belongs to no longer waits for it (by default, it has been overdue for
    more than a month).
    """
    return today - relativedelta(months=settings.REPORT_PERIOD_LAG_MONTHS)


def followups_past_window(today: datetime.date) -> QuerySet[FollowUp]:
    """Open follow-ups past their window: those that may be closed as not reached in bulk."""
    return open_followups().filter(placement__end_date__lt=followup_window_start(today))


def open_followup_counts_per_coach(
    *, today: datetime.date, horizon: datetime.date
) -> QuerySet[dict]:
    """Overdue and soon-due follow-ups per active coach with an e-mail address: one query."""
    return (
        open_followups()
        .filter(
            due_date__lte=horizon,
            placement__participant__coach__isnull=False,
            placement__participant__coach__is_active=True,
        )
        .exclude(placement__participant__coach__email="")
        .values(
            coach_id=F("placement__participant__coach"),
            coach_email=F("placement__participant__coach__email"),
            coach_first_name=F("placement__participant__coach__first_name"),
        )
        .annotate(
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            due_soon=Count("pk", filter=Q(due_date__gte=today)),
        )
        .order_by("coach_id")
    )
