"""The dashboard hides every cell a total or a coarser filter would give away, in every output."""

import csv
import datetime
import io
import json
import re

import pytest
import time_machine
from django.urls import reverse

from participants.models import District, Gender
from placements.models import JobType, Setting
from reports.models import OutcomeSnapshot
from reports.periods import parse_period
from reports.selectors import (
    CellFigures,
    DashboardFilters,
    FilteredFigures,
    cells,
    coarser_views,
)
from reports.snapshots import snapshot_compute
from tests.factories import ParticipantFactory
from tests.helpers.reports import load, place, random_rows

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)  # current period T1-2021, window 2020-01-01..2020-12-31
MID_2020 = D(2020, 6, 30)  # in T1-2021 and VB-2020
CURRENT = "T1-2021"
HIDDEN = "<5"
# The shares table: period, window, followed up, working or studying, share, coverage,
# then followed up and share for each gender in Gender's order.
GENDER_FOLLOWED_UP = {g.value: 6 + 2 * index for index, g in enumerate(Gender)}


def many(count: int, outcome: str = "studier", *, unit=None, **attributes) -> None:
    for _ in range(count):
        if unit is not None:
            gender = attributes.get("gender", "kvinna")
            attributes["participant"] = ParticipantFactory(unit=unit, gender=gender)
        place(MID_2020, outcome, **attributes)


def snapshot() -> OutcomeSnapshot:
    return snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)


def dashboard(client, **params):
    # Every unit's figures: a manager starts on their own unit's (tests/reports/test_dashboard.py).
    params.setdefault("unit", "all")
    with time_machine.travel(TODAY):
        return client.get(reverse("reports:dashboard"), params)


def table(response, slug: str):
    return next(t for t in response.context["tables"] if t.slug == slug)


def shares_row(response, period: str = CURRENT) -> list:
    return next(r for r in table(response, "shares").rows if r[0] == period)


def followed_up(response, gender: str, period: str = CURRENT):
    return shares_row(response, period)[GENDER_FOLLOWED_UP[gender]]


def job_type_row(response, code: str) -> list:
    name = JobType.objects.get(code=code).name
    return next(r for r in table(response, "job-types").rows if r[0] == name)


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.DOTALL,
    )
    return json.loads(match.group(1))


def csv_rows(client, slug: str, **params) -> list[list[str]]:
    """The file's rows after its first line (which says what filters made it)."""
    params.setdefault("unit", "all")
    with time_machine.travel(TODAY):
        response = client.get(reverse("reports:dashboard_csv", args=[slug]), params)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0].startswith("# ")
    return rows[1:]


def as_csv(value) -> str:
    if value is None:
        return ""
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


# --- within a table ---------------------------------------------------------------------


@pytest.fixture
def few_women():
    # T1-2021: 3 women, 14 men (2 of whom describe their gender as "annat"); 17 in all.
    many(3, gender="kvinna")
    many(12, "arbetssokande", gender="man")
    many(2, "arbetssokande", gender="man", gender_self_described="annat")
    snapshot()


def test_a_small_gender_hides_the_other_gender_too(client, manager, few_women):
    client.force_login(manager)
    response = dashboard(client)
    row = shares_row(response)
    assert row[2] == 17  # the total shows
    assert followed_up(response, "kvinna") == HIDDEN
    assert followed_up(response, "man") == HIDDEN  # 17 − 14 would give the women away
    women_share = row[GENDER_FOLLOWED_UP["kvinna"] + 1]
    assert women_share is None


def test_the_total_minus_the_shown_genders_is_never_one_hidden_gender(client, manager, few_women):
    client.force_login(manager)
    response = dashboard(client)
    for row in table(response, "shares").rows:
        if isinstance(row[2], str):
            continue
        genders = [row[column] for column in GENDER_FOLLOWED_UP.values()]
        hidden = [g for g in genders if g == HIDDEN]
        assert len(hidden) != 1, row
        if hidden:
            left = row[2] - sum(g for g in genders if g != HIDDEN)
            assert left >= 5, row


def test_hidden_genders_are_null_in_the_chart_data(client, manager, few_women):
    client.force_login(manager)
    data = chart_data(dashboard(client))
    index = data["labels"].index(CURRENT)
    assert data["share"]["kvinna"][index] is None
    assert data["share"]["man"][index] is None
    assert data["share"]["total"][index] == 17.6  # 3 of 17 studying


@pytest.mark.parametrize("self_described", [1, 2, 3, 4])
def test_a_few_self_described_genders_hide_nothing_of_women_or_men(client, manager, self_described):
    # 6 women and 7 men followed up, of whom 1-4 describe their gender otherwise.
    for index in range(13):
        many(
            1,
            gender="kvinna" if index < 6 else "man",
            gender_self_described="Icke-binär" if index < self_described else "",
        )
    snapshot()
    client.force_login(manager)
    response = dashboard(client)
    assert followed_up(response, "kvinna") == 6
    assert followed_up(response, "man") == 7
    assert "Icke-binär" not in response.content.decode()
    for shown in response.context["tables"]:
        assert "Icke-binär" not in repr(csv_rows(client, shown.slug))


def test_a_small_job_type_hides_the_next_smallest_job_type_and_its_ended_count(client, manager):
    many(20, job="basanstallning")
    many(8, job="ungdomsanstallning")
    many(3, job="stockholmsvard", setting="adapted")
    snapshot()
    client.force_login(manager)
    response = dashboard(client)
    assert response.context["outcomes"]["headline"]["followed_up"] == 31
    assert response.context["outcomes"]["headline"]["ended"] == 31
    small, next_smallest = (
        job_type_row(response, "stockholmsvard"),
        job_type_row(response, "ungdomsanstallning"),
    )
    # Ended, followed up, the three outcomes: all hidden; no share and no coverage.
    assert small[1:8] == next_smallest[1:8] == [HIDDEN] * 5 + [None, None]
    assert job_type_row(response, "basanstallning")[1:3] == [20, 20]
    mix = chart_data(response)["job_types"]["mix"]
    names = chart_data(response)["job_types"]["labels"]
    for code in ("stockholmsvard", "ungdomsanstallning"):
        assert set(mix[names.index(JobType.objects.get(code=code).name)].values()) == {None}


def test_an_ended_count_beside_the_total_is_protected_on_its_own(client, manager):
    many(20, job="basanstallning")
    many(6, job="ungdomsanstallning")
    place(MID_2020, job="ungdomsanstallning")  # ended, not followed up
    for _ in range(3):
        place(MID_2020, job="stockholmsvard", setting="adapted")  # ended, not followed up
    snapshot()
    client.force_login(manager)
    response = dashboard(client)
    headline = response.context["outcomes"]["headline"]
    assert (headline["ended"], headline["followed_up"]) == (30, 26)
    # Stockholmsvärd: 3 ended, none followed up. Ungdomsanställning, the next
    # smallest ended (7), hides its ended count and coverage, not its 6 followed up.
    small = job_type_row(response, "stockholmsvard")
    assert (small[1], small[2], small[7]) == (HIDDEN, 0, None)
    next_smallest = job_type_row(response, "ungdomsanstallning")
    assert next_smallest[1:3] == [HIDDEN, 6]
    assert next_smallest[6:8] == [100.0, None]  # share shown, coverage hidden
    assert job_type_row(response, "basanstallning")[1:3] == [20, 20]


# --- across filters -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("women_elsewhere", "women_hidden"),
    [(2, True), (1, True), (4, True), (0, False), (5, False), (9, False)],
)
def test_a_filtered_cell_that_differs_a_little_from_the_unfiltered_one_is_hidden(
    client, manager, women_elsewhere, women_hidden
):
    # Basanställning: 7 women, 20 men. Ungdomsanställning: a few women and 6 men.
    many(7, gender="kvinna", job="basanstallning")
    many(20, "arbetssokande", gender="man", job="basanstallning")
    many(women_elsewhere, gender="kvinna", job="ungdomsanstallning")
    many(6, "arbetssokande", gender="man", job="ungdomsanstallning")
    snapshot()
    client.force_login(manager)

    unfiltered = dashboard(client)
    # The coarse view changes nothing: the finer one hides itself.
    assert followed_up(unfiltered, "kvinna") == 7 + women_elsewhere

    filtered = dashboard(client, job_type=JobType.objects.get(code="basanstallning").pk)
    assert shares_row(filtered)[2] == 27
    if women_hidden:
        assert followed_up(filtered, "kvinna") == HIDDEN
        assert followed_up(filtered, "man") == HIDDEN  # or 27 − 20 gives the women back
        index = chart_data(filtered)["labels"].index(CURRENT)
        assert chart_data(filtered)["share"]["kvinna"][index] is None
    else:
        assert followed_up(filtered, "kvinna") == 7
        assert followed_up(filtered, "man") == 20


def test_a_job_type_is_compared_with_its_setting_too(client, manager):
    # Adapted: Stockholmsvärd 7 women, Arbetslagsanställning 2. Ordinary: 30 women.
    # Unfiltered the difference is 32; within the setting it is 2.
    many(7, gender="kvinna", job="stockholmsvard", setting="adapted")
    many(2, gender="kvinna", job="arbetslagsanstallning", setting="adapted")
    many(30, gender="kvinna", job="basanstallning", setting="ordinary")
    many(10, "arbetssokande", gender="man", job="stockholmsvard", setting="adapted")
    snapshot()
    client.force_login(manager)
    filtered = dashboard(client, job_type=JobType.objects.get(code="stockholmsvard").pk)
    assert followed_up(filtered, "kvinna") == HIDDEN
    assert followed_up(dashboard(client, setting="adapted"), "kvinna") == 9


def test_a_filtered_total_that_differs_a_little_is_hidden_with_its_ended_count(client, manager):
    many(30, gender="kvinna", birth=D(1980, 1, 1))
    many(3, gender="man", birth=D(2000, 1, 1))  # under 30
    snapshot()
    client.force_login(manager)
    response = dashboard(client, age_group="30+")
    headline = response.context["outcomes"]["headline"]
    assert headline["followed_up"] == HIDDEN
    assert headline["ended"] == HIDDEN
    assert headline["share_work_or_studies"] is None
    assert headline["coverage"] is None
    # A hidden total beside shown parts would be their sum: the women are hidden too.
    assert followed_up(response, "kvinna") == HIDDEN
    data = chart_data(response)
    assert data["share"]["total"][data["labels"].index(CURRENT)] is None


def test_a_coach_compares_only_within_their_own_unit(client, coach, unit, other_unit):
    many(7, gender="kvinna", unit=unit, job="basanstallning")
    many(10, "arbetssokande", gender="man", unit=unit, job="basanstallning")
    many(5, "arbetssokande", gender="man", unit=unit, job="ungdomsanstallning")
    # Another unit's women in the other job type: the coach's own views differ by 0.
    many(2, gender="kvinna", unit=other_unit, job="ungdomsanstallning")
    snapshot()
    client.force_login(coach)
    filtered = dashboard(client, job_type=JobType.objects.get(code="basanstallning").pk)
    assert followed_up(filtered, "kvinna") == 7


# --- every output the same ----------------------------------------------------------------


@pytest.mark.parametrize("filtered", [False, True])
def test_every_csv_download_carries_the_pages_suppression(client, manager, filtered):
    many(7, gender="kvinna", job="basanstallning")
    many(20, "arbetssokande", gender="man", job="basanstallning")
    many(2, gender="kvinna", job="ungdomsanstallning")
    many(6, "arbetssokande", gender="man", job="ungdomsanstallning")
    many(3, gender="man", job="stockholmsvard", setting="adapted")
    snapshot()
    client.force_login(manager)
    params = {"job_type": JobType.objects.get(code="basanstallning").pk} if filtered else {}
    page = dashboard(client, **params)
    hidden_anywhere = False
    for shown in page.context["tables"]:
        rows = csv_rows(client, shown.slug, **params)
        assert rows[0] == shown.header
        assert rows[1:] == [[as_csv(value) for value in row] for row in shown.rows]
        hidden_anywhere |= any(HIDDEN in row for row in rows)
    assert hidden_anywhere


# --- the figures behind it ------------------------------------------------------------------


def test_coarser_views_are_every_subset_of_the_filters_and_the_job_types_setting():
    job_type = JobType.objects.get(code="stockholmsvard")
    assert job_type.setting == Setting.ADAPTED
    only_job_type = DashboardFilters(job_type=job_type, unit_id=3)
    assert coarser_views(only_job_type) == [
        DashboardFilters(unit_id=3),
        DashboardFilters(setting="adapted", unit_id=3),
    ]
    three = DashboardFilters(job_type=job_type, district_id=1, age_group="<30")
    assert len(coarser_views(three)) == 7 + 4
    four = DashboardFilters(job_type=job_type, district_id=1, setting="adapted", age_group="<30")
    views = coarser_views(four)
    assert len(views) == len(set(views)) == 2**4 - 1
    assert four not in views
    assert DashboardFilters() in views
    assert coarser_views(DashboardFilters()) == []


def test_one_query_gives_the_view_and_every_coarser_views_figures():
    load(random_rows(seed=2024, placements=150))
    made = snapshot()
    periods = [parse_period(label) for label in ("VB-2019", "T1-2020", "VB-2020", "T1-2021")]
    job_type = JobType.objects.get(code="basanstallning")
    district = District.objects.order_by("pk").first()
    for filters in (
        DashboardFilters(job_type=job_type),
        DashboardFilters(job_type=job_type, age_group="30+", district_id=district.pk),
        DashboardFilters(setting="adapted", age_group="<30"),
    ):
        figures = FilteredFigures(cells(made, DashboardFilters()), filters)
        for group_by in (None, "gender", "job_type"):
            expected = CellFigures(cells(made, filters)).counts(periods, group_by=group_by)
            got = figures.counts(periods, group_by=group_by)
            for key, series in expected.items():
                assert [c.as_dict() for c in got[key]] == [c.as_dict() for c in series]
            for view, coarse in zip(
                figures.views, figures.coarser_counts(periods, group_by=group_by), strict=True
            ):
                exact = CellFigures(cells(made, view)).counts(periods, group_by=group_by)
                for key, series in exact.items():
                    assert [(c.followed_up, c.ended) for c in coarse[key]] == [
                        (c.followed_up, c.ended) for c in series
                    ], (filters, view, group_by, key)


def test_a_filtered_dashboard_runs_the_same_queries_whatever_the_data_size(
    client, manager, django_assert_max_num_queries
):
    job_type = JobType.objects.get(code="stockholmsvard")
    district = District.objects.order_by("pk").first()
    every_filter = {
        "job_type": job_type.pk,
        "district": district.pk,
        "setting": "adapted",
        "age_group": "30+",
    }
    many(3, job="stockholmsvard", setting="adapted", district=district.code)
    snapshot()
    client.force_login(manager)
    dashboard(client, **every_filter)
    # 20 for the page, and one for the navigation's count of transfer requests waiting;
    # three more for the unit filter's choices and the two wage-subsidy tables.
    with django_assert_max_num_queries(24) as small:
        dashboard(client, **every_filter)
    with django_assert_max_num_queries(24) as unfiltered:
        dashboard(client)
    for index in range(30):
        end = D(2018, 3, 1) + datetime.timedelta(days=40 * index)
        place(end, "studier", job="stockholmsvard", setting="adapted", district=district.code)
        place(end, "ej_nadd", job="basanstallning", gender="man")
    snapshot()
    with django_assert_max_num_queries(24) as large:
        dashboard(client, **every_filter)
    assert len(large.captured_queries) == len(small.captured_queries)
    # The coarser views ride on the one query the filtered figures always took:
    # a filter costs the two it always did (the chosen job type and district).
    assert len(small.captured_queries) == len(unfiltered.captured_queries) + 2
