"""Tables 2 and 3 count legal gender: a few self-described genders hide nothing of women or men."""

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from reports.annual.build import annual_report_build, stored_tables
from reports.annual.services import annual_report_request
from reports.annual.xlsx import csv_zip_bytes
from tests.helpers.reports import place

pytestmark = pytest.mark.django_db

YEAR = 2023
SELF_DESCRIBED = "Icke-binär"
HIDDEN = "<5"
D = datetime.date


def period_data() -> None:
    """Batches of 6 women and 7 men followed up, a few of whom describe their gender otherwise.

    Windows: T1-2023 2022-01..2022-12, T2-2023 2022-05..2023-04, VB-2023
    2022-09..2023-08. Self-described: T1 3 (batches A, B), T2 2 (B), VB 4 (C).
    """
    batches = [(D(2022, 3, 15), 1), (D(2022, 6, 15), 2), (D(2023, 6, 15), 4)]
    for end, self_described in batches:
        for index in range(13):
            place(
                end,
                "studier" if index % 2 else "arbetssokande",
                gender="kvinna" if index < 6 else "man",
                gender_self_described=SELF_DESCRIBED if index < self_described else "",
            )


def test_tables_2_and_3_show_women_and_men_wherever_each_has_five_or_more(admin_client):
    period_data()
    with time_machine.travel(f"{YEAR + 1}-02-01 12:00 +01:00", tick=False):
        report = annual_report_build(report_id=annual_report_request(year=YEAR).pk)
        out = io.StringIO()
        call_command(
            "annual_report", str(YEAR), "--format", "json", stdout=out, stderr=io.StringIO()
        )
        page = admin_client.get(reverse("annual:print"), {"year": YEAR})
    tables = {table["number"]: table for table in json.loads(out.getvalue())["tables"]}

    total = {row["period"]: row for row in tables["2"]["rows"]}
    by_gender = {(row["period"], row["gender"]): row for row in tables["3"]["rows"]}
    for period in ("T1-2023", "T2-2023", "VB-2023"):
        women, men = by_gender[period, "kvinna"], by_gender[period, "man"]
        assert HIDDEN not in (women["followed_up"], men["followed_up"]), period
        assert women["followed_up"] + men["followed_up"] == total[period]["followed_up"]
        assert women["share_work_or_studies"] is not None

    files = [bytes(report.xlsx), csv_zip_bytes(stored_tables(report), year=YEAR)]
    texts = [page.content.decode(), out.getvalue()]
    for data in files:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts += [archive.read(name).decode("utf-8") for name in archive.namelist()]
    assert page.status_code == 200
    assert "Tabell 3" in texts[0]
    for text in texts:
        assert SELF_DESCRIBED not in text
