"""The dashboard's work tables follow the unit only: the page and their CSVs say so when
other filters are chosen, rather than looking filtered."""

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from participants.models import District

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2021, 6, 15)


def first_line(client, slug: str, **params) -> str:
    with time_machine.travel(TODAY):
        response = client.get(
            reverse("reports:dashboard_csv", args=[slug]), params, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))[0]


@pytest.mark.parametrize("slug", ["places", "overdue", "subsidies-waiting"])
def test_each_work_tables_csv_names_the_chosen_filters_it_does_not_follow(
    client, manager, unit, slug
):
    district = District.objects.order_by("pk").first()
    client.force_login(manager)
    line = first_line(client, slug, funding="sdf", district=district.pk, age_group="<30")
    assert line == (
        f"# Filter: unit = {unit.name}, as at = 2021-06-15, "
        "district = not applied, age group = not applied, funding = not applied"
    )
    # Nothing chosen beyond the unit: nothing to disclaim.
    assert first_line(client, slug) == f"# Filter: unit = {unit.name}, as at = 2021-06-15"


def test_an_outcome_tables_csv_disclaims_nothing(client, manager, unit):
    client.force_login(manager)
    assert "not applied" not in first_line(client, "shares", funding="sdf")


def test_the_page_says_the_work_tables_follow_the_unit_only_above_them(client, manager):
    client.force_login(manager)
    with time_machine.travel(TODAY):
        html = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content
    html = html.decode()
    note = html.index('id="work-tables-note"')
    assert "funding are not applied to them" in html[note : note + 400]
    # Above the first work table, below the last outcome table.
    assert html.index('id="table-job-types"') < note < html.index('id="table-places"')
    assert note < html.index('id="table-overdue"') < html.index('id="table-subsidies-waiting"')
