"""The demo's caseloads: a coach of their unit for every participant, and for
the demo coach a live caseload with follow-ups due this week and overdue.
"""

import datetime
import random
from collections.abc import Sequence

from dateutil.relativedelta import relativedelta

from accounts.models import User
from demo.organisation import DEMO_UNIT
from demo.people import Person
from placements.models import EndReason, Placement, follow_up_due_date

DEMO_COACH_RECENT_SHARE = 0.3
DEMO_COACH_OLDER_SHARE = 0.22
MIN_OPEN_FOR_DEMO_COACH = 3


def assign_coaches(
    rng: random.Random,
    people: Sequence[Person],
    coaches: dict[str, list[User]],
    demo_coach: User,
    today: datetime.date,
) -> None:
    """A coach of the person's unit; the demo coach gets a live caseload."""
    recent_since = today - datetime.timedelta(days=183)
    for person in people:
        participant = person.participant
        unit_coaches = coaches[participant.unit.name]
        if demo_coach not in unit_coaches:
            participant.coach = rng.choice(unit_coaches)
            continue
        end = person.last.end_date
        recent = end is None or end >= recent_since
        share = DEMO_COACH_RECENT_SHARE if recent else DEMO_COACH_OLDER_SHARE
        if rng.random() < share:
            participant.coach = demo_coach
        else:
            participant.coach = rng.choice([c for c in unit_coaches if c is not demo_coach])


def give_demo_coach_open_followups(
    rng: random.Random, people: Sequence[Person], demo_coach: User, today: datetime.date
) -> set[int]:
    """Make sure the demo coach has follow-ups due this week and some overdue.

    Returns the ids (Python `id()`) of placements whose follow-up must stay
    unregistered. The unit's follow-ups in each window go to the demo coach
    first; when the unit has too few, ongoing placements end early instead.
    """
    day = datetime.timedelta(days=1)
    unit_people = [p for p in people if p.participant.unit.name == DEMO_UNIT]
    keep_open: set[int] = set()
    for first, last in ((today, today + 7 * day), (today - 25 * day, today - day)):
        in_window = [
            p
            for p in unit_people
            if p.last.end_date and first <= follow_up_due_date(p.last.end_date) <= last
        ]
        rng.shuffle(in_window)
        in_window.sort(key=lambda p: p.participant.coach is not demo_coach)
        chosen = in_window[:MIN_OPEN_FOR_DEMO_COACH]
        ongoing = [p for p in unit_people if p.last.end_date is None]
        rng.shuffle(ongoing)
        while len(chosen) < MIN_OPEN_FOR_DEMO_COACH and ongoing:
            person = ongoing.pop()
            if _end_early_for_due_date(rng, person.last, first, last):
                chosen.append(person)
        for person in chosen:
            person.participant.coach = demo_coach
            keep_open.add(id(person.last))
    return keep_open


def _end_early_for_due_date(
    rng: random.Random, placement: Placement, first: datetime.date, last: datetime.date
) -> bool:
    due = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    end = due - relativedelta(months=3)
    if not first <= follow_up_due_date(end) <= last:
        return False
    if (end - placement.start_date).days < 30:
        return False
    if placement.extended_on and placement.extended_on > end:
        return False
    placement.end_date = end
    placement.end_reason = rng.choice([EndReason.WORK, EndReason.OWN_REQUEST, EndReason.OTHER])
    return True
