"""The demo's consent decisions: taken at enrolment, a few withdrawn later."""

import datetime
import random
from collections.abc import Sequence

from demo.people import Person
from participants.models import Consent, ConsentFlow

# Consents (participants.Consent): most participants give both at enrolment;
# about one in ten gives no consent to the SCB register follow-up (half of
# them refuse, half are never asked) and a few withdraw a consent later.
NO_SCB_CONSENT_SHARE = 0.1
# District consent among those without months of social assistance recorded
# (everyone with the figure consented: it comes from the district under it).
DISTRICT_CONSENT_WITHOUT_FIGURE = 0.8
WITHDRAWAL_SHARE = 0.02


def plan_consents(
    rng: random.Random, people: Sequence[Person], today: datetime.date
) -> list[Consent]:
    """Decisions taken at enrolment, recorded by the coach, and a few later withdrawals."""
    rows: list[Consent] = []
    for person in people:
        participant = person.participant
        enrolled = participant.enrolled_on
        decisions: list[tuple[str, bool, datetime.date]] = []
        if (
            participant.months_social_assistance_before is not None
            or rng.random() < DISTRICT_CONSENT_WITHOUT_FIGURE
        ):
            decisions.append((ConsentFlow.DISTRICT, True, enrolled))
        roll = rng.random()
        if roll < NO_SCB_CONSENT_SHARE / 2:
            decisions.append((ConsentFlow.SCB, False, enrolled))  # refused
        elif roll >= NO_SCB_CONSENT_SHARE:  # otherwise never asked: no row
            decisions.append((ConsentFlow.SCB, True, enrolled))
        earliest = enrolled + datetime.timedelta(days=30)
        for flow, given, _day in list(decisions):
            if given and earliest <= today and rng.random() < WITHDRAWAL_SHARE:
                day = earliest + datetime.timedelta(days=rng.randint(0, (today - earliest).days))
                decisions.append((flow, False, day))
        rows += [
            Consent(
                participant=participant,
                flow=flow,
                given=given,
                decided_on=day,
                recorded_by=participant.coach,
            )
            for flow, given, day in decisions
        ]
    return rows
