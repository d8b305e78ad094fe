"""The manager's dashboard: the unit and funding filters, links to the overdue lists,
the wage-subsidy tables, and CSVs that say which filters made them."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from participants.models import Gender
from placements.models import WageSubsidyCase
from reports.annual.subsidies import processing_times
from reports.models import OutcomeSnapshot
from reports.periods import parse_period
from reports.selectors import DashboardFilters, FilteredFigures, UnitFigures, cells
from reports.snapshots import snapshot_compute
from tests.factories import (
    AdminFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    UnitFactory,
)
from tests.helpers.reports import place

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)  # current period T1-2021, window 2020-01-01..2020-12-31
MID_2020 = D(2020, 6, 30)
HIDDEN = "<5"
# The shares table: followed up of all, then of each gender in Gender's order.
GENDER_FOLLOWED_UP = {g.value: 6 + 2 * index for index, g in enumerate(Gender)}


def ended(count: int, *, unit, outcome: str = "studier", gender: str = "kvinna", **kwargs):
    for _ in range(count):
        participant = ParticipantFactory(unit=unit, gender=gender, birth_date=D(1980, 6, 15))
        place(MID_2020, outcome, participant=participant, **kwargs)


def snapshot() -> OutcomeSnapshot:
    return snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)


def dashboard(client, **params):
    with time_machine.travel(TODAY):
        return client.get(reverse("reports:dashboard"), params)


def headline(response) -> tuple:
    cell = response.context["outcomes"]["headline"]
    return cell["followed_up"], cell["share_work_or_studies"]


def table(response, slug: str):
    return next(t for t in response.context["tables"] if t.slug == slug)


def women(response):
    row = next(r for r in table(response, "shares").rows if r[0] == "T1-2021")
    return row[GENDER_FOLLOWED_UP["kvinna"]]


@pytest.fixture
def two_units(unit, other_unit):
    # Own unit: 6 followed up through Sdf (4 studying), 8 through AMF (2 studying).
    # Other unit: 10 through Sdf, all studying.
    ended(4, unit=unit, funding="sdf")
    ended(2, unit=unit, funding="sdf", outcome="arbetssokande", gender="man")
    ended(2, unit=unit, funding="amf")
    ended(6, unit=unit, funding="amf", outcome="arbetssokande", gender="man")
    ended(10, unit=other_unit, funding="sdf", gender="man")
    return snapshot()


# --- the unit filter -----------------------------------------------------------------------


def test_the_unit_filter_starts_on_the_managers_own_unit(client, manager, unit, two_units):
    client.force_login(manager)
    response = dashboard(client)
    assert headline(response) == (14, 42.9)  # 6 of 14
    unit_field = response.context["filterset"].form["unit"]
    assert str(unit_field.value()) == str(unit.pk)
    assert f'<option value="{unit.pk}" selected>' in response.content.decode()


def test_a_manager_may_choose_another_unit_or_all_units(client, manager, other_unit, two_units):
    client.force_login(manager)
    assert headline(dashboard(client, unit=other_unit.pk)) == (10, 100.0)
    assert headline(dashboard(client, unit="all")) == (24, 66.7)  # 16 of 24


def test_an_admin_starts_on_all_units(client, two_units):
    client.force_login(AdminFactory())
    response = dashboard(client)
    assert headline(response) == (24, 66.7)
    assert response.context["filterset"].form["unit"].value() == "all"


def test_a_coach_has_no_unit_filter_and_sees_their_own_unit(client, coach, other_unit, two_units):
    client.force_login(coach)
    response = dashboard(client, unit=other_unit.pk)  # asked for; not theirs to choose
    assert "unit" not in response.context["filterset"].form.fields
    assert headline(response) == (14, 42.9)


def test_an_unknown_unit_is_a_clear_error_not_a_crash(client, manager, two_units):
    client.force_login(manager)
    response = dashboard(client, unit="999999")
    assert response.status_code == 200
    assert response.context["filterset"].form.errors["unit"]


# --- the funding filter --------------------------------------------------------------------


def test_the_funding_filter_changes_the_figures(client, manager, two_units):
    client.force_login(manager)
    assert headline(dashboard(client, funding="sdf")) == (6, 66.7)  # own unit: 4 of 6
    assert headline(dashboard(client, funding="amf")) == (8, 25.0)  # 2 of 8
    assert headline(dashboard(client, unit="all", funding="sdf")) == (16, 87.5)  # 14 of 16


def test_a_small_funding_cell_still_shows_below_five(client, manager, unit):
    ended(3, unit=unit, funding="amf")
    ended(20, unit=unit, funding="sdf", gender="man")
    snapshot()
    client.force_login(manager)
    response = dashboard(client, funding="amf")
    assert response.context["outcomes"]["headline"]["followed_up"] == HIDDEN
    assert response.context["outcomes"]["headline"]["share_work_or_studies"] is None


def test_a_funding_that_differs_a_little_from_all_funding_is_hidden(client, manager, unit):
    # 9 women through Sdf, 2 through AMF: all funding minus Sdf would show the 2.
    ended(9, unit=unit, funding="sdf")
    ended(2, unit=unit, funding="amf")
    ended(20, unit=unit, funding="sdf", gender="man", outcome="arbetssokande")
    snapshot()
    client.force_login(manager)
    assert women(dashboard(client)) == 11
    assert women(dashboard(client, funding="sdf")) == HIDDEN


def test_a_unit_that_differs_a_little_from_all_units_is_hidden(client, manager, unit, other_unit):
    # 9 women in the manager's unit, 2 elsewhere: all units minus this one would show the 2.
    ended(9, unit=unit)
    ended(20, unit=unit, gender="man", outcome="arbetssokande")
    ended(2, unit=other_unit)
    snapshot()
    client.force_login(manager)
    assert women(dashboard(client, unit="all")) == 11
    assert women(dashboard(client)) == HIDDEN


# --- the overdue table's links -------------------------------------------------------------


def overdue_for(coach, count: int = 1) -> None:
    for _ in range(count):
        FollowUpFactory(
            placement__participant=ParticipantFactory(unit=coach.unit, coach=coach),
            due_date=D(2021, 5, 1),
        )


def test_each_coach_of_the_managers_unit_links_to_their_overdue_follow_ups(
    client, manager, coach, other_coach
):
    overdue_for(coach, 2)
    overdue_for(other_coach)
    client.force_login(manager)
    response = dashboard(client, unit="all")
    links = {row[0]: link for link, row in table(response, "overdue").linked_rows}
    own = f"{coach.first_name} {coach.last_name}"
    query = f"coach={coach.pk}&unit={coach.unit_id}&within=overdue"
    assert links[own] == f"{reverse('followup:followups')}?{query}"
    assert f'href="/followups/?{query.replace("&", "&amp;")}"' in response.content.decode()
    # Another unit's participants are not theirs to list: no link that opens nothing.
    assert links[f"{other_coach.first_name} {other_coach.last_name}"] is None


def test_an_admin_gets_a_link_for_every_coach(client, coach, other_coach):
    overdue_for(coach)
    overdue_for(other_coach)
    client.force_login(AdminFactory())
    links = [link for link, _row in table(dashboard(client), "overdue").linked_rows]
    assert sorted(links) == sorted(
        f"/followups/?coach={c.pk}&unit={c.unit_id}&within=overdue" for c in (coach, other_coach)
    )


def test_the_overdue_table_follows_the_unit_filter(client, manager, coach, other_coach):
    overdue_for(coach)
    overdue_for(other_coach)
    client.force_login(manager)
    rows = table(dashboard(client), "overdue").rows
    assert [row[1] for row in rows] == [coach.unit.name]


# --- wage subsidies -------------------------------------------------------------------------


def subsidy(participant, applied: datetime.date, days: int | None, outcome: str = ""):
    """An application decided ``days`` after it was made (granted), or waiting (None)."""
    return WageSubsidyCase.objects.create(
        participant=participant,
        applied_on=applied,
        decided_on=None if days is None else applied + datetime.timedelta(days=days),
        outcome=outcome or ("pending" if days is None else "granted"),
    )


def test_processing_times_give_the_median_and_90th_percentile_of_a_known_set(unit):
    person = ParticipantFactory(unit=unit)
    for days in (10, 20, 30, 40, 100):
        subsidy(person, D(2020, 3, 1), days)
    (times,) = processing_times(first_year=2020, last_year=2020)
    assert (times.decided, times.median, times.p90) == (5, 30.0, 76.0)  # 40 + 0.6 × 60


def test_the_subsidy_panel_shows_times_per_year_and_hides_a_small_year(
    client, manager, unit, other_unit
):
    person = ParticipantFactory(unit=unit)
    for days in (10, 20, 30, 40, 100):
        subsidy(person, D(2020, 3, 1), days)
    for days in (5, 6):
        subsidy(person, D(2021, 2, 1), days)
    # Another unit's slow decisions count only when that unit (or all) is chosen.
    for _ in range(5):
        subsidy(ParticipantFactory(unit=other_unit), D(2020, 1, 1), 300)
    client.force_login(manager)
    response = dashboard(client, from_year=2020, to_year=2021)
    rows = {row[0]: row[1:] for row in table(response, "subsidy-times").rows}
    assert rows["2020"] == [5, 30.0, 76.0]
    assert rows["2021"] == [HIDDEN, None, None]
    rows = {
        row[0]: row[1:]
        for row in table(
            dashboard(client, unit="all", from_year=2020, to_year=2020), "subsidy-times"
        ).rows
    }
    assert rows["2020"][0] == 10
    assert rows["2020"][1] == 200.0  # halfway from 100 to 300: 10, 20, 30, 40, 100, 5 × 300


def test_applications_waiting_per_coach_oldest_first_with_days_waiting(
    client, manager, unit, coach
):
    quick = CoachFactory(unit=unit, first_name="Kim", last_name="Snabb")
    subsidy(ParticipantFactory(unit=unit, coach=quick), D(2021, 6, 1), None)
    subsidy(ParticipantFactory(unit=unit, coach=coach), D(2021, 5, 1), None)
    subsidy(ParticipantFactory(unit=unit, coach=coach), D(2021, 6, 10), None)
    subsidy(ParticipantFactory(unit=unit, coach=coach), D(2021, 1, 1), None, "withdrawn")
    subsidy(ParticipantFactory(unit=unit, coach=coach), D(2021, 1, 1), 30)  # decided
    client.force_login(manager)
    rows = table(dashboard(client), "subsidies-waiting").rows
    assert rows == [
        [f"{coach.first_name} {coach.last_name}", unit.name, 2, D(2021, 5, 1), 45],
        ["Kim Snabb", unit.name, 1, D(2021, 6, 1), 14],
    ]


# --- CSVs that say what made them ----------------------------------------------------------


def download(client, slug: str, **params):
    with time_machine.travel(TODAY):
        response = client.get(
            reverse("reports:dashboard_csv", args=[slug]), params, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return response["Content-Disposition"], rows


def test_a_filtered_csv_names_its_filters_in_the_file_name_and_the_first_line(
    client, manager, unit, two_units
):
    client.force_login(manager)
    disposition, rows = download(
        client, "shares", unit=unit.pk, funding="sdf", from_year=2020, to_year=2021
    )
    filename = disposition.split('filename="')[1].rstrip('"')
    assert filename.startswith(f"stockholmsjobb-shares_unit-{unit.pk}_funding-sdf_2020-2021_")
    assert filename.endswith(".csv")
    assert rows[0] == [
        f"# Filter: unit = {unit.name}, funding = District administration (Sdf), period = 2020–2021"
    ]
    assert rows[1][0] == "Period"


def test_two_filters_never_give_the_same_file_name(client, manager, unit, two_units):
    client.force_login(manager)
    names = {
        download(client, "job-types", **params)[0]
        for params in ({}, {"unit": "all"}, {"funding": "amf"}, {"age_group": "<30"})
    }
    assert len(names) == 4
    for name in names:
        assert "<" not in name and unit.name not in name


def test_a_work_table_is_shaped_by_the_unit_and_the_date_and_says_funding_is_not_applied(
    client, manager, unit, two_units
):
    client.force_login(manager)
    disposition, rows = download(client, "overdue", funding="amf")
    assert "funding" not in disposition  # the table ignores it: the first line says so
    assert f"_unit-{unit.pk}_20210615_" in disposition
    assert rows[0] == [f"# Filter: unit = {unit.name}, as at = 2021-06-15, funding = not applied"]


def test_a_units_name_in_the_first_line_is_never_a_formula(client, two_units):
    odd = UnitFactory(name="=HYPERLINK(1);x")
    client.force_login(AdminFactory())
    disposition, rows = download(client, "shares", unit=odd.pk)
    assert "HYPERLINK" not in disposition
    assert rows[0] == ["# Filter: unit = =HYPERLINK(1);x, period = 2018–2021"]
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@")


def test_one_unit_reads_the_rolled_up_figures_and_gets_what_the_cells_give(unit, other_unit):
    third = UnitFactory(name="Jobbtorg Västerort")
    outcomes = ["studier", "ej_nadd", "arbete_subventionerat", "arbetssokande"]
    for index in range(40):
        participant = ParticipantFactory(
            unit=(unit, other_unit, third)[index % 3],
            gender="man" if index % 4 else "kvinna",
            birth_date=D(1980, 6, 15),
        )
        end = D(2019, 2, 1) + datetime.timedelta(days=23 * index)
        place(end, outcomes[index % 4], participant=participant, funding="amf")
    with time_machine.travel(TODAY):
        made = snapshot()
    periods = [parse_period(label) for label in ("T1-2020", "T2-2020", "VB-2020", "T1-2021")]
    for chosen in (unit, other_unit, third):
        rolled_up = UnitFigures(made, chosen.pk)
        summed = FilteredFigures(
            cells(made, DashboardFilters()), DashboardFilters(chosen_unit_id=chosen.pk)
        )
        for group_by in (None, "gender", "job_type"):
            got, expected = (f.counts(periods, group_by=group_by) for f in (rolled_up, summed))
            assert {k: [c.as_dict() for c in v] for k, v in got.items()} == {
                k: [c.as_dict() for c in v] for k, v in expected.items() if any(c.ended for c in v)
            }
            (coarse,) = rolled_up.coarser_counts(periods, group_by=group_by)
            (exact,) = summed.coarser_counts(periods, group_by=group_by)
            assert {k: [(c.followed_up, c.ended) for c in v] for k, v in coarse.items()} == {
                k: [(c.followed_up, c.ended) for c in v]
                for k, v in exact.items()
                if any(c.ended for c in v)
            }
