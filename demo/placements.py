"""The demo's placements: yearly targets, when placements start, how long they
last and how they end, and who takes them (a new participant or, now and then,
someone whose earlier placement has ended).
"""

import calendar
import datetime
import math
import random
from collections.abc import Iterable, Sequence

from dateutil.relativedelta import relativedelta

from demo.common import BATCH_SIZE
from demo.organisation import UNIT_DISTRICTS
from demo.people import DISTRICT_WEIGHTS, Person, new_participant
from demo.workplaces import WorkplaceSpec, pick_workplace
from participants.models import District, Participant, Unit
from placements.models import (
    EndReason,
    Funding,
    JobType,
    Placement,
    PlacementTarget,
    Workplace,
)

TARGET_YEARS = range(2018, 2027)

# Table 1 of the 2021 annual report: planned places per job type. Placements
# are split over job types in these proportions.
PLACES_2021 = {
    "ungdomsanstallning": 230,
    "basanstallning": 342,
    "serviceassistent": 65,
    "arbetslagsanstallning": 75,
    "stockholmsvard": 85,
    "jobbstartsanstallning": 25,
}
# 2020 dips with the pandemic; the other years wobble around the plan.
YEAR_VOLUME = {2018: 0.96, 2019: 1.0, 2020: 0.93, 2021: 1.03, 2023: 0.98, 2024: 1.02}
TARGET_VOLUME = {2018: 0.9, 2019: 0.95, 2020: 1.0, 2022: 1.03, 2023: 1.0, 2024: 0.97}

MONTH_WEIGHTS = (11, 10, 9, 8, 7, 6, 3, 9, 10, 9, 9, 4)
# Planned length in months with weights.
LENGTHS = {
    "ungdomsanstallning": ((6, 4), (9, 2), (12, 4)),
    "basanstallning": ((12, 1),),
    "serviceassistent": ((12, 3), (18, 2), (24, 5)),
    "arbetslagsanstallning": ((6, 3), (9, 2), (12, 5)),
    "stockholmsvard": ((10, 1),),
    "jobbstartsanstallning": ((6, 1),),
}
STOCKHOLMSVARD_EXTENDED = 0.3
EARLY_END = {
    "ungdomsanstallning": 0.16,
    "basanstallning": 0.18,
    "serviceassistent": 0.10,
    "arbetslagsanstallning": 0.28,
    "stockholmsvard": 0.15,
    "jobbstartsanstallning": 0.25,
}
EARLY_END_REASONS = {
    EndReason.WORK: 30,
    EndReason.STUDIES: 14,
    EndReason.ILLNESS: 12,
    EndReason.DISMISSED: 8,
    EndReason.OWN_REQUEST: 24,
    EndReason.OTHER: 12,
}
AMF_SHARE_OF_BASANSTALLNING = 0.3
SECOND_PLACEMENT_SHARE = 0.055


def ensure_targets(rng: random.Random, job_types: Sequence[JobType], years: Iterable[int]) -> None:
    targets = []
    for year in years:
        for job_type in job_types:
            base = PLACES_2021[job_type.code]
            if year == 2021:
                places = base
            else:
                places = round(base * TARGET_VOLUME.get(year, 1.0) * rng.uniform(0.95, 1.05))
            targets.append(PlacementTarget(job_type=job_type, year=year, places=places))
    # Existing rows win: the 2021 row comes from the migration and an admin
    # may have edited others.
    PlacementTarget.objects.bulk_create(targets, batch_size=BATCH_SIZE, ignore_conflicts=True)


def plan_people(
    rng: random.Random,
    job_types: Sequence[JobType],
    districts: dict[str, District],
    units: dict[str, Unit],
    workplaces: Sequence[tuple[Workplace, WorkplaceSpec]],
    *,
    years: Iterable[int],
    per_year: int,
    today: datetime.date,
) -> list[Person]:
    """Participants with their placements, in start order, not yet saved.

    About `per_year` placements start in each of `years`, none after `today`.
    """
    slots: list[tuple[datetime.date, JobType]] = []
    by_code = {job_type.code: job_type for job_type in job_types}
    for year in years:
        volume = round(per_year * YEAR_VOLUME.get(year, 1.0))
        weights = {code: PLACES_2021[code] for code in by_code}
        for code, count in _split(volume, weights).items():
            slots += [(_start_date(rng, year), by_code[code]) for _ in range(count)]
    # The current year only has the starts that already happened.
    slots = sorted((slot for slot in slots if slot[0] <= today), key=lambda slot: slot[0])

    unit_of_district = {
        code: units[name] for name, codes in UNIT_DISTRICTS.items() for code in codes
    }
    district_codes = [code for code in DISTRICT_WEIGHTS if code in districts]
    district_weights = [DISTRICT_WEIGHTS[code] for code in district_codes]
    taken: set[str] = set()
    people: list[Person] = []
    for start, job_type in slots:
        person = None
        if rng.random() < SECOND_PLACEMENT_SHARE:
            person = _returning_person(rng, people, start, job_type)
        if person is None:
            code = rng.choices(district_codes, district_weights)[0]
            participant = new_participant(rng, job_type, start, taken)
            participant.district = districts[code]
            participant.unit = unit_of_district[code]
            person = Person(participant)
            people.append(person)
        person.placements.append(
            _new_placement(rng, person.participant, job_type, start, workplaces, today)
        )
    return people


def _split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split a whole number in proportion to weights (largest remainder)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: exact[key] - counts[key], reverse=True)
    for key in by_remainder[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def _start_date(rng: random.Random, year: int) -> datetime.date:
    month = rng.choices(range(1, 13), MONTH_WEIGHTS)[0]
    days_in_month = calendar.monthrange(year, month)[1]
    while True:  # employments start on a weekday
        day = datetime.date(year, month, rng.randint(1, days_in_month))
        if day.weekday() < 5:
            return day


def _returning_person(
    rng: random.Random, people: Sequence[Person], start: datetime.date, job_type: JobType
) -> Person | None:
    """Someone whose only placement ended a while before `start`, if one fits."""
    if not people:
        return None
    for _ in range(25):
        person = rng.choice(people)
        end = person.last.end_date
        if (
            len(person.placements) == 1
            and end is not None
            and 14 <= (start - end).days <= 400
            and job_type.min_age <= _age(person.participant.birth_date, start) <= job_type.max_age
        ):
            return person
    return None


def _new_placement(
    rng: random.Random,
    participant: Participant,
    job_type: JobType,
    start: datetime.date,
    workplaces: Sequence[tuple[Workplace, WorkplaceSpec]],
    today: datetime.date,
) -> Placement:
    code = job_type.code
    lengths = LENGTHS.get(code, ((job_type.max_months, 1),))
    months = rng.choices([m for m, _ in lengths], [w for _, w in lengths])[0]
    months = min(max(months, job_type.min_months), job_type.max_months)
    planned_end = start + relativedelta(months=months) - datetime.timedelta(days=1)
    extended_on = None
    if rng.random() < EARLY_END.get(code, 0.15):
        length = (planned_end - start).days
        end = start + datetime.timedelta(days=rng.randint(30, max(31, length - 15)))
        reason = rng.choices(list(EARLY_END_REASONS), list(EARLY_END_REASONS.values()))[0]
    else:
        if job_type.extendable and rng.random() < STOCKHOLMSVARD_EXTENDED:
            # Decided some weeks before the original end, which cannot be in the future.
            decided = planned_end - datetime.timedelta(days=rng.randint(14, 45))
            if decided <= today:
                extended_on = decided
                planned_end += relativedelta(months=rng.choice((2, 3, 6)))
        end, reason = planned_end, EndReason.COMPLETED
    ongoing = end > today

    funding = Funding.SDF
    if code == "basanstallning" and rng.random() < AMF_SHARE_OF_BASANSTALLNING:
        funding = Funding.AMF
    return Placement(
        participant=participant,
        job_type=job_type,
        workplace=pick_workplace(rng, job_type, participant, workplaces),
        funding=funding,
        start_date=start,
        planned_end_date=planned_end,
        extended_on=extended_on,
        end_date=None if ongoing else end,
        end_reason="" if ongoing else reason,
    )


def _age(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
