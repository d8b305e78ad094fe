import datetime

from django.db.models import Count, F, Q, QuerySet

from followup.models import FollowUp


def open_followups() -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(performed_on__isnull=True)


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
