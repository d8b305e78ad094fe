"""The annual report's tables, every cell checked against a count made by hand.

The data set below is small enough to count on paper. Each table's expected
rows are literals, with a comment on how they were counted; none is computed
by the code under test. The report year is 2023: tables 2 and 3 show T1, T2
and VB of 2020–2023, tables 1, 4 and the support tables the year 2023, and
the register tables a cohort chosen so that its placements (ended 2016) fall
in no other table.
"""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.models import RegisterOutcome, SurveyResponse
from participants.models import Consent, LearningGoal, Study
from placements.models import Internship, JobType, PlacementTarget, WageSubsidyCase
from reports.annual import (
    characteristics_table,
    compute_tables,
    default_cohort_year,
    default_year,
    percentile_cont,
    percentiles_from_values,
    percentiles_in_database,
    years_with_data,
)
from reports.outcomes import outcome_report
from reports.periods import parse_period
from survey.models import SurveyInvitation, SurveyRound
from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory, job_type
from tests.reports.test_outcomes import load, random_rows

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2023
COHORT = 2016  # register tables; 2014, 2017 and 2018 are its measurement years
H = "<5"  # a suppressed count, with the default threshold of 5


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
    """The hand-counted data set (the comments in the tests below refer to these names)."""
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
    b2 = followed_up(bas, b_start, b_end, "arbete_osubventionerat", gender="annat")
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


@pytest.fixture
def tables():
    build_data_set()
    return {table.slug: table for table in compute_tables(YEAR, cohort_year=COHORT)}


def test_the_report_has_the_tables_of_the_city_report_in_its_order(tables):
    assert [(t.slug, t.sheet) for t in tables.values()] == [
        ("tabell-1", "Tabell 1"),
        ("tabell-2", "Tabell 2"),
        ("tabell-3", "Tabell 3"),
        ("tabell-4", "Tabell 4"),
        ("tabell-6", "Tabell 6"),
        ("tabell-7", "Tabell 7"),
        ("tabell-8", "Tabell 8"),
        ("enkat", "Enkät"),
        ("studier-och-praktik", "Studier och praktik"),
        ("lonesubvention", "Lönesubvention"),
    ]
    for table in tables.values():
        assert len(table.header) == len(table.formats)
        assert all(len(row) == len(table.header) for row in table.rows)
        if table.sheet.startswith("Tabell"):
            assert table.title.startswith(f"{table.sheet} ")


def test_table_1_counts_places_per_job_type_grouped_by_setting(tables):
    ordinary = "Stockholmsjobb inom stadens ordinarie verksamheter"
    adapted = "Stockholmsjobb med särskilt anpassade arbetsplatser"
    texts = {
        jt.name: (jt.target_group, length)
        for jt, length in zip(
            JobType.objects.order_by("sort_order"),
            ["6–12 mån", "12 mån", "1–24 mån", "6–12 mån", "10 mån, kan förlängas", "6 mån"],
            strict=True,
        )
    }

    def row(setting, name, *figures):
        return [setting, name, *texts[name], *figures]

    # target, started 2023, active on 2023-12-31, ended 2023
    assert tables["tabell-1"].rows == [
        # targets made for 2023; started S1, S2; active S1; ended B1, S2
        row(ordinary, "Ungdomsanställning", 10, 2, 1, 2),
        # started S3, S4, S6, S7, S8, all active (S4 ends 2024); ended B2, E1, E2
        row(ordinary, "Basanställning", 20, 5, 5, 3),
        row(ordinary, "Serviceassistent", None, 0, 0, 0),
        [ordinary, "Summa", "", "", 30, 7, 6, 5],
        row(adapted, "Arbetslagsanställning", None, 0, 1, 0),  # O1, started 2022
        # S5 ends on 31 December: active that day, and ended in the year
        row(adapted, "Stockholmsvärd", None, 1, 1, 1),
        # J1 goes on, J2 ends 2024: both started and active
        row(adapted, "Jobbstartsanställning", None, 2, 2, 0),
        [adapted, "Summa", "", "", None, 3, 4, 1],
        ["Samtliga", "Totalt", "", "", 30, 10, 10, 6],
    ]


ZERO_PERIOD = [0, 0, None, 0, None, 0, None, 0, None, 0, None]
# T1-2020 holds C1 alone (1 ended, 1 followed up): a small cell.
C1_ALONE = [H, H, None, H, None, H, None, H, None, H, None]
# A1-A11: 11 ended, 10 followed up (A7 is not); unsubsidised A1, A6, A8; subsidised A2;
# studies A3, A10.
A_ONLY = [11, 10, 90.9, 3, 30.0, 1, 10.0, 2, 20.0, 6, 60.0]
# A1-A11, B1, B2: 13 ended, 12 followed up; unsubsidised + B2; studies + B1.
A_AND_B = [13, 12, 92.3, 4, 33.3, 1, 8.3, 3, 25.0, 8, 66.7]
WINDOWS = {
    "T1-2020": "2019-01-01 – 2019-12-31",
    "T2-2020": "2019-05-01 – 2020-04-30",
    "VB-2020": "2019-09-01 – 2020-08-31",
    "T1-2021": "2020-01-01 – 2020-12-31",
    "T2-2021": "2020-05-01 – 2021-04-30",
    "VB-2021": "2020-09-01 – 2021-08-31",
    "T1-2022": "2021-01-01 – 2021-12-31",
    "T2-2022": "2021-05-01 – 2022-04-30",
    "VB-2022": "2021-09-01 – 2022-08-31",
    "T1-2023": "2022-01-01 – 2022-12-31",
    "T2-2023": "2022-05-01 – 2023-04-30",
    "VB-2023": "2022-09-01 – 2023-08-31",
}


def _with_windows(figures: dict[str, list]) -> list[list]:
    return [[label, WINDOWS[label], *figures.get(label, ZERO_PERIOD)] for label in WINDOWS]


def test_table_2_shows_each_period_of_four_years_with_its_counts(tables):
    assert tables["tabell-2"].rows == _with_windows(
        {"T1-2020": C1_ALONE, "T1-2023": A_ONLY, "T2-2023": A_ONLY, "VB-2023": A_AND_B}
    )


def test_table_3_shows_women_and_men_with_small_and_revealing_cells_suppressed(tables):
    hidden = [H, H, None, H, None, H, None, H, None, H, None]
    # Women: A1-A5 in T1/T2-2023: 5 ended, 5 followed up, one of each outcome.
    women = [5, 5, 100.0, 1, 20.0, 1, 20.0, 1, 20.0, 3, 60.0]
    # Men: A6-A11 in T1/T2-2023: 6 ended, 5 followed up; unsubsidised A6, A8; studies A10.
    men = [6, 5, 83.3, 2, 40.0, 0, 0.0, 1, 20.0, 3, 60.0]
    # VB-2023 adds B1 (studies) to the men: 7 ended, 6 followed up.
    men_vb = [7, 6, 85.7, 2, 33.3, 0, 0.0, 2, 33.3, 4, 66.7]
    expected = [
        # VB-2023: the total (table 2) minus women and men would be B2 alone, of gender
        # "annat": the women's 5, the smaller part, are hidden as well (secondary).
        ["Kvinnor", *row]
        for row in _with_windows({"T1-2023": women, "T2-2023": women, "VB-2023": hidden})
    ] + [
        # T1-2020: C1 alone, a small cell.
        ["Män", *row]
        for row in _with_windows(
            {"T1-2020": hidden, "T1-2023": men, "T2-2023": men, "VB-2023": men_vb}
        )
    ]
    assert tables["tabell-3"].rows == expected


def test_tables_2_and_3_agree_with_the_outcome_report_of_each_period(tables):
    rows = {row[0]: row for row in tables["tabell-2"].rows}
    women = {row[1]: row for row in tables["tabell-3"].rows if row[0] == "Kvinnor"}
    men = {row[1]: row for row in tables["tabell-3"].rows if row[0] == "Män"}
    for label in ("T1-2023", "VB-2023"):
        report = outcome_report(parse_period(label))
        total = report["total"]
        assert rows[label][2:6] == [
            total["ended"],
            total["followed_up"],
            total["coverage"],
            total["work_unsubsidised"],
        ]
        assert rows[label][-1] == total["share_work_or_studies"]
        assert men[label][-1] == report["by_gender"]["man"]["share_work_or_studies"]
    t1 = outcome_report(parse_period("T1-2023"))["by_gender"]["kvinna"]
    assert women["T1-2023"][-1] == t1["share_work_or_studies"]


def test_table_4_describes_who_started_per_job_type(tables):
    zero = [0, None, 0, None, 0, 0, None, 0, 0, None, 0, None, 0, None, 0, None, 0, None]
    # Basanställning stays shown: beside "Samtliga", the hidden job types add up to at
    # least 5 in each count it shows (started 2 + 1 + 2; country of birth 2 + 1 + 2;
    # social assistance known 2 + 1 + 2).
    # Started, age, women, birth country, education (three levels), the two medians.
    all_small = [H, None, H, None, H, H, None, H, H, None, H, None, H, None, H, None, H, None]
    assert tables["tabell-4"].rows == [
        # S1, S2: two placements, every figure suppressed.
        ["Ungdomsanställning", *all_small],
        [
            "Basanställning",
            5,  # S3, S4, S6, S7, S8
            37.4,  # (43 + 32 + 48 + 27 + 37) / 5
            3,  # women S3, S6, S8
            60.0,
            5,  # country of birth known for all five
            3,  # born abroad S3, S7, S8
            60.0,
            H,  # education known for 4 (S7 "okand"): suppressed with its levels
            H,
            None,
            H,
            None,
            H,
            None,
            5,  # months of social assistance: 7, 10, 18, 24, 36
            18.0,
            H,  # months unemployed known for 4 (S4 none): suppressed
            None,
        ],
        ["Serviceassistent", *zero],
        ["Arbetslagsanställning", *zero],
        # S5 alone.
        ["Stockholmsvärd", *all_small],
        # J1, J2.
        ["Jobbstartsanställning", *all_small],
        [
            "Samtliga",
            10,  # S1-S8, J1, J2
            32.0,  # (187 + 19 + 21 + 52 + 23 + 18) / 10
            5,  # S2, S3, S6, S8, J1
            50.0,
            10,  # all
            5,  # S2, S3, S7, S8, J2
            50.0,
            8,  # all but S1, S7
            4,  # compulsory: S3, S5, S8, J2
            50.0,
            3,  # upper secondary: S2, S4, J1
            37.5,
            1,  # post-secondary: S6
            12.5,
            10,  # social assistance: 0, 3, 5, 7, 10, 12, 18, 24, 36, 60 → (10 + 12) / 2
            11.0,
            8,  # unemployed: 2, 4, 6, 9, 12, 20, 30, 48 → (9 + 12) / 2
            10.5,
        ],
    ]


# 2018, two years after: under 30 five with a row (R3 has none), 30 and over two (R8, R14):
# a small cell, and "Samtliga" (7) minus the under-30s would give it: both age groups hidden.
HIDDEN_YEAR = [H, H, H, None]


def _register_rows(counts: dict) -> list[list]:
    """The rows of one register table: cohort columns, then per year (rows, missing, n, %)."""
    under_30, over_30, everyone = counts["<30"], counts["30+"], counts["all"]
    H = "<5"
    return [
        # Under 30: R1-R7 and R11 (R5 once); R6 never asked, R7 withdrew. Six with consent,
        # all with a row for 2014 and 2017.
        # The two without consent are hidden, and with them the eight (8 − 6 = 2).
        ["Under 30 år", H, H, 6, 6, 0, *under_30[0], 6, 0, *under_30[1], *HIDDEN_YEAR],
        # 30 and over: R8-R10, R12-R14; R10 refused. Five with consent, each with a row for
        # 2014 and 2017. The one without consent hidden, and the six with them.
        ["30 år och äldre", H, H, 5, 5, 0, *over_30[0], 5, 0, *over_30[1], *HIDDEN_YEAR],
        # All eleven with consent have rows for 2014 and 2017; for 2018 seven, four have none.
        # The three without consent would be the sum of the two hidden cells: hidden too.
        ["Samtliga", H, H, 11, 11, 0, *everyone[0], 11, 0, *everyone[1], 7, 4, *everyone[2]],
    ]


def test_table_6_social_assistance_as_main_income_source(tables):
    # Under 30: 2014 eb R1, R3; 2017 eb R3. 30+: 2014 eb R8, R9, R12, R14; 2017 eb R8, R13.
    # All: 2014 6 of 11, 2017 3 of 11, 2018 none of 7.
    assert tables["tabell-6"].rows == _register_rows(
        {
            "<30": [[2, 33.3], [1, 16.7]],
            "30+": [[4, 80.0], [2, 40.0]],
            "all": [[6, 54.5], [3, 27.3], [0, 0.0]],
        }
    )


def test_table_7_earned_income_as_main_income_source(tables):
    # Under 30: 2014 fa R11; 2017 fa R1, R2, R4, R11. 30+: 2014 fa R13; 2017 fa R9, R12, R14.
    # All: 2014 2 of 11; 2017 7 of 11; 2018 R1, R4, R5, R11, R8, R14: 6 of 7.
    assert tables["tabell-7"].rows == _register_rows(
        {
            "<30": [[1, 16.7], [4, 66.7]],
            "30+": [[1, 20.0], [3, 60.0]],
            "all": [[2, 18.2], [7, 63.6], [6, 85.7]],
        }
    )


def test_table_8_studies_as_main_income_source(tables):
    # Under 30: 2014 st R2, R5; 2017 st R5; 2018 st R2. The 30+ have no studies.
    assert tables["tabell-8"].rows == _register_rows(
        {
            "<30": [[2, 33.3], [1, 16.7]],
            "30+": [[0, 0.0], [0, 0.0]],
            "all": [[2, 18.2], [1, 9.1], [1, 14.3]],
        }
    )


def test_register_tables_say_how_many_were_left_out_and_draw_a_chart(tables):
    table = tables["tabell-6"]
    assert table.header[1:4] == [
        "Avslutade 2016 (personer)",
        "Utan samtycke till SCB-uppföljning (ej med)",
        "Med samtycke",
    ]
    assert [h for h in table.header if h.endswith("saknar registeruppgift")] == [
        "2 år före (2014): saknar registeruppgift",
        "1 år efter (2017): saknar registeruppgift",
        "2 år efter (2018): saknar registeruppgift",
    ]
    (chart,) = table.charts
    assert [table.header[column] for _name, column, _first, _last in chart.series] == [
        "2 år före (2014): ekonomiskt bistånd %",
        "1 år efter (2017): ekonomiskt bistånd %",
        "2 år efter (2018): ekonomiskt bistånd %",
    ]


def test_the_survey_sheet_shows_the_years_rounds(tables):
    assert tables["enkat"].rows == [
        # Mars 2023: 2 responses of 3 invited, a small cell.
        ["Svarsfrekvens, Mars 2023", H, H, None],
        # September 2023: r3-r11 of 12 invited.
        ["Svarsfrekvens, September 2023", 9, 12, 75.0],
        # Answered by r1-r7 ("vet ej" included); agree: r1, r2, r4, r6.
        ["Personalen ger mig det stöd jag behöver på arbetsplatsen", 4, 7, 57.1],
        ["Det är lätt att få kontakt med personalen", 0, 0, None],
        ["Personalen vill veta hur det går för mig", 0, 0, None],
        ["Personalen lyssnar på mig", 0, 0, None],
        # Answered by r1-r4, r6, r7; agree: r2, r3, r4, r7.
        ["Jag mår bättre", 4, 6, 66.7],
        ["Jag vet vad jag behöver göra för att få jobb", 0, 0, None],
        # Answered by r1-r10; agree: r2, r3, r4, r6, r8.
        ["Jag har större chans att få jobb nu", 5, 10, 50.0],
        # Answered by r1-r10; agree: r1, r3, r4, r6, r7, r9, r10.
        ["Jag har blivit mer intresserad av att studera", 7, 10, 70.0],
        # Yes: r1, r3, r4, r7, r8; no: r2, r5, r6, r9, r10.
        ["Har studerat under anställningen", 5, 10, 50.0],
        ["Jag har blivit mer intresserad av att studera (har studerat)", 4, 5, 80.0],
        ["Jag har blivit mer intresserad av att studera (har inte studerat)", 3, 5, 60.0],
        ["Jag har större chans att få jobb nu (har studerat)", 3, 5, 60.0],
        ["Jag har större chans att få jobb nu (har inte studerat)", 2, 5, 40.0],
    ]


def test_studies_internships_and_learning_goals(tables):
    assert tables["studier-och-praktik"].rows == [
        # Ended 2023: B1, B2, S2, S5, E1, E2. Studies during B1 and E1.
        ["Avslutade Stockholmsjobb med studier under anställningen", 2, 6, 33.3],
        # Internship during B2 (not linked) and S5 (two).
        ["Avslutade Stockholmsjobb med minst en praktik", 2, 6, 33.3],
        # Started 2023: B2's, S5's two.
        ["Praktikperioder som påbörjats under året", 3, None, None],
        # Due 2023: five goals, two reached.
        ["Lärandemål med måldatum under året som nåtts", 2, 5, 40.0],
    ]


def test_wage_subsidy_processing_time_per_decision_year(tables):
    assert tables["lonesubvention"].rows == [
        ["2020", 0, None, None],
        ["2021", H, None, None],  # three decisions: a small cell
        # 5, 10, 20, 40, 100: median 20; 90th: position 3.6 → 40 + 0.6 × 60 = 76
        ["2022", 5, 20.0, 76.0],
        # 1, 2, 3, 4, 5, 100: median (3 + 4) / 2; 90th: position 4.5 → 5 + 0.5 × 95 = 52.5
        ["2023", 6, 3.5, 52.5],
    ]


def test_a_job_type_that_samtliga_would_give_away_is_hidden_too():
    for day in range(1, 6):
        placement("basanstallning", D(2023, 3, day), None, foreign_born=True)
    for day in range(1, 3):
        placement("ungdomsanstallning", D(2023, 3, day), None, foreign_born=False)

    rows = {row[0]: row for row in characteristics_table(YEAR).rows}

    # Samtliga 7 minus Basanställning's 5 would be the two hidden Ungdomsanställningar.
    assert rows["Ungdomsanställning"][1] == H
    assert rows["Basanställning"][1:8] == [H, None, H, None, H, H, None]
    assert rows["Samtliga"][1] == 7
    assert rows["Samtliga"][5:8] == [7, 5, 71.4]


def test_a_smaller_threshold_shows_the_small_cells(settings):
    build_data_set()
    settings.SMALL_CELL_THRESHOLD = 1
    table = {t.slug: t for t in compute_tables(YEAR, cohort_year=COHORT)}["tabell-2"]

    # No denominator is below 1: C1 alone in T1-2020 is shown: 1 ended, 1 followed up, subsidised.
    assert table.rows[0][2:] == [1, 1, 100.0, 0, 0.0, 1, 100.0, 0, 0.0, 1, 100.0]


# --- Helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.9, 7.0),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([5, 10, 20, 40, 100], 0.9, 76.0),
        ([0, 10], 0.25, 2.5),
    ],
)
def test_percentile_cont_interpolates_between_the_nearest_values(values, fraction, expected):
    result = percentile_cont(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


def test_percentiles_from_postgresql_and_from_the_values_are_the_same(postgres):
    load(random_rows(seed=2023, placements=150))
    rng = random.Random(5)
    for who in ParticipantFactory._meta.model.objects.all():
        who.months_social_assistance_before = rng.choice([None, *range(0, 80)])
        who.save(update_fields=["months_social_assistance_before"])
    placements = PlacementFactory._meta.model.objects.all()
    arguments = {
        "values": {"months": "participant__months_social_assistance_before"},
        "fractions": (0.1, 0.25, 0.5, 0.9, 0.99),
    }

    for group in (None, "job_type"):
        in_database = percentiles_in_database(placements, group=group, **arguments)
        from_values = percentiles_from_values(placements, group=group, **arguments)
        assert in_database == from_values
        assert sum(figures["months"][0] for figures in in_database.values()) > 50


def test_subsidy_percentiles_from_postgresql_and_from_the_values_are_the_same(postgres):
    from django.db.models.functions import ExtractYear

    from reports.annual import DaysBetween

    build_data_set()
    decided = WageSubsidyCase.objects.filter(decided_on__isnull=False)
    arguments = {
        "values": {"days": DaysBetween("applied_on", "decided_on")},
        "fractions": (0.5, 0.9),
        "group": ExtractYear("decided_on"),
    }

    in_database = percentiles_in_database(decided, **arguments)

    assert in_database == percentiles_from_values(decided, **arguments)
    assert in_database[2023]["days"] == (6, [3.5, 52.5])


def test_the_number_of_queries_does_not_depend_on_the_data_size():
    build_data_set()
    with CaptureQueriesContext(connection) as small:
        compute_tables(YEAR, cohort_year=COHORT)
    load(random_rows(seed=7, placements=200))
    with CaptureQueriesContext(connection) as larger:
        compute_tables(YEAR, cohort_year=COHORT)

    assert len(small.captured_queries) == len(larger.captured_queries) <= 25


def test_the_register_cohort_defaults_to_four_years_before_the_report_year():
    # SCB's registers run two years behind: early in 2024, 2021 is the newest,
    # the "+2" year of the placements ended in 2019.
    assert default_cohort_year(2023) == 2019


def test_the_years_to_choose_run_from_the_first_placement_to_the_last_date():
    assert years_with_data() == []
    placement("basanstallning", D(2019, 5, 1), D(2021, 2, 1))
    placement("basanstallning", D(2020, 5, 1), None)

    assert years_with_data() == [2019, 2020, 2021]
    assert default_year([2019, 2020, 2021], today=D(2021, 6, 1)) == 2020
    assert default_year([2019, 2020, 2021], today=D(2030, 6, 1)) == 2021
