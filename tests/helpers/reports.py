"""Helpers that the tests of the statistics (``reports``) and of the survey share.

Plain functions and factories, no fixtures: a test module imports what it
needs from here, never from another test module.
"""

import csv
import datetime
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from followup.models import Agreement, RegisterOutcome, SurveyResponse
from participants.models import Consent, District, LearningGoal, Study
from placements.models import Internship, JobType, Placement, PlacementTarget, WageSubsidyCase
from survey.importing import COLUMNS as PAPER_COLUMNS
from survey.models import SurveyInvitation, SurveyRound, hash_token
from tests.factories import (
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
)

D = datetime.date
# The random data set happened before these days (dates obey time).
LAST_START = D(2022, 12, 31)
LAST_END = D(2024, 6, 30)

# --- Outcomes: one placement at a time, and a random data set counted by hand -----------------

IN_T2_2020 = D(2019, 10, 15)
TOTAL_KEYS = [
    "ended",
    "followed_up",
    "work",
    "work_subsidised",
    "work_unsubsidised",
    "studies",
    "share_work_or_studies",
    "coverage",
]
NO_FOLLOW_UP = object()
BORN_1980 = D(1980, 6, 15)


def place(
    end: datetime.date | None = IN_T2_2020,
    outcome: object = NO_FOLLOW_UP,
    *,
    participant=None,
    start: datetime.date | None = None,
    gender: str = "kvinna",
    gender_self_described: str = "",
    birth: datetime.date = BORN_1980,
    job: str = "basanstallning",
    district: str | None = "bromma",
    setting: str = "ordinary",
    funding: str = "sdf",
) -> Placement:
    """One placement; ``outcome`` "" is an unregistered follow-up, NO_FOLLOW_UP none at all."""
    if participant is None:
        participant = ParticipantFactory(
            gender=gender,
            gender_self_described=gender_self_described,
            birth_date=birth,
            district=District.objects.get(code=district) if district else None,
        )
    if start is None:
        start = (end or D(2020, 1, 1)) - datetime.timedelta(days=200)
    placement = PlacementFactory(
        participant=participant,
        job_type=job_type(job),
        workplace=WorkplaceFactory(name=f"Arbetsplats {setting}", setting=setting),
        funding=funding,
        start_date=start,
        planned_end_date=None,
        end_date=end,
        end_reason="completed" if end else "",
    )
    if outcome is not NO_FOLLOW_UP:
        FollowUpFactory(
            placement=placement,
            outcome=outcome,
            performed_on=end + datetime.timedelta(days=92) if outcome else None,
        )
    return placement


def is_30_or_older(birth: datetime.date, day: datetime.date) -> bool:
    """The hand count: whole years, the birthday not yet reached counting one less."""
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    # The same rule said another way; relativedelta(day, birth).years would differ,
    # making someone born on 29 February 30 already on 28 February.
    assert (age >= 30) == (birth <= day - relativedelta(years=30))
    return age >= 30


# Legal genders: every figure's breakdown. A few people also describe their gender
# themselves ("annat" in an older system); that is in no figure.
GENDERS = ["kvinna", "man"]
JOB_CODES = [
    "ungdomsanstallning",
    "basanstallning",
    "serviceassistent",
    "arbetslagsanstallning",
    "stockholmsvard",
    "jobbstartsanstallning",
]
OUTCOME_CODES = [
    "arbete_osubventionerat",
    "arbete_subventionerat",
    "studier",
    "arbetssokande",
    "annan_insats",
    "sjukskriven",
    "foraldraledig",
    "ej_nadd",
]


def random_rows(seed: int, placements: int) -> list[dict]:
    """A data set as the rows of a CSV: one dict per placement, dates spread over 2017–2022."""
    rng = random.Random(seed)
    district_codes = [*District.objects.values_list("code", flat=True), None]
    rows: list[dict] = []
    serial = 0
    while len(rows) < placements:
        serial += 1
        if rng.random() < 0.05:
            birth = rng.choice([D(1988, 2, 29), D(1992, 2, 29), D(1996, 2, 29)])
        else:
            birth = D(1958, 1, 1) + datetime.timedelta(days=rng.randrange(16_000))
        person = {
            "person": serial,
            "gender": rng.choice(GENDERS),
            "self_described": "Annat" if rng.random() < 0.05 else "",
            "birth": birth,
            "district": rng.choice(district_codes),
        }
        start = D(2016, 6, 1) + datetime.timedelta(days=rng.randrange(2000))
        if rng.random() < 0.1:
            # Start on the 30th birthday, or the day before it, if that has come by then.
            thirtieth = (
                D(birth.year + 30, 3, 1) if birth.day == 29 else birth.replace(year=birth.year + 30)
            )
            if thirtieth <= LAST_START:
                start = thirtieth - datetime.timedelta(days=rng.choice([0, 1]))
        for _ in range(rng.choice([1, 1, 1, 2])):
            end = start + datetime.timedelta(days=rng.randrange(0, 400))
            # An end after the data set's last day has not happened: still ongoing.
            ongoing = rng.random() < 0.05 or end > LAST_END
            end = None if ongoing else end
            kind = rng.random()
            outcome = (
                None if ongoing or kind < 0.1 else "" if kind < 0.2 else rng.choice(OUTCOME_CODES)
            )
            rows.append(
                {
                    **person,
                    "start": start,
                    "end": end,
                    "job_type": rng.choice(JOB_CODES),
                    "setting": rng.choice(["ordinary", "adapted"]),
                    "funding": rng.choice(["sdf", "amf"]),
                    "outcome": outcome,
                }
            )
            if end is None:
                break
            start = end + datetime.timedelta(days=rng.randrange(1, 200))
    return rows[:placements]


def load(rows: list[dict]) -> None:
    participants = {}
    for row in rows:
        if row["person"] not in participants:
            participants[row["person"]] = ParticipantFactory(
                gender=row["gender"],
                gender_self_described=row["self_described"],
                birth_date=row["birth"],
                district=District.objects.get(code=row["district"]) if row["district"] else None,
            )
        place(
            row["end"],
            NO_FOLLOW_UP if row["outcome"] is None else row["outcome"],
            participant=participants[row["person"]],
            start=row["start"],
            job=row["job_type"],
            setting=row["setting"],
            funding=row["funding"],
        )


def hand_percent(numerator: int, denominator: int) -> float | None:
    if denominator == 0:
        return None
    exact = Decimal(numerator) * 100 / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def hand_count(rows: list[dict], start: datetime.date, end: datetime.date) -> dict:
    """The report counted the slow way: a loop over the rows."""
    active_job_types = list(
        JobType.objects.filter(active=True).order_by("sort_order").values_list("code", flat=True)
    )
    groups = {
        "gender": GENDERS,
        "job_type": active_job_types,
        "age_group": ["<30", "30+"],
        "district": [*District.objects.values_list("code", flat=True), "okand"],
        "setting": ["ordinary", "adapted"],
        "funding": ["sdf", "amf"],
    }
    empty = dict.fromkeys(TOTAL_KEYS[:6], 0)
    total = dict(empty)
    by = {dimension: {group: dict(empty) for group in names} for dimension, names in groups.items()}
    for row in rows:
        if row["end"] is None or not start <= row["end"] <= end:
            continue
        cells = [
            total,
            by["gender"][row["gender"]],
            by["age_group"]["30+" if is_30_or_older(row["birth"], row["start"]) else "<30"],
            by["district"][row["district"] or "okand"],
            by["setting"][row["setting"]],
            by["funding"][row["funding"]],
        ]
        if row["job_type"] in by["job_type"]:
            cells.append(by["job_type"][row["job_type"]])
        for cell in cells:
            cell["ended"] += 1
            if row["outcome"]:
                cell["followed_up"] += 1
            if row["outcome"] == "arbete_subventionerat":
                cell["work"] += 1
                cell["work_subsidised"] += 1
            if row["outcome"] == "arbete_osubventionerat":
                cell["work"] += 1
                cell["work_unsubsidised"] += 1
            if row["outcome"] == "studier":
                cell["studies"] += 1

    def finish(cell: dict) -> dict:
        return {
            **cell,
            "share_work_or_studies": hand_percent(
                cell["work"] + cell["studies"], cell["followed_up"]
            ),
            "coverage": hand_percent(cell["followed_up"], cell["ended"]),
        }

    return {
        "total": finish(total),
        **{
            f"by_{dimension}": {group: finish(cell) for group, cell in cells_.items()}
            for dimension, cells_ in by.items()
        },
    }


# --- The annual report: a data set counted by hand ---------------------------------------------

YEAR = 2023
COHORT = 2016  # register tables; 2014, 2017 and 2018 are its measurement years


def person(**attributes):
    return ParticipantFactory(**attributes)


def placement(code: str, start: D, end: D | None, **participant):
    who = participant.pop("participant", None) or person(**participant)
    return PlacementFactory(
        participant=who,
        job_type=job_type(code),
        start_date=start,
        planned_end_date=end or start + datetime.timedelta(days=365),
        end_date=end,
    )


def followed_up(code: str, start: D, end: D, outcome: str | None, **participant):
    """An ended placement with its follow-up: registered with ``outcome``, or open (None)."""
    ended = placement(code, start, end, **participant)
    if outcome is None:
        FollowUpFactory(placement=ended)
    else:
        FollowUpFactory(
            placement=ended, outcome=outcome, performed_on=end + datetime.timedelta(days=92)
        )
    return ended


def build_data_set() -> None:
    """The hand-counted data set of the annual report of YEAR (the comments in
    tests/reports/annual/test_tables.py refer to these names)."""
    bas, ung, svard, lag = (
        "basanstallning",
        "ungdomsanstallning",
        "stockholmsvard",
        "arbetslagsanstallning",
    )
    PlacementTarget.objects.create(job_type=job_type(ung), year=YEAR, places=10)
    PlacementTarget.objects.create(job_type=job_type(bas), year=YEAR, places=20)

    # Tables 2 and 3. A1-A7 end 2022-10-15: in the windows of T1-2023, T2-2023 and VB-2023.
    a_start, a_end = D(2022, 1, 10), D(2022, 10, 15)
    followed_up(bas, a_start, a_end, "arbete_osubventionerat", gender="kvinna")  # A1
    followed_up(bas, a_start, a_end, "arbete_subventionerat", gender="kvinna")  # A2
    followed_up(bas, a_start, a_end, "studier", gender="kvinna")  # A3
    followed_up(bas, a_start, a_end, "arbetssokande", gender="kvinna")  # A4
    followed_up(bas, a_start, a_end, "ej_nadd", gender="kvinna")  # A5
    followed_up(bas, a_start, a_end, "arbete_osubventionerat", gender="man")  # A6
    followed_up(bas, a_start, a_end, None, gender="man")  # A7: not followed up yet
    followed_up(bas, a_start, a_end, "arbete_osubventionerat", gender="man")  # A8
    followed_up(bas, a_start, a_end, "arbetssokande", gender="man")  # A9
    followed_up(bas, a_start, a_end, "studier", gender="man")  # A10
    followed_up(bas, a_start, a_end, "sjukskriven", gender="man")  # A11
    # B1, B2 end 2023-06-10: only in VB-2023's window (2022-09-01..2023-08-31).
    b_start, b_end = D(2022, 12, 1), D(2023, 6, 10)
    b1 = followed_up(ung, b_start, b_end, "studier", gender="man")
    # B2 describes their gender as "annat"; the figures count her legal gender.
    b2 = followed_up(
        bas,
        b_start,
        b_end,
        "arbete_osubventionerat",
        gender="kvinna",
        gender_self_described="Annat",
    )
    # C1 ends 2019-03-01: only in T1-2020's window (2019-01-01..2019-12-31).
    followed_up(bas, D(2018, 6, 1), D(2019, 3, 1), "arbete_subventionerat", gender="man")

    # Tables 1 and 4: placements started in 2023 (S1-S8, J1, J2), with the participants'
    # background.
    s1 = placement(
        ung,
        D(2023, 2, 1),
        None,
        gender="man",
        birth_date=D(2003, 6, 1),  # 19 at the start
        foreign_born=False,
        months_social_assistance_before=0,  # a known value
    )
    s2 = placement(
        ung,
        D(2023, 3, 1),
        D(2023, 9, 30),
        gender="kvinna",
        birth_date=D(2001, 9, 30),  # 21
        foreign_born=True,
        education_level="gymnasial",
        months_social_assistance_before=3,
        months_unemployed_before=4,
    )
    placement(
        bas,
        D(2023, 4, 1),
        None,
        gender="kvinna",
        birth_date=D(1980, 4, 1),  # S3: 43, a birthday on the start day counts
        foreign_born=True,
        education_level="forgymnasial",
        months_social_assistance_before=24,
        months_unemployed_before=30,
    )
    placement(
        bas,
        D(2023, 5, 1),
        D(2024, 4, 30),
        gender="man",
        birth_date=D(1990, 5, 2),  # S4: 32, turns 33 the day after the start
        foreign_born=False,
        education_level="gymnasial",
        months_social_assistance_before=10,
    )
    s5 = placement(
        svard,
        D(2023, 6, 1),
        D(2023, 12, 31),
        gender="man",
        birth_date=D(1970, 7, 1),  # 52
        foreign_born=False,
        education_level="forgymnasial",
        months_social_assistance_before=60,
        months_unemployed_before=48,
    )
    placement(
        bas,
        D(2023, 1, 15),
        None,
        gender="kvinna",
        birth_date=D(1975, 1, 15),  # S6: 48
        foreign_born=False,
        education_level="eftergymnasial",
        months_social_assistance_before=18,
        months_unemployed_before=12,
    )
    placement(
        bas,
        D(2023, 2, 15),
        None,
        gender="man",
        birth_date=D(1995, 12, 31),  # S7: 27
        foreign_born=True,
        education_level="okand",
        months_social_assistance_before=36,
        months_unemployed_before=6,
    )
    placement(
        bas,
        D(2023, 3, 15),
        None,
        gender="kvinna",
        birth_date=D(1985, 3, 16),  # S8: 37, turns 38 the day after the start
        foreign_born=True,
        education_level="forgymnasial",
        months_social_assistance_before=7,
        months_unemployed_before=20,
    )
    placement(
        "jobbstartsanstallning",
        D(2023, 8, 1),
        None,
        gender="kvinna",
        birth_date=D(2000, 8, 1),  # J1: 23
        foreign_born=False,
        education_level="gymnasial",
        months_social_assistance_before=5,
        months_unemployed_before=2,
    )
    placement(
        "jobbstartsanstallning",
        D(2023, 9, 1),
        D(2024, 2, 29),
        gender="man",
        birth_date=D(2004, 12, 1),  # J2: 18
        foreign_born=True,
        education_level="forgymnasial",
        months_social_assistance_before=12,
        months_unemployed_before=9,
    )
    placement(lag, D(2022, 6, 1), None)  # O1: started before 2023, still going
    e1 = placement(bas, D(2022, 11, 1), D(2023, 11, 30))  # E1, E2: end after VB-2023's window
    e2 = placement(bas, D(2022, 12, 1), D(2023, 12, 15))

    # Studies and internships during the placements ended 2023 (B1, B2, S2, S5, E1, E2).
    def study(who, start, end):
        Study.objects.create(
            participant=who, kind="sfi", start_date=start, end_date=end, extent_percent=25
        )

    study(b1.participant, D(2023, 1, 10), D(2023, 5, 31))  # during B1
    study(s2.participant, D(2023, 10, 1), None)  # starts the day after S2 ended
    study(e1.participant, D(2022, 9, 1), None)  # began before E1 and goes on: during it
    study(e2.participant, D(2022, 6, 1), D(2022, 11, 30))  # ended the day before E2 began

    def internship(who, start, end, linked=None):
        Internship.objects.create(
            participant=who, placement=linked, employer="Butiken", start_date=start, end_date=end
        )

    internship(b2.participant, D(2023, 2, 1), D(2023, 2, 14))  # during B2, not linked to it
    internship(s5.participant, D(2023, 7, 1), D(2023, 7, 20), linked=s5)
    internship(s5.participant, D(2023, 8, 1), D(2023, 8, 10), linked=s5)  # S5's second
    internship(s2.participant, D(2022, 12, 1), D(2022, 12, 10))  # before S2, started 2022
    internship(s1.participant, D(2024, 1, 5), D(2024, 1, 10))  # starts 2024

    goals = [
        ("reached", D(2023, 3, 1)),
        ("reached", D(2023, 6, 30)),
        ("not_reached", D(2023, 12, 31)),
        ("in_progress", D(2023, 9, 1)),
        ("planned", D(2023, 1, 1)),
        ("reached", D(2022, 12, 31)),  # due 2022
        ("reached", None),  # no target date
    ]
    for status, target in goals:
        LearningGoal.objects.create(
            participant=s1.participant,
            description="Mål",
            target_industry="Vård",
            target_date=target,
            status=status,
        )

    # Wage subsidies: (applied, days to the decision); decided ones grouped by decision year.
    cases = [
        (D(2019, 12, 1), 30),  # decided 2019-12-31: before the four years
        (D(2021, 3, 1), 10),  # 2021: three cases, a small cell
        (D(2021, 4, 1), 20),
        (D(2021, 5, 1), 30),
        (D(2022, 2, 1), 5),  # 2022: 5, 10, 20, 40, 100
        (D(2022, 3, 1), 10),
        (D(2021, 12, 20), 20),  # applied 2021, decided 2022-01-09: counts in 2022
        (D(2022, 5, 1), 40),
        (D(2022, 6, 1), 100),
        (D(2023, 1, 2), 1),  # 2023: 1, 2, 3, 4, 5, 100
        (D(2023, 2, 1), 2),
        (D(2023, 3, 1), 3),
        (D(2023, 4, 3), 4),
        (D(2023, 5, 2), 5),
        (D(2023, 6, 1), 100),
        (D(2023, 12, 20), 14),  # decided 2024-01-03: after the four years
    ]
    for applied, days in cases:
        WageSubsidyCase.objects.create(
            participant=s1.participant,
            applied_on=applied,
            decided_on=applied + datetime.timedelta(days=days),
            outcome="granted",
        )
    WageSubsidyCase.objects.create(participant=s1.participant, applied_on=D(2023, 11, 1))
    WageSubsidyCase.objects.create(
        participant=s1.participant, applied_on=D(2023, 3, 1), outcome="withdrawn"
    )

    # Register follow-up: placements ended 2016, main income source 2014, 2017 and 2018.
    def cohort_member(birth, start, end, *, consent, incomes, second=None):
        who = person(birth_date=birth)
        placement(bas, start, end, participant=who)
        if second:
            placement(bas, *second, participant=who)
        for given, decided in consent:
            Consent.objects.create(participant=who, flow="scb", given=given, decided_on=decided)
        # The district flow is another consent: it never lets anyone into these tables.
        Consent.objects.create(participant=who, flow="district", given=True, decided_on=start)
        for year, source in incomes.items():
            RegisterOutcome.objects.create(participant=who, year=year, income_source=source)

    given = [(True, D(2016, 1, 10))]
    eb, fa, st = "ekonomiskt_bistand", "forvarvsarbete", "studier"
    # Under 30 on the start day: R1-R7 and R11.
    cohort_member(
        D(1991, 1, 1),
        D(2015, 6, 1),
        D(2016, 5, 31),
        consent=given,
        incomes={2014: eb, 2015: "ovrigt", 2017: fa, 2018: fa},  # R1 (2015 is not measured)
    )
    cohort_member(
        D(1992, 2, 1),
        D(2015, 9, 1),
        D(2016, 8, 31),
        consent=given,
        incomes={2014: st, 2017: fa, 2018: st},
    )  # R2
    cohort_member(
        D(1994, 3, 1), D(2015, 10, 1), D(2016, 9, 30), consent=given, incomes={2014: eb, 2017: eb}
    )  # R3: no register row for 2018
    cohort_member(
        D(1993, 4, 1),
        D(2015, 11, 1),
        D(2016, 10, 31),
        consent=given,
        incomes={2014: "arbetsloshet", 2017: fa, 2018: fa},
    )  # R4
    cohort_member(
        D(1995, 5, 1),
        D(2016, 1, 1),
        D(2016, 3, 31),
        second=(D(2016, 5, 1), D(2016, 12, 31)),
        consent=given,
        incomes={2014: st, 2017: st, 2018: fa},
    )  # R5: two placements ended 2016, one person
    cohort_member(
        D(1994, 6, 1), D(2015, 8, 1), D(2016, 4, 30), consent=[], incomes={2014: eb}
    )  # R6: never asked
    cohort_member(
        D(1993, 7, 1),
        D(2015, 8, 1),
        D(2016, 6, 30),
        consent=[(True, D(2016, 1, 10)), (False, D(2018, 5, 1))],
        incomes={2017: fa},
    )  # R7: withdrew
    cohort_member(
        D(1986, 6, 15),
        D(2016, 6, 14),
        D(2016, 12, 15),
        consent=given,
        incomes={2014: fa, 2017: fa, 2018: fa},
    )  # R11: 29 at the start, 30 at the end: under 30
    # 30 and over: R8-R10.
    cohort_member(
        D(1966, 1, 1),
        D(2015, 3, 1),
        D(2016, 2, 28),
        consent=given,
        incomes={2014: eb, 2017: eb, 2018: fa},
    )  # R8
    cohort_member(
        D(1976, 1, 1), D(2015, 4, 1), D(2016, 3, 31), consent=given, incomes={2014: eb, 2017: fa}
    )  # R9
    cohort_member(
        D(1970, 5, 5), D(2015, 5, 1), D(2016, 4, 30), consent=[(False, D(2016, 1, 10))], incomes={}
    )  # R10: refused
    cohort_member(
        D(1960, 1, 1), D(2015, 2, 1), D(2016, 1, 31), consent=given, incomes={2014: eb, 2017: fa}
    )  # R12
    cohort_member(
        D(1962, 2, 2), D(2015, 3, 1), D(2016, 2, 29), consent=given, incomes={2014: fa, 2017: eb}
    )  # R13
    cohort_member(
        D(1975, 3, 3),
        D(2015, 4, 1),
        D(2016, 3, 31),
        consent=given,
        incomes={2014: eb, 2017: fa, 2018: fa},
    )  # R14

    # The survey: two rounds opened in 2023, one in 2022 (not in the report).
    def survey_round(name, opens, invited):
        survey = SurveyRound.objects.create(
            name=name, opens_on=opens, closes_on=opens + datetime.timedelta(days=20)
        )
        for _ in range(invited):
            SurveyInvitation.objects.create(survey_round=survey, participant=person())
        return survey

    march, september = (
        survey_round("Mars 2023", D(2023, 3, 1), 3),
        survey_round("September 2023", D(2023, 9, 1), 12),
    )
    last_year = survey_round("September 2022", D(2022, 9, 1), 1)
    bra, gbra, gdaligt, daligt, vet = (
        "stammer_bra",
        "stammer_ganska_bra",
        "stammer_ganska_daligt",
        "stammer_daligt",
        "vet_ej",
    )
    # round, staff_support, feel_better, studied, more_interested_in_studies, better_job_chances
    answers = [
        (march, bra, vet, True, bra, daligt),  # r1
        (march, gbra, bra, False, daligt, bra),  # r2
        (september, gdaligt, bra, True, gbra, bra),  # r3
        (september, bra, gbra, True, bra, gbra),  # r4
        (september, vet, "", False, vet, gdaligt),  # r5
        (september, bra, daligt, False, bra, bra),  # r6
        (september, daligt, bra, True, gbra, vet),  # r7
        (september, "", "", True, daligt, bra),  # r8
        (september, "", "", False, bra, vet),  # r9
        (september, "", "", False, bra, vet),  # r10
        (september, "", "", None, "", ""),  # r11: answered nothing of these
        (last_year, bra, bra, True, bra, bra),
    ]
    for survey, support, better, studied, interested, chances in answers:
        SurveyResponse.objects.create(
            survey_round=survey,
            staff_support=support,
            feel_better=better,
            studied_during_placement=studied,
            more_interested_in_studies=interested,
            better_job_chances=chances,
        )


# --- Survey rounds, invitations and answers --------------------------------------------------


class SurveyPlacementFactory(PlacementFactory):
    """A placement with no planned end: the tests' dates lie after the default one."""

    planned_end_date = None


def make_round(name: str = "September 2026", *, open_today: bool = True, **fields) -> SurveyRound:
    today = timezone.localdate()
    if open_today:
        fields.setdefault("opens_on", today - datetime.timedelta(days=3))
        fields.setdefault("closes_on", today + datetime.timedelta(days=20))
    return SurveyRound.objects.create(name=name, **fields)


def make_invitation(survey_round: SurveyRound, participant, *, token: str | None = None, **fields):
    """An invitation; with ``token``, its link is printed and that token opens it."""
    if token is not None:
        fields["token_hash"] = hash_token(token)
        fields.setdefault("link_made_at", timezone.now())
    fields.setdefault("job_type", job_type())
    return SurveyInvitation.objects.create(
        survey_round=survey_round, participant=participant, **fields
    )


def make_response(survey_round: SurveyRound, **answers) -> SurveyResponse:
    return SurveyResponse.objects.create(survey_round=survey_round, **answers)


def make_answered_round() -> SurveyRound:
    """A round of seven answers to "staff_listen": six who studied (four agree), one who did not."""
    survey_round = make_round("Resultatrunda")
    for answer in [Agreement.AGREE] * 4 + [Agreement.DISAGREE] * 2:
        make_response(survey_round, staff_listen=answer, studied_during_placement=True)
    make_response(survey_round, staff_listen=Agreement.AGREE, studied_during_placement=False)
    return survey_round


# --- Paper answers -----------------------------------------------------------------------------


def write_paper_answers(
    tmp_path: Path, rows: list[dict[str, str]], *, columns=PAPER_COLUMNS, delimiter=","
) -> Path:
    """A CSV file of paper answers (``import_survey_responses``): one row per form."""
    path = tmp_path / "paper.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(column, "") for column in columns])
    return path


def paper_form(**cells: str) -> dict[str, str]:
    """One paper form's answers, as a row of ``write_paper_answers``."""
    return {"feel_better": "stammer_bra", "studied": "ja", **cells}
