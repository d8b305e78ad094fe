"""SCB register follow-up: the cohort list sent to SCB and the extract read back."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AccessLogEntry, Action
from core.csv_files import ImportFailed
from followup.models import RegisterOutcome
from followup.register import (
    export_scb_cohort,
    import_register_outcomes,
    measure_years,
)
from participants.models import ConsentFlow
from participants.services import consent_record
from tests.factories import ParticipantFactory, PlacementFactory, make_personnummer

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 25)
CONSENTED_ON = D(2020, 1, 1)


def consent(participant, given=True, on=CONSENTED_ON, flow=ConsentFlow.SCB):
    return consent_record(
        participant=participant, flow=flow, given=given, decided_on=on, recorded_by=None
    )


def person(day: int, *, scb: bool | None = True, withdrawn: bool = False):
    birth = D(1990, 1, day)
    participant = ParticipantFactory(personnummer=make_personnummer(birth, 100 + day))
    if scb is not None:
        consent(participant, given=scb)
    if withdrawn:
        consent(participant, given=False, on=D(2021, 6, 1))
    return participant


def write(tmp_path: Path, lines: list[str], name: str = "scb.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def hyphenated(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


# --- The cohort list ----------------------------------------------------------------------


def test_measure_points_are_two_years_before_and_one_and_two_after():
    assert measure_years(2019) == (2017, 2020, 2021)


def test_the_cohort_list_holds_everyone_ended_that_year_with_current_consent_once():
    with_consent = person(1)
    twice = person(2)
    refused = person(3, scb=False)
    never_asked = person(4, scb=None)
    withdrew = person(5, withdrawn=True)
    other_year = person(6)
    for participant in (with_consent, refused, never_asked, withdrew):
        PlacementFactory(participant=participant, start_date=D(2019, 1, 1), end_date=D(2019, 6, 30))
    PlacementFactory(participant=twice, start_date=D(2019, 1, 1), end_date=D(2019, 3, 31))
    PlacementFactory(participant=twice, start_date=D(2019, 5, 1), end_date=D(2019, 12, 31))
    PlacementFactory(participant=other_year, start_date=D(2019, 1, 1), end_date=D(2020, 1, 31))
    PlacementFactory(participant=person(7), start_date=D(2019, 1, 1), end_date=None)

    stream = io.StringIO()
    export = export_scb_cohort(stream, 2019)

    lines = stream.getvalue().removeprefix("\ufeff").splitlines()
    assert lines[0] == "personnummer,cohort_year,measure_years"
    assert lines[1:] == sorted(
        f"{p.personnummer},2019,2017;2020;2021" for p in (with_consent, twice)
    )
    assert (export.sent, export.without_consent) == (2, 3)
    entry = AccessLogEntry.objects.get(action=Action.EXPORT)
    assert entry.detail == "SCB cohort 2019: 2 personnummer, 3 without consent"
    assert with_consent.personnummer not in entry.detail


def test_the_cohort_command_writes_a_file(tmp_path):
    participant = person(1)
    PlacementFactory(participant=participant, start_date=D(2019, 1, 1), end_date=D(2019, 6, 30))
    out = io.StringIO()

    call_command("export_scb_cohort", "2019", str(tmp_path / "cohort.csv"), stdout=out)

    assert out.getvalue().strip() == (
        f"Wrote 1 personnummer of cohort 2019 to {tmp_path / 'cohort.csv'}; "
        "0 left out without consent to SCB follow-up."
    )
    assert participant.personnummer in (tmp_path / "cohort.csv").read_text("utf-8-sig")


# --- Reading the extract ----------------------------------------------------------------


def test_rows_of_consenting_participants_are_stored_and_the_rest_counted(tmp_path):
    anna, berit = person(1), person(2)
    refused, withdrew = person(3, scb=False), person(4, withdrawn=True)
    stranger = make_personnummer(D(1970, 5, 5), 555)
    path = write(
        tmp_path,
        [
            "personnummer;year;income_source",
            f"{hyphenated(anna.personnummer)};2017;ekonomiskt_bistand",
            f"{anna.personnummer};2020;forvarvsarbete",
            f"{berit.personnummer[2:8]}-{berit.personnummer[8:]};2020;STUDIER",
            f"{refused.personnummer};2020;ovrigt",
            f"{withdrew.personnummer};2020;ovrigt",
            f"{stranger};2020;arbetsloshet",
            "",
        ],
    )

    result = import_register_outcomes(path, today=TODAY)

    assert set(RegisterOutcome.objects.values_list("participant_id", "year", "income_source")) == {
        (anna.pk, 2017, "ekonomiskt_bistand"),
        (anna.pk, 2020, "forvarvsarbete"),
        (berit.pk, 2020, "studier"),
    }
    assert (result.rows, result.stored, result.without_consent, result.not_participants) == (
        6,
        3,
        2,
        1,
    )
    assert result.years == (2017, 2020)
    assert result.summary == (
        "Imported 6 rows for 2017, 2020: 3 stored (0 earlier rows of these years replaced); "
        "left out: 2 without consent to SCB follow-up, 1 not participants."
    )
    logged = set(
        AccessLogEntry.objects.filter(participant_id__isnull=False).values_list(
            "participant_id", flat=True
        )
    )
    assert logged == {anna.pk, berit.pk}


def test_a_file_replaces_its_people_in_its_years_and_leaves_the_rest(tmp_path):
    anna, berit = person(1), person(2)
    RegisterOutcome.objects.create(participant=anna, year=2020, income_source="ovrigt")
    RegisterOutcome.objects.create(participant=berit, year=2020, income_source="ovrigt")
    RegisterOutcome.objects.create(participant=anna, year=2018, income_source="studier")
    path = write(
        tmp_path, ["personnummer,year,income_source", f"{anna.personnummer},2020,forvarvsarbete"]
    )

    result = import_register_outcomes(path, today=TODAY)

    assert result.replaced == 1
    assert set(RegisterOutcome.objects.values_list("participant_id", "year", "income_source")) == {
        (anna.pk, 2020, "forvarvsarbete"),
        (anna.pk, 2018, "studier"),
        # Berit is not in this file (another cohort's order asked about 2020 too).
        (berit.pk, 2020, "ovrigt"),
    }


def test_a_participant_in_the_file_who_withdrew_loses_the_earlier_row_of_that_year(tmp_path):
    anna = person(1, withdrawn=True)
    RegisterOutcome.objects.create(participant=anna, year=2020, income_source="ovrigt")
    path = write(tmp_path, ["personnummer,year,income_source", f"{anna.personnummer},2020,studier"])

    result = import_register_outcomes(path, today=TODAY)

    assert (result.stored, result.replaced, result.without_consent) == (0, 1, 1)
    assert not RegisterOutcome.objects.exists()


def test_every_bad_row_is_listed_and_nothing_is_written(tmp_path):
    anna = person(1)
    RegisterOutcome.objects.create(participant=anna, year=2020, income_source="ovrigt")
    wrong_check_digit = anna.personnummer[:-1] + str((int(anna.personnummer[-1]) + 1) % 10)
    path = write(
        tmp_path,
        [
            "personnummer,year,income_source",
            f"{anna.personnummer},2020,forvarvsarbete",
            f"{wrong_check_digit},2020,studier",
            f"{anna.personnummer},20x0,studier",
            f"{anna.personnummer},2021,lottovinst",
            ",2021,studier",
            f"{anna.personnummer},2020,studier",
            f"{anna.personnummer},2031,studier",
        ],
    )

    with pytest.raises(ImportFailed) as failure:
        import_register_outcomes(path, today=TODAY)

    messages = [str(error) for error in failure.value.errors]
    assert [message.split(":")[0:2] for message in messages] == [
        ["row 3", " personnummer"],
        ["row 4", " year"],
        ["row 5", " income_source"],
        ["row 6", " personnummer"],
        ["row 7", " personnummer"],
        ["row 8", " year"],
    ]
    assert "the same person and year as row 2" in messages[4]
    assert "lottovinst" in messages[2] and "forvarvsarbete" in messages[2]
    assert list(RegisterOutcome.objects.values_list("income_source", flat=True)) == ["ovrigt"]


def test_a_file_without_the_columns_is_refused_as_a_whole(tmp_path):
    path = write(tmp_path, ["personnummer,year", "198001011234,2020"])

    with pytest.raises(ImportFailed) as failure:
        import_register_outcomes(path, today=TODAY)

    assert str(failure.value).startswith("row 1: header: missing required columns: income_source")


def test_the_import_command_reports_and_fails_with_exit_status_1(tmp_path):
    anna = person(1)
    good = write(tmp_path, ["personnummer,year,income_source", f"{anna.personnummer},2020,studier"])
    bad = write(tmp_path, ["personnummer,year,income_source", "x,2020,studier"], name="bad.csv")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_register_outcomes", str(good), stdout=out)
    with pytest.raises(CommandError) as failure:
        call_command("import_register_outcomes", str(bad), stdout=io.StringIO(), stderr=err)

    assert out.getvalue().startswith("Imported 1 rows for 2020: 1 stored")
    assert failure.value.returncode == 1
    assert err.getvalue().startswith("row 2: personnummer:")
    assert RegisterOutcome.objects.count() == 1
