import datetime

import pytest

from reports.periods import (
    ReportPeriod,
    current_period,
    custom_period,
    parse_period,
    period_end,
    periods_between,
)

D = datetime.date


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("T1-2020", D(2019, 1, 1), D(2019, 12, 31)),
        ("T2-2020", D(2019, 5, 1), D(2020, 4, 30)),
        ("VB-2020", D(2019, 9, 1), D(2020, 8, 31)),
    ],
)
def test_the_design_examples_give_their_windows(label, start, end):
    assert parse_period(label) == ReportPeriod(label, start, end)


@pytest.mark.parametrize(
    ("label", "start", "end"),
    [
        ("T1-2018", D(2017, 1, 1), D(2017, 12, 31)),
        ("T2-2018", D(2017, 5, 1), D(2018, 4, 30)),
        ("VB-2018", D(2017, 9, 1), D(2018, 8, 31)),
        ("T1-2023", D(2022, 1, 1), D(2022, 12, 31)),
        ("T2-2023", D(2022, 5, 1), D(2023, 4, 30)),
        ("VB-2023", D(2022, 9, 1), D(2023, 8, 31)),
    ],
)
def test_other_years_move_the_window_by_whole_years(label, start, end):
    period = parse_period(label)
    assert (period.window_start, period.window_end) == (start, end)


def test_a_window_over_a_leap_day_still_spans_twelve_calendar_months():
    period = parse_period("T2-2024")
    assert (period.window_start, period.window_end) == (D(2023, 5, 1), D(2024, 4, 30))
    assert (period.window_end - period.window_start).days + 1 == 366


def test_a_window_ending_in_february_of_a_leap_year_ends_on_the_29th():
    period = parse_period("T1-2024", lag_months=2)
    assert (period.window_start, period.window_end) == (D(2023, 3, 1), D(2024, 2, 29))
    period = parse_period("T1-2023", lag_months=2)
    assert period.window_end == D(2023, 2, 28)


def test_the_lag_comes_from_the_settings(settings):
    settings.REPORT_PERIOD_LAG_MONTHS = 3
    assert parse_period("T2-2020") == ReportPeriod("T2-2020", D(2019, 6, 1), D(2020, 5, 31))
    settings.REPORT_PERIOD_LAG_MONTHS = 0
    assert parse_period("VB-2020") == ReportPeriod("VB-2020", D(2020, 1, 1), D(2020, 12, 31))


def test_an_explicit_lag_wins_over_the_setting(settings):
    settings.REPORT_PERIOD_LAG_MONTHS = 3
    assert parse_period("T1-2020", lag_months=4).window_end == D(2019, 12, 31)


def test_labels_are_read_without_regard_to_case_and_spaces():
    assert parse_period(" t2-2020 ").label == "T2-2020"


@pytest.mark.parametrize(
    "label", ["", "T3-2020", "T2 2020", "T2-20", "H1-2020", "2020", "T2-2020-1", "VB-20200"]
)
def test_bad_labels_are_refused_with_the_forms_to_use(label):
    with pytest.raises(ValueError, match=r"use T1-YYYY, T2-YYYY or VB-YYYY"):
        parse_period(label)


def test_an_absurd_year_is_refused():
    with pytest.raises(ValueError, match="the year must be"):
        parse_period("T1-0001")


def test_a_negative_lag_is_refused():
    with pytest.raises(ValueError, match="cannot be negative"):
        parse_period("T1-2020", lag_months=-1)


def test_a_custom_period_covers_both_days_and_reads_back_from_its_label():
    period = custom_period(D(2019, 5, 1), D(2020, 4, 30))
    assert period == ReportPeriod("2019-05-01..2020-04-30", D(2019, 5, 1), D(2020, 4, 30))
    assert parse_period(period.label) == period


def test_a_custom_period_of_one_day_is_allowed():
    assert custom_period(D(2020, 2, 29), D(2020, 2, 29)).label == "2020-02-29..2020-02-29"


def test_a_custom_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="before it starts"):
        custom_period(D(2020, 4, 30), D(2020, 4, 29))


def test_periods_between_lists_t1_t2_vb_of_each_year_in_order():
    periods = periods_between(2019, 2020)
    assert [p.label for p in periods] == [
        "T1-2019",
        "T2-2019",
        "VB-2019",
        "T1-2020",
        "T2-2020",
        "VB-2020",
    ]
    assert periods[4] == parse_period("T2-2020")
    assert periods_between(2021, 2020) == []


def test_period_ends():
    assert period_end("T1", 2020) == D(2020, 4, 30)
    assert period_end("T2", 2020) == D(2020, 8, 31)
    assert period_end("VB", 2020) == D(2020, 12, 31)


@pytest.mark.parametrize(
    ("today", "label"),
    [
        (D(2021, 1, 15), "VB-2020"),
        (D(2021, 4, 29), "VB-2020"),
        (D(2021, 4, 30), "T1-2021"),
        (D(2021, 8, 30), "T1-2021"),
        (D(2021, 8, 31), "T2-2021"),
        (D(2021, 12, 30), "T2-2021"),
        (D(2021, 12, 31), "VB-2021"),
        (D(2022, 1, 1), "VB-2021"),
    ],
)
def test_the_current_period_is_the_latest_that_has_ended(today, label):
    assert current_period(today) == parse_period(label)


def test_the_current_period_defaults_to_today_in_stockholm(time_machine):
    time_machine.move_to(datetime.datetime(2021, 4, 29, 23, 30, tzinfo=datetime.UTC))
    # 01:30 on 30 April in Stockholm: T1 has ended there.
    assert current_period().label == "T1-2021"
