"""Which cases are active: one rule, read by the caseload, the coach's week and reassignment.

A case is *active* when it is neither closed nor followed up long ago. The
caseload shows active cases unless asked for another state; the week's
reminder to get in touch reads them; the reassignment list shows them unless
asked for the cases followed up long ago too.
"""

import datetime

from django.db.models import Case, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from followup.selectors import followup_window_start
from participants.models import Participant
from placements.models import Placement


class CaseState:
    """Whether the case is still worked on: lists show active cases unless asked."""

    ACTIVE = "active"
    FOLLOWED_UP_LONG_AGO = "followed_up_long_ago"
    CLOSED = "closed"
    ALL = "all"

    choices = [
        (ACTIVE, _("Active cases")),
        (FOLLOWED_UP_LONG_AGO, _("Followed up long ago")),
        (CLOSED, _("Closed cases")),
        (ALL, _("All cases")),
    ]


def long_followed_up_condition(today: datetime.date) -> Q:
    """A case followed up long ago: nothing is left to do in it, though nobody closed it.

    The participant has had at least one placement, and every placement has
    ended and had its follow-up registered before the follow-up window of
    today began (``followup.selectors.followup_window_start``: by default more
    than four months ago). A placement not ended, a follow-up still open or
    not opened yet, or one registered within the window keeps the case
    active: the coach is still working with the person, or has only just
    finished. A new placement makes the case active again.
    """
    window_start = followup_window_start(today)
    unsettled = (
        Q(end_date__isnull=True)
        | Q(followup__isnull=True)
        | Q(followup__performed_on__isnull=True)
        | Q(followup__performed_on__gte=window_start)
    )
    # One value per participant: 1 if a placement is unsettled, 0 if every one is
    # settled, none without placements. A scalar subquery is looked up per
    # participant by index; two nested EXISTS made PostgreSQL anti-join every
    # placement and follow-up there is, whatever the unit.
    any_unsettled = Subquery(
        Placement.objects.filter(participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(flag=Max(Case(When(unsettled, then=Value(1)), default=Value(0))))
        .values("flag")[:1]
    )
    return Q(Exact(Coalesce(any_unsettled, Value(1)), 0))


def case_state_conditions(today: datetime.date) -> dict[str, Q]:
    """Each case state as a condition: closed, followed up long ago, or active (neither)."""
    closed = Q(closed_on__isnull=False)
    long_ago = long_followed_up_condition(today)
    return {
        CaseState.ACTIVE: ~closed & ~long_ago,
        CaseState.FOLLOWED_UP_LONG_AGO: ~closed & long_ago,
        CaseState.CLOSED: closed,
        CaseState.ALL: Q(),
    }


def cases_in_state(
    participants: QuerySet[Participant], state: str, *, today: datetime.date
) -> QuerySet[Participant]:
    """The participants whose case is in ``state`` (a ``CaseState`` value) today."""
    return participants.filter(case_state_conditions(today)[state])


def active_cases(
    participants: QuerySet[Participant], *, today: datetime.date
) -> QuerySet[Participant]:
    """The participants whose case is active today: not closed, not followed up long ago."""
    return cases_in_state(participants, CaseState.ACTIVE, today=today)
