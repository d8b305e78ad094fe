import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.numbers import percent
from participants.models import District
from placements.models import JobType, Placement
from reports.outcomes import (
    GROUP_KEYS,
    OutcomeCounts,
    outcome_report,
    outcome_reports,
    placements_ended_in,
    suppress,
    suppress_report,
)
from reports.periods import custom_period, parse_period
from tests.helpers.reports import (
    NO_FOLLOW_UP,
    TOTAL_KEYS,
    hand_count,
    is_30_or_older,
    load,
    place,
    random_rows,
)

KINDS = ("T1", "T2", "VB")

pytestmark = pytest.mark.django_db

D = datetime.date
T2_2020 = parse_period("T2-2020")  # 2019-05-01..2020-04-30


def counts(**values: int) -> dict:
    return OutcomeCounts(**values).as_dict()


# --- percentages -------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 8, "12.5"),
        (2, 3, "66.7"),
        (1, 6, "16.7"),
        (5, 16, "31.3"),
        (1, 16, "6.3"),
        (1, 3, "33.3"),
        (0, 7, "0.0"),
        (7, 7, "100.0"),
        (1, 2000, "0.1"),
        (1, 2001, "0.0"),
    ],
)
def test_percentages_round_half_away_from_zero(numerator, denominator, expected):
    assert percent(numerator, denominator) == Decimal(expected)
    assert str(percent(numerator, denominator)) == expected


def test_a_percentage_over_zero_is_null():
    assert percent(0, 0) is None
    assert OutcomeCounts().share_work_or_studies is None
    assert OutcomeCounts().coverage is None


def test_percentages_agree_with_decimal_rounding_of_the_exact_fraction():
    for denominator in range(1, 120):
        for numerator in range(denominator + 1):
            exact = Decimal(numerator) * 100 / Decimal(denominator)
            expected = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            assert percent(numerator, denominator) == expected, (numerator, denominator)


def test_as_dict_has_the_contract_keys_in_order_and_numbers_for_percentages():
    cell = OutcomeCounts(ended=8, followed_up=8, work=1, work_subsidised=1).as_dict()
    assert list(cell) == TOTAL_KEYS
    assert cell["share_work_or_studies"] == 12.5
    assert isinstance(cell["share_work_or_studies"], float)
    assert cell["coverage"] == 100.0
    assert OutcomeCounts.from_dict(cell) == OutcomeCounts(
        ended=8, followed_up=8, work=1, work_subsidised=1
    )


# --- totals --------------------------------------------------------------------


def test_window_includes_its_first_and_last_day_and_nothing_outside():
    place(D(2019, 4, 30), "studier")  # the day before
    place(D(2019, 5, 1), "studier")  # first day
    place(D(2020, 4, 30), "studier")  # last day
    place(D(2020, 5, 1), "studier")  # the day after
    place(None, start=D(2019, 6, 1))  # still going

    assert placements_ended_in(T2_2020).count() == 2
    assert outcome_report(T2_2020)["total"] == counts(ended=2, followed_up=2, studies=2)
    assert outcome_report(T2_2020)["total"]["share_work_or_studies"] == 100.0


def test_missing_and_unregistered_follow_ups_count_as_ended_but_not_followed_up():
    place(outcome=NO_FOLLOW_UP)
    place(outcome="")
    place(outcome="ej_nadd")
    place(outcome="arbete_osubventionerat")

    total = outcome_report(T2_2020)["total"]

    assert total == counts(ended=4, followed_up=2, work=1, work_unsubsidised=1)
    assert total["share_work_or_studies"] == 50.0  # ej_nadd is in the denominator
    assert total["coverage"] == 50.0


def test_every_outcome_code_lands_in_its_group():
    for code in [
        "arbete_osubventionerat",
        "arbete_subventionerat",
        "arbete_subventionerat",
        "studier",
        "arbetssokande",
        "annan_insats",
        "sjukskriven",
        "foraldraledig",
        "ej_nadd",
    ]:
        place(outcome=code)

    total = outcome_report(T2_2020)["total"]

    assert OutcomeCounts.from_dict(total) == OutcomeCounts(
        ended=9, followed_up=9, work=3, work_subsidised=2, work_unsubsidised=1, studies=1
    )
    assert total["share_work_or_studies"] == 44.4


def test_a_participant_with_two_placements_in_the_window_counts_twice():
    first = place(D(2019, 8, 31), "studier", gender="man", job="stockholmsvard")
    place(
        D(2020, 3, 31),
        "arbete_subventionerat",
        participant=first.participant,
        start=D(2019, 10, 1),
        job="basanstallning",
    )

    report = outcome_report(T2_2020)

    assert report["total"] == counts(ended=2, followed_up=2, work=1, work_subsidised=1, studies=1)
    assert report["by_gender"]["man"] == report["total"]
    assert report["by_job_type"]["stockholmsvard"] == counts(ended=1, followed_up=1, studies=1)
    assert report["by_job_type"]["basanstallning"] == counts(
        ended=1, followed_up=1, work=1, work_subsidised=1
    )


def test_share_is_null_not_zero_when_nobody_was_followed_up():
    place(outcome=NO_FOLLOW_UP)
    place(outcome="")

    total = outcome_report(T2_2020)["total"]

    assert total["share_work_or_studies"] is None
    assert total["coverage"] == 0.0


@pytest.mark.parametrize(
    ("work", "other", "share"),
    [(1, 7, 12.5), (2, 1, 66.7), (1, 5, 16.7), (5, 11, 31.3)],
)
def test_the_share_is_rounded_half_away_from_zero(work, other, share):
    for _ in range(work):
        place(outcome="arbete_osubventionerat")
    for _ in range(other):
        place(outcome="arbetssokande")

    assert outcome_report(T2_2020)["total"]["share_work_or_studies"] == share


# --- the report's shape ----------------------------------------------------------


def test_an_empty_period_has_every_gender_and_active_job_type_with_zeros():
    report = outcome_report(T2_2020)

    assert list(report)[:6] == [
        "period",
        "window_start",
        "window_end",
        "total",
        "by_gender",
        "by_job_type",
    ]
    assert report["period"] == "T2-2020"
    assert (report["window_start"], report["window_end"]) == ("2019-05-01", "2020-04-30")
    assert report["total"] == dict.fromkeys(TOTAL_KEYS[:6], 0) | {
        "share_work_or_studies": None,
        "coverage": None,
    }
    assert list(report["total"]) == TOTAL_KEYS
    assert list(report["by_gender"]) == ["kvinna", "man"]
    assert list(report["by_job_type"]) == [
        "ungdomsanstallning",
        "basanstallning",
        "serviceassistent",
        "arbetslagsanstallning",
        "stockholmsvard",
        "jobbstartsanstallning",
    ]
    assert list(report["by_age_group"]) == ["<30", "30+"]
    assert list(report["by_setting"]) == ["ordinary", "adapted"]
    assert list(report["by_funding"]) == ["sdf", "amf"]
    assert report["by_district"]["okand"] == report["total"]
    assert len(report["by_district"]) == District.objects.count() + 1
    for key, groups in report.items():
        if key.startswith("by_"):
            for cell in groups.values():
                assert list(cell) == TOTAL_KEYS
                assert cell == report["total"]


def test_genders_without_placements_are_present_with_zeros():
    place(outcome="studier", gender="kvinna")

    by_gender = outcome_report(T2_2020)["by_gender"]

    assert by_gender["kvinna"] == counts(ended=1, followed_up=1, studies=1)
    assert by_gender["man"] == counts()
    assert list(by_gender) == ["kvinna", "man"]
    assert by_gender["man"]["share_work_or_studies"] is None


def test_inactive_job_types_have_no_key_but_count_in_the_total():
    JobType.objects.filter(code="stockholmsvard").update(active=False)
    JobType.objects.filter(code="basanstallning").update(sort_order=99)
    place(outcome="studier", job="stockholmsvard")
    place(outcome="ej_nadd", job="serviceassistent")

    report = outcome_report(T2_2020)

    assert list(report["by_job_type"]) == [
        "ungdomsanstallning",
        "serviceassistent",
        "arbetslagsanstallning",
        "jobbstartsanstallning",
        "basanstallning",
    ]
    assert report["by_job_type"]["serviceassistent"] == counts(ended=1, followed_up=1)
    assert report["by_job_type"]["basanstallning"] == counts()
    assert report["total"] == counts(ended=2, followed_up=2, studies=1)


def test_district_setting_and_funding_breakdowns():
    place(outcome="studier", district="farsta", setting="adapted", funding="amf")
    place(outcome="ej_nadd", district=None, setting="ordinary", funding="sdf")
    place(outcome=NO_FOLLOW_UP, district="farsta", setting="ordinary", funding="amf")

    report = outcome_report(T2_2020)

    assert report["by_district"]["farsta"] == counts(ended=2, followed_up=1, studies=1)
    assert report["by_district"]["okand"] == counts(ended=1, followed_up=1)
    assert report["by_district"]["bromma"] == counts()
    assert report["by_setting"] == {
        "ordinary": counts(ended=2, followed_up=1),
        "adapted": counts(ended=1, followed_up=1, studies=1),
    }
    assert report["by_funding"] == {
        "sdf": counts(ended=1, followed_up=1),
        "amf": counts(ended=2, followed_up=1, studies=1),
    }


def test_the_report_can_be_narrowed_to_some_placements():
    kept = place(outcome="studier", funding="amf")
    place(outcome="ej_nadd", funding="sdf")

    report = outcome_report(T2_2020, placements=Placement.objects.filter(funding="amf"))

    assert report["total"] == counts(ended=1, followed_up=1, studies=1)
    assert kept.funding == "amf"


# --- age at the start of the placement ----------------------------------------------


@pytest.mark.parametrize(
    ("birth", "start", "group"),
    [
        (D(1990, 3, 1), D(2020, 3, 1), "30+"),  # the 30th birthday
        (D(1990, 3, 2), D(2020, 3, 1), "<30"),  # the day before it
        (D(1989, 12, 31), D(2019, 12, 31), "30+"),
        (D(1990, 1, 1), D(2019, 12, 31), "<30"),
        (D(1960, 7, 1), D(2019, 6, 1), "30+"),
        (D(2000, 1, 1), D(2019, 6, 1), "<30"),
        # Born on a leap day: 30 on 1 March of a year without 29 February ...
        (D(1992, 2, 29), D(2022, 2, 28), "<30"),
        (D(1992, 2, 29), D(2022, 3, 1), "30+"),
        # ... and on the day itself in a leap year.
        (D(1988, 2, 29), D(2018, 2, 28), "<30"),
        (D(1988, 2, 29), D(2018, 3, 1), "30+"),
        (D(1960, 2, 29), D(1990, 2, 28), "<30"),
        (D(1960, 2, 29), D(1990, 3, 1), "30+"),
        (D(1972, 2, 29), D(2002, 2, 28), "<30"),
        # A leap-day start.
        (D(1990, 2, 28), D(2020, 2, 29), "30+"),
        (D(1990, 3, 1), D(2020, 2, 29), "<30"),
    ],
)
def test_age_group_is_the_age_on_the_placement_start(birth, start, group):
    assert is_30_or_older(birth, start) == (group == "30+")
    place(start + datetime.timedelta(days=10), "studier", birth=birth, start=start)
    period = custom_period(start, start + datetime.timedelta(days=10))

    by_age = outcome_report(period)["by_age_group"]

    assert by_age[group] == counts(ended=1, followed_up=1, studies=1)
    assert by_age["30+" if group == "<30" else "<30"] == counts()


def test_age_group_counts_each_placement_at_its_own_start():
    first = place(D(2019, 9, 30), "studier", birth=D(1989, 10, 1), start=D(2019, 5, 1))
    place(
        D(2020, 2, 28),
        "ej_nadd",
        participant=first.participant,
        start=D(2019, 10, 1),
    )

    by_age = outcome_report(T2_2020)["by_age_group"]

    assert by_age == {
        "<30": counts(ended=1, followed_up=1, studies=1),
        "30+": counts(ended=1, followed_up=1),
    }


# --- queries -----------------------------------------------------------------------


def test_the_number_of_queries_does_not_depend_on_the_data_size():
    for code in ["studier", "ej_nadd", ""]:
        place(outcome=code)
    with CaptureQueriesContext(connection) as small:
        small_report = outcome_report(T2_2020)
    assert small_report["total"]["ended"] == 3

    outcomes = ["arbete_osubventionerat", "arbete_subventionerat", "studier", "ej_nadd", ""]
    for index in range(37):
        place(
            D(2019, 5, 1) + datetime.timedelta(days=9 * index),
            outcomes[index % len(outcomes)] if index % 6 else NO_FOLLOW_UP,
            gender=["kvinna", "man"][index % 2],
            job=["basanstallning", "stockholmsvard", "ungdomsanstallning"][index % 3],
            district=["bromma", "farsta", None][index % 3],
            setting=["ordinary", "adapted"][index % 2],
            funding=["sdf", "amf"][index % 2],
            birth=D(1970 + index, 1, 1),
        )
    with CaptureQueriesContext(connection) as large:
        large_report = outcome_report(T2_2020)
    assert large_report["total"]["ended"] == 40
    many_periods = [parse_period(f"{kind}-{year}") for year in (2019, 2020) for kind in KINDS]
    with CaptureQueriesContext(connection) as several:
        assert len(outcome_reports(many_periods)) == 6

    # Job types and districts to list, and one statement for every period and breakdown.
    assert len(large) == len(small) == len(several) == 3


# --- small cells ---------------------------------------------------------------------


def test_a_small_cell_shows_no_share_and_its_counts_as_below_the_threshold():
    cell = suppress(
        OutcomeCounts(ended=12, followed_up=4, work=3, work_unsubsidised=3, studies=0), 5
    )
    assert cell == {
        "ended": 12,
        "followed_up": "<5",
        "work": "<5",
        "work_subsidised": "<5",
        "work_unsubsidised": "<5",
        "studies": "<5",
        "share_work_or_studies": None,
        "coverage": None,
        "suppressed": True,
    }


def test_a_cell_at_the_threshold_is_shown_exactly():
    counts_ = OutcomeCounts(ended=5, followed_up=5, work=1, work_subsidised=1)
    assert suppress(counts_, 5) == {**counts_.as_dict(), "suppressed": False}


def test_a_zero_cell_stays_zero_with_a_null_share():
    assert suppress(OutcomeCounts(), 5) == {**counts(), "suppressed": False}


def test_a_small_number_of_ended_placements_is_hidden_too():
    cell = suppress(OutcomeCounts(ended=3), 5)
    assert cell["ended"] == "<5"
    assert cell["followed_up"] == 0
    assert cell["share_work_or_studies"] is None


def test_the_threshold_comes_from_the_settings_and_shows_in_the_text(settings):
    settings.SMALL_CELL_THRESHOLD = 10
    cell = suppress(OutcomeCounts(ended=20, followed_up=9, studies=9))
    assert cell["studies"] == "<10"
    assert cell["ended"] == 20


def test_suppress_report_hides_every_small_cell_of_a_stored_report():
    for _ in range(6):
        place(outcome="studier", gender="kvinna")
    place(outcome="studier", gender="man")

    shown = suppress_report(outcome_report(T2_2020), threshold=5)

    assert shown["total"]["share_work_or_studies"] == 100.0
    assert shown["by_gender"]["kvinna"]["followed_up"] == 6
    assert shown["by_gender"]["man"]["followed_up"] == "<5"
    assert shown["by_gender"]["man"]["share_work_or_studies"] is None
    assert list(shown["by_gender"]) == ["kvinna", "man"]
    assert shown["period"] == "T2-2020"


def test_group_keys_are_the_contract_keys():
    assert list(GROUP_KEYS) == TOTAL_KEYS


# --- a cross-check against a hand count ---------------------------------------------


@pytest.mark.parametrize("seed", [2020, 4711])
def test_the_report_matches_a_hand_count_of_a_random_data_set(seed):
    JobType.objects.filter(code="jobbstartsanstallning").update(active=False)
    rows = random_rows(seed, 200)
    load(rows)
    assert Placement.objects.count() == 200

    periods = [
        *(
            parse_period(f"{kind}-{year}")
            for year in (2018, 2019, 2020, 2021)
            for kind in ("T1", "T2", "VB")
        ),
        custom_period(D(2018, 3, 15), D(2020, 2, 29)),
        custom_period(D(2016, 1, 1), D(2023, 12, 31)),
    ]
    checked = 0
    # All periods at once, overlapping windows and all: each as its own hand count.
    for period, report in zip(periods, outcome_reports(periods), strict=True):
        expected = hand_count(rows, period.window_start, period.window_end)
        assert report["period"] == period.label
        for key, value in expected.items():
            assert report[key] == value, (period.label, key)
        checked += report["total"]["ended"]

    # The data exercise what they are meant to: something in every kind of cell.
    everything = hand_count(rows, D(2000, 1, 1), D(2100, 1, 1))
    assert everything["total"]["ended"] > 150
    assert everything["total"]["followed_up"] < everything["total"]["ended"]
    assert all(cell["ended"] for cell in everything["by_gender"].values())
    assert all(cell["ended"] for cell in everything["by_age_group"].values())
    assert everything["by_district"]["okand"]["ended"]
    assert checked > 500
