"""The annual report's tables, every cell checked against a count made by hand.

The data set (``tests.helpers_reports.build_data_set``) is small enough to
count on paper. Each table's expected rows are literals, with a comment on how
they were counted; none is computed by the code under test. The report year is
2023: tables 2 and 3 show T1, T2 and VB of 2020–2023, tables 1, 4 and the
support tables the year 2023, and the register tables a cohort chosen so that
its placements (ended 2016) fall in no other table.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placements.models import JobType
from reports.annual.build import compute_tables
from reports.annual.characteristics import characteristics_table
from reports.annual.register import default_cohort_year
from reports.annual.years import default_year, years_with_data
from reports.outcomes import outcome_report
from reports.periods import parse_period
from tests.helpers.reports import COHORT, YEAR, build_data_set, load, placement, random_rows

pytestmark = pytest.mark.django_db

D = datetime.date
H = "<5"  # a suppressed count, with the default threshold of 5


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
    # VB-2023 adds B2 (unsubsidised work) to the women: B2 describes her gender as
    # "annat", and counts under her legal gender, so nothing is hidden.
    women_vb = [6, 6, 100.0, 2, 33.3, 1, 16.7, 1, 16.7, 4, 66.7]
    expected = [
        ["Kvinnor", *row]
        for row in _with_windows({"T1-2023": women, "T2-2023": women, "VB-2023": women_vb})
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
