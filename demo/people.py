"""The demo's participants: who they are when they enrol.

Age, gender, country of birth, education and time on social assistance and
unemployment follow each job type's profile. A personnummer is a random birth
date with a valid check digit and a serial whose digit matches the gender.
"""

import datetime
import math
import random
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta

from demo.names import (
    FEMALE_INTERNATIONAL,
    FEMALE_SWEDISH,
    LAST_INTERNATIONAL,
    LAST_SWEDISH,
    MALE_INTERNATIONAL,
    MALE_SWEDISH,
)
from participants.models import EducationLevel, Gender, Participant
from participants.personnummer import COORDINATION_DAY_OFFSET, Personnummer, luhn_check_digit
from placements.models import JobType, Placement

# Where participants live: the Järva and southern districts weigh most.
DISTRICT_WEIGHTS = {
    "rinkeby-kista": 14,
    "spanga-tensta": 11,
    "bromma": 4,
    "hasselby-vallingby": 9,
    "enskede-arsta-vantor": 11,
    "farsta": 8,
    "hagersten-alvsjo": 7,
    "skarpnack": 6,
    "skarholmen": 9,
    "kungsholmen": 3,
    "norrmalm": 3,
    "sodermalm": 7,
    "ostermalm": 2,
}
# (low, high, mode) of the age at start; clamped to the job type's own range.
AGE_PROFILE = {
    "ungdomsanstallning": (16, 29, 20),
    "basanstallning": (20, 64, 34),
    "serviceassistent": (18, 64, 27),
    "arbetslagsanstallning": (20, 29, 23),
    "stockholmsvard": (22, 64, 44),
    "jobbstartsanstallning": (18, 29, 21),
}
WOMEN = {
    "ungdomsanstallning": 0.49,
    "basanstallning": 0.50,
    "serviceassistent": 0.40,
    "arbetslagsanstallning": 0.20,
    "stockholmsvard": 0.42,
    "jobbstartsanstallning": 0.45,
}
GENDER_OTHER = 0.01
# What those few said, recorded as their own description (sensitive data).
SELF_DESCRIBED = ("Icke-binär", "Annat", "Vill beskriva själv")
FOREIGN_BORN = {
    "ungdomsanstallning": 0.55,
    "basanstallning": 0.76,
    "serviceassistent": 0.40,
    "arbetslagsanstallning": 0.50,
    "stockholmsvard": 0.70,
    "jobbstartsanstallning": 0.55,
}
COORDINATION_NUMBER_SHARE = 0.02  # of the foreign-born
EDUCATION = {  # compulsory, upper secondary, post-secondary, unknown
    "ungdomsanstallning": (40, 45, 5, 10),
    "basanstallning": (50, 27, 11, 12),
    "serviceassistent": (35, 45, 10, 10),
    "arbetslagsanstallning": (65, 25, 0, 10),
    "stockholmsvard": (48, 30, 10, 12),
    "jobbstartsanstallning": (50, 38, 2, 10),
}
# (share with none, median months) before enrolment: long for the basic jobs
# and Stockholmsvärd, short for young people.
SOCIAL_ASSISTANCE = {
    "ungdomsanstallning": (0.35, 5),
    "basanstallning": (0.03, 30),
    "serviceassistent": (0.40, 10),
    "arbetslagsanstallning": (0.20, 10),
    "stockholmsvard": (0.02, 48),
    "jobbstartsanstallning": (0.25, 6),
}
UNEMPLOYMENT = {
    "ungdomsanstallning": (0.15, 6),
    "basanstallning": (0.05, 24),
    "serviceassistent": (0.10, 14),
    "arbetslagsanstallning": (0.15, 9),
    "stockholmsvard": (0.03, 40),
    "jobbstartsanstallning": (0.15, 8),
}


@dataclass
class Person:
    """A participant and their placements, planned in memory before anything is saved."""

    participant: Participant
    placements: list[Placement] = field(default_factory=list)

    @property
    def last(self) -> Placement:
        return self.placements[-1]


def new_participant(
    rng: random.Random, job_type: JobType, start: datetime.date, taken: set[str]
) -> Participant:
    code = job_type.code
    low, high, mode = AGE_PROFILE.get(
        code, (job_type.min_age, job_type.max_age, (job_type.min_age + job_type.max_age) // 2)
    )
    age = min(max(int(rng.triangular(low, high + 1, mode)), job_type.min_age), job_type.max_age)
    # A birth date that makes the person exactly `age` on the start date.
    latest = start - relativedelta(years=age)
    earliest = start - relativedelta(years=age + 1) + datetime.timedelta(days=1)
    birth = earliest + datetime.timedelta(days=rng.randint(0, (latest - earliest).days))

    roll = rng.random()
    # A few describe their gender otherwise; they count under their legal gender.
    self_described = roll < GENDER_OTHER
    foreign_born = rng.random() < FOREIGN_BORN.get(code, 0.65)
    share_women = 0.5 if self_described else WOMEN.get(code, 0.45)
    female = (rng.random() if self_described else roll - GENDER_OTHER) < share_women
    gender = Gender.KVINNA if female else Gender.MAN
    international = rng.random() < (0.8 if foreign_born else 0.12)
    if female:
        first_names = FEMALE_INTERNATIONAL if international else FEMALE_SWEDISH
    else:
        first_names = MALE_INTERNATIONAL if international else MALE_SWEDISH
    last_names = LAST_INTERNATIONAL if international else LAST_SWEDISH
    coordination = foreign_born and rng.random() < COORDINATION_NUMBER_SHARE

    participant = Participant(
        first_name=rng.choice(first_names),
        last_name=rng.choice(last_names),
        gender_self_described=rng.choice(SELF_DESCRIBED) if self_described else "",
        enrolled_on=start - datetime.timedelta(days=rng.randint(14, 120)),
        foreign_born=foreign_born,
        education_level=rng.choices(
            [
                EducationLevel.PRIMARY,
                EducationLevel.SECONDARY,
                EducationLevel.TERTIARY,
                EducationLevel.UNKNOWN,
            ],
            EDUCATION.get(code, (45, 35, 10, 10)),
        )[0],
        months_social_assistance_before=_months_before(rng, SOCIAL_ASSISTANCE.get(code)),
        months_unemployed_before=_months_before(rng, UNEMPLOYMENT.get(code)),
        disability=_disability(rng, code),
    )
    participant.set_personnummer(
        Personnummer(_personnummer(rng, birth, gender, coordination, taken))
    )
    return participant


def _personnummer(
    rng: random.Random, birth: datetime.date, gender: str, coordination: bool, taken: set[str]
) -> str:
    day = birth.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    while True:
        # The serial's last digit records legal gender: even for women.
        if gender == Gender.KVINNA:
            sex_digit = rng.choice((0, 2, 4, 6, 8))
        else:
            sex_digit = rng.choice((1, 3, 5, 7, 9))
        serial = rng.randrange(1, 100) * 10 + sex_digit
        date_part = f"{birth:%m}{day:02d}"
        number = f"{birth:%Y}{date_part}{serial:03d}"
        number += str(luhn_check_digit(f"{birth:%y}{date_part}{serial:03d}"))
        if number not in taken:
            taken.add(number)
            return number


def _months_before(rng: random.Random, profile: tuple[float, int] | None) -> int | None:
    share_none, median = profile or (0.1, 12)
    roll = rng.random()
    if roll < 0.04:
        return None  # not recorded
    if roll < 0.04 + share_none:
        return 0
    return min(180, max(1, round(rng.lognormvariate(math.log(median), 0.6))))


def _disability(rng: random.Random, code: str) -> bool | None:
    if code == "serviceassistent":
        return True  # the job type is for people with a disability
    roll = rng.random()
    return None if roll < 0.55 else roll > 0.97
