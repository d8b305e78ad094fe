import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory, job_type

pytestmark = pytest.mark.django_db

D = datetime.date
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


def ended(end: datetime.date, outcome: str | None, *, gender: str = "kvinna", job: str) -> None:
    placement = PlacementFactory(
        participant=ParticipantFactory(gender=gender),
        job_type=job_type(job),
        start_date=end - datetime.timedelta(days=180),
        planned_end_date=None,
        end_date=end,
        end_reason="completed",
    )
    if outcome is not None:
        FollowUpFactory(
            placement=placement,
            outcome=outcome,
            performed_on=end + datetime.timedelta(days=92) if outcome else None,
        )


@pytest.fixture
def t2_2020_data() -> None:
    """Ended in T2-2020's window (2019-05-01..2020-04-30) unless said otherwise."""
    ended(D(2019, 5, 1), "arbete_osubventionerat", gender="kvinna", job="basanstallning")
    ended(D(2019, 12, 1), "arbete_subventionerat", gender="man", job="basanstallning")
    ended(D(2020, 1, 15), "ej_nadd", gender="kvinna", job="stockholmsvard")
    ended(D(2020, 4, 30), None, gender="man", job="stockholmsvard")
    ended(D(2020, 5, 1), "studier", gender="kvinna", job="basanstallning")  # outside


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("outcome_report", *args, stdout=out)
    return out.getvalue()


def test_json_output_follows_the_contract(t2_2020_data):
    report = json.loads(run("--period", "T2-2020", "--format", "json"))

    assert list(report)[:6] == [
        "period",
        "window_start",
        "window_end",
        "total",
        "by_gender",
        "by_job_type",
    ]
    assert report["period"] == "T2-2020"
    assert report["window_start"] == "2019-05-01"
    assert report["window_end"] == "2020-04-30"
    assert report["total"] == {
        "ended": 4,
        "followed_up": 3,
        "work": 2,
        "work_subsidised": 1,
        "work_unsubsidised": 1,
        "studies": 0,
        "share_work_or_studies": 66.7,
        "coverage": 75.0,
    }
    assert list(report["by_gender"]) == ["kvinna", "man"]
    assert report["by_gender"]["man"]["ended"] == 2
    assert report["by_gender"]["man"]["share_work_or_studies"] == 100.0
    assert report["by_gender"]["kvinna"]["ended"] == 2
    assert report["by_job_type"]["stockholmsvard"]["share_work_or_studies"] == 0.0
    assert report["by_job_type"]["stockholmsvard"]["coverage"] == 50.0
    assert report["by_job_type"]["ungdomsanstallning"]["ended"] == 0
    for key, groups in report.items():
        if key.startswith("by_"):
            assert all(list(cell) == TOTAL_KEYS for cell in groups.values()), key


def test_json_is_the_default_format_and_keeps_non_ascii_text(t2_2020_data):
    output = run("--period", "T2-2020")
    assert json.loads(output)["total"]["ended"] == 4
    assert "\\u" not in output
    assert output.startswith('{\n  "period": "T2-2020"')


def test_from_and_to_give_a_custom_range(t2_2020_data):
    report = json.loads(run("--from", "2019-05-01", "--to", "2020-05-01"))

    assert report["period"] == "2019-05-01..2020-05-01"
    assert report["window_start"] == "2019-05-01"
    assert report["window_end"] == "2020-05-01"
    assert report["total"]["ended"] == 5
    assert report["total"]["studies"] == 1


def test_a_custom_range_equal_to_a_named_period_gives_the_same_figures(t2_2020_data):
    named = json.loads(run("--period", "T2-2020"))
    custom = json.loads(run("--from", "2019-05-01", "--to", "2020-04-30"))
    assert {**custom, "period": "T2-2020"} == named


def test_the_table_shows_counts_and_the_share(t2_2020_data):
    output = run("--period", "T2-2020", "--format", "table")

    assert "T2-2020" in output
    assert "2019-05-01..2020-04-30" in output
    total = next(line for line in output.splitlines() if line.startswith("Total"))
    assert total.split() == ["Total", "4", "3", "2", "1", "1", "0", "66.7", "75.0"]
    assert "Gender" in output
    assert "Job type" in output
    assert "Basanställning" in output
    assert "Other" not in output  # legal gender: women and men
    # A job type with nothing ended has no share and no coverage.
    youth = next(line for line in output.splitlines() if "Ungdomsanställning" in line)
    assert youth.split()[-2:] == ["–", "–"]


def test_table_columns_are_aligned(t2_2020_data):
    lines = run("--period", "T2-2020", "--format", "table").splitlines()
    header = lines[2]
    rows = [line for line in lines[3:] if line.endswith(("%", "0", "–"))]
    assert rows
    assert all(len(row) == len(header) for row in rows)


def test_an_unknown_period_is_refused_with_the_forms_to_use():
    with pytest.raises(CommandError, match=r"Unknown period 'T3-2020': use T1-YYYY"):
        run("--period", "T3-2020")


def test_period_and_a_range_together_are_refused():
    with pytest.raises(CommandError, match="either --period or --from and --to"):
        run("--period", "T2-2020", "--from", "2019-05-01", "--to", "2020-04-30")


def test_no_period_at_all_is_refused():
    with pytest.raises(CommandError, match="Give --period"):
        run()


def test_from_without_to_is_refused():
    with pytest.raises(CommandError, match="both --from and --to"):
        run("--from", "2019-05-01")


def test_a_bad_date_is_refused():
    with pytest.raises(CommandError, match="--to '2020-02-30' is not a date"):
        run("--from", "2019-05-01", "--to", "2020-02-30")


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(CommandError, match="before it starts"):
        run("--from", "2020-05-01", "--to", "2020-04-30")


def test_an_unknown_format_is_refused():
    with pytest.raises(CommandError, match="Unknown format 'xml'"):
        run("--period", "T2-2020", "--format", "xml")


def test_a_repeated_period_prints_a_json_array_of_the_periods_in_order(t2_2020_data):
    many = json.loads(run("--period", "T2-2020", "--period", "T1-2020", "--period", "VB-2020"))

    assert [report["period"] for report in many] == ["T2-2020", "T1-2020", "VB-2020"]
    assert many[0] == json.loads(run("--period", "T2-2020"))
    assert many[2] == json.loads(run("--period", "VB-2020"))


def test_one_period_given_by_keyword_still_prints_one_object(t2_2020_data):
    out = io.StringIO()
    call_command("outcome_report", period="T2-2020", stdout=out)

    assert json.loads(out.getvalue())["period"] == "T2-2020"


def test_a_bad_period_among_several_is_an_error(t2_2020_data):
    with pytest.raises(CommandError, match="T4-2020"):
        run("--period", "T2-2020", "--period", "T4-2020")


def test_several_periods_as_tables_print_one_table_each(t2_2020_data):
    output = run("--period", "T2-2020", "--period", "VB-2020", "--format", "table")

    # Each table opens with its period and window.
    assert "T2-2020" in output and "2019-05-01..2020-04-30" in output
    assert "VB-2020" in output and "2019-09-01..2020-08-31" in output
