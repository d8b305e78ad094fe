"""A CSV in, `outcome_report` out, compared with a hand count of the same CSV."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command

from placements.models import Workplace
from reports.periods import custom_period, parse_period
from tests.factories import make_personnummer
from tests.helpers.reports import hand_count, random_rows

pytestmark = pytest.mark.django_db

WORKPLACE_OF_SETTING = {"ordinary": "Förskolan Gläntan", "adapted": "Snickeriet Hammarby"}
PERSONNUMMER_FORMS = [
    lambda p: p,  # YYYYMMDDNNNN
    lambda p: f"{p[:8]}-{p[8:]}",  # YYYYMMDD-NNNN
    lambda p: f"{p[2:8]}-{p[8:]}",  # YYMMDD-NNNN
    lambda p: p[2:],  # YYMMDDNNNN
]


def write_csv(path, rows: list[dict], delimiter: str) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(
            [
                "followup_outcome",
                "personnummer",
                "first_name",
                "last_name",
                "gender",
                "job_type",
                "workplace",
                "district",
                "start_date",
                "end_date",
                "followup_date",
            ]
        )
        for row in rows:
            # The serial's last digit carries the legal gender.
            number = make_personnummer(row["birth"], 2 * row["person"] + (row["gender"] == "man"))
            ended = row["end"] is not None
            writer.writerow(
                [
                    row["outcome"] or "",
                    PERSONNUMMER_FORMS[row["person"] % 4](number),
                    "Test",
                    f"Person{row['person']}",
                    # Another system's "annat" counts under the legal gender.
                    "annat" if row["self_described"] else row["gender"],
                    row["job_type"],
                    WORKPLACE_OF_SETTING[row["setting"]],
                    row["district"] or "",
                    row["start"].isoformat(),
                    row["end"].isoformat() if ended else "",
                    (row["end"] + datetime.timedelta(days=92)).isoformat()
                    if row["outcome"]
                    else "",
                ]
            )


@pytest.mark.parametrize(("seed", "delimiter"), [(11, ","), (12, ";")])
def test_outcome_report_equals_a_hand_count_of_the_imported_csv(tmp_path, seed, delimiter):
    for setting, name in WORKPLACE_OF_SETTING.items():
        Workplace.objects.create(name=name, setting=setting)
    rows = random_rows(seed, 150)
    # The file format has no funding column: imported placements are Sdf-funded.
    for row in rows:
        row["funding"] = "sdf"
    # 10-digit forms cannot say which century a 100-year-old was born in; keep them young.
    rows = [r for r in rows if r["birth"].year >= 1930]
    path = tmp_path / "placements.csv"
    write_csv(path, rows, delimiter)
    call_command("import_placements", str(path), stdout=io.StringIO(), stderr=io.StringIO())

    periods = [
        *(
            parse_period(f"{kind}-{year}")
            for year in (2018, 2019, 2020)
            for kind in ("T1", "T2", "VB")
        ),
        custom_period(datetime.date(2017, 2, 1), datetime.date(2019, 7, 31)),
    ]
    checked = 0
    for period in periods:
        out = io.StringIO()
        if period.label[0].isdigit():
            call_command(
                "outcome_report",
                "--from",
                period.window_start.isoformat(),
                "--to",
                period.window_end.isoformat(),
                stdout=out,
            )
        else:
            call_command("outcome_report", "--period", period.label, "--format", "json", stdout=out)
        report = json.loads(out.getvalue())
        expected = hand_count(rows, period.window_start, period.window_end)
        for key, value in expected.items():
            assert report[key] == value, (period.label, key)
        checked += report["total"]["followed_up"]
    assert checked > 150  # the periods hold real data, not empty windows
