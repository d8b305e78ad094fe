"""The demo's wage-subsidy cases: granted for a subsidised job found at
follow-up, and rejected, withdrawn or pending ones that led to no job (yet).
"""

import datetime
import random

from demo.people import Person
from followup.models import FollowUp
from placements.models import SubsidyKind, SubsidyOutcome, WageSubsidyCase


def _processing_days(rng: random.Random, applied: datetime.date) -> int:
    # Arbetsförmedlingen took longer to decide from 2020.
    if applied.year < 2020:
        return rng.randint(20, 70)
    if applied.year < 2022:
        return rng.randint(45, 120)
    return rng.randint(30, 100)


def granted_subsidy(
    rng: random.Random, followup: FollowUp, today: datetime.date
) -> WageSubsidyCase:
    placement = followup.placement
    applied = placement.end_date - datetime.timedelta(days=rng.randint(0, 45))
    decided = applied + datetime.timedelta(days=_processing_days(rng, applied))
    return WageSubsidyCase(
        participant=placement.participant,
        placement=placement,
        kind=rng.choices(
            [SubsidyKind.WAGE_SUBSIDY, SubsidyKind.NEW_START_JOB, SubsidyKind.INTRODUCTION_JOB],
            [5, 3, 2],
        )[0],
        employer=followup.employer_or_school or placement.workplace.name,
        applied_on=applied,
        decided_on=decided if decided <= today else None,
        outcome=SubsidyOutcome.GRANTED if decided <= today else SubsidyOutcome.PENDING,
    )


def other_subsidy_cases(
    rng: random.Random, person: Person, today: datetime.date
) -> list[WageSubsidyCase]:
    """Cases that did not (or not yet) lead to a job: rejected, withdrawn, pending."""
    placement = person.last
    end = placement.end_date or placement.planned_end_date
    if end is None or rng.random() > 0.12:
        return []
    applied = end - datetime.timedelta(days=rng.randint(10, 60))
    if applied > today:
        return []
    decided = applied + datetime.timedelta(days=_processing_days(rng, applied))
    if decided > today:
        outcome, decided_on = SubsidyOutcome.PENDING, None
    elif rng.random() < 0.35:
        outcome, decided_on = SubsidyOutcome.WITHDRAWN, None
    else:
        outcome, decided_on = SubsidyOutcome.REJECTED, decided
    return [
        WageSubsidyCase(
            participant=person.participant,
            placement=placement,
            employer=placement.workplace.name,
            applied_on=applied,
            decided_on=decided_on,
            outcome=outcome,
        )
    ]
