"""A national-scale synthetic data set for benchmarks (DESIGN §8).

200,000 participants, 300,000 placements and their follow-ups, written with
bulk inserts. Loaded once into the database DATABASE_URL points at; a second
run finds it there and loads nothing.
"""

import datetime
import random
import time

from django.db import transaction

from followup.models import FollowUp, Outcome
from participants.models import District, Participant, Unit
from participants.personnummer import legal_gender, luhn_check_digit
from placements.models import JobType, Placement, Workplace, follow_up_due_date

BATCH = 10_000
OUTCOMES = list(Outcome.values)


def _personnummer(birth: datetime.date, serial: int) -> str:
    nine = f"{birth:%y%m%d}{serial:03d}"
    return f"{birth:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"


def ensure_dataset(*, participants: int, placements: int, today: datetime.date) -> float:
    """Load the data set unless it is there; returns the seconds spent loading."""
    if Placement.objects.count() >= placements:
        return 0.0
    started = time.perf_counter()
    rng = random.Random(300_000)
    with transaction.atomic():
        units = [Unit.objects.get_or_create(name=f"Bench unit {i}")[0] for i in range(40)]
        districts = list(District.objects.all())
        job_types = list(JobType.objects.all())
        workplaces = Workplace.objects.bulk_create(
            [
                Workplace(name=f"Bench workplace {i}", setting=rng.choice(["ordinary", "adapted"]))
                for i in range(2000)
            ]
        )
        seen: set[str] = set(Participant.objects.values_list("personnummer", flat=True))
        people: list[Participant] = []
        while len(people) < participants:
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(16_000))
            number = _personnummer(birth, rng.randrange(1000))
            if number in seen:
                continue
            seen.add(number)
            people.append(
                Participant(
                    personnummer=number,
                    birth_date=birth,
                    gender=legal_gender(number),
                    first_name="Bench",
                    last_name=f"Person{len(people)}",
                    unit=rng.choice(units),
                    district=rng.choice(districts),
                    enrolled_on=datetime.date(2017, 1, 1),
                )
            )
        people = Participant.objects.bulk_create(people, batch_size=BATCH)
        rows: list[Placement] = []
        for index in range(placements):
            person = people[index % participants]
            # A second placement for some: a later start, so the two never overlap.
            second = index >= participants
            start = datetime.date(2018, 1, 1) + datetime.timedelta(
                days=rng.randrange(1400) + (1500 if second else 0)
            )
            end = start + datetime.timedelta(days=rng.randrange(150, 400))
            rows.append(
                Placement(
                    participant=person,
                    job_type=rng.choice(job_types),
                    workplace=rng.choice(workplaces),
                    funding=rng.choice(["sdf", "amf"]),
                    start_date=start,
                    planned_end_date=end,
                    end_date=end if end <= today else None,
                    end_reason="completed" if end <= today else "",
                )
            )
        rows = Placement.objects.bulk_create(rows, batch_size=BATCH)
        followups = []
        for placement in rows:
            if placement.end_date is None:
                continue
            due = follow_up_due_date(placement.end_date)
            done = due <= today and rng.random() < 0.95
            followups.append(
                FollowUp(
                    placement=placement,
                    due_date=due,
                    performed_on=due if done else None,
                    outcome=rng.choice(OUTCOMES) if done else "",
                )
            )
        FollowUp.objects.bulk_create(followups, batch_size=BATCH)
    return time.perf_counter() - started
