"""The placements CSV contract (DESIGN §5): import_placements and export_placements."""

import csv
import datetime
import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections
from django.test.utils import CaptureQueriesContext

from casework.placement_csv import COLUMNS, REQUIRED_COLUMNS
from casework.placement_export import export_placements
from casework.placement_import import ImportFailed, RowError, import_placements
from followup.models import FollowUp
from participants.models import District, Participant, Unit
from participants.personnummer import legal_gender, luhn_check_digit
from placements.models import Placement, Workplace
from reports.periods import parse_period
from tests.factories import (
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    UnitFactory,
    WorkplaceFactory,
    job_type,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

D = datetime.date

# Valid numbers (check digits computed), in every written form the contract accepts.
# The serial's last digit is the legal gender: even for women, odd for men.
ANNA = make_personnummer(D(1985, 7, 9), 124)  # 12 digits
BERIT = make_personnummer(D(1990, 1, 15), 246)
CARL = make_personnummer(D(2001, 3, 3), 357)
DAVID = make_personnummer(D(1920, 10, 5), 469)  # over 100: "+" in the 10-digit form


def samordningsnummer(birth: datetime.date, serial: int) -> str:
    """A coordination number: the day of birth plus 60, with its own check digit."""
    nine = f"{birth:%y%m}{birth.day + 60:02d}{serial:03d}"
    return f"{birth:%Y%m}{birth.day + 60:02d}{serial:03d}{luhn_check_digit(nine)}"


EVA = samordningsnummer(D(1979, 12, 11), 579)
WRONG_CHECK_DIGIT = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)


def hyphen(number: str) -> str:
    return f"{number[:8]}-{number[8:]}"


def ten_digits(number: str, separator: str = "-") -> str:
    return f"{number[2:8]}{separator}{number[8:]}"


def row(**values: str) -> dict[str, str]:
    number = values.get("personnummer", ANNA)
    base = {
        "personnummer": ANNA,
        "first_name": "Anna",
        "last_name": "Andersson",
        "gender": legal_gender(number) if number[-2:-1].isdigit() else "",
        "job_type": "basanstallning",
        "workplace": "Förskolan Solrosen",
        "district": "",
        "start_date": "2020-01-01",
        "end_date": "",
        "end_reason": "",
        "followup_date": "",
        "followup_outcome": "",
    }
    base.update(values)
    return base


def write(
    tmp_path: Path,
    rows: list[dict[str, str]],
    *,
    columns: tuple[str, ...] | list[str] = COLUMNS,
    delimiter: str = ",",
    encoding: str = "utf-8",
    name: str = "placements.csv",
) -> Path:
    path = tmp_path / name
    with open(path, "w", encoding=encoding, newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(column, "") for column in columns])
    return path


def run_import(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_placements", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_import(path: Path, *args: str) -> list[str]:
    """Run an import that must fail; return the lines it wrote to stderr."""
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_placements", str(path), *args, stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue().splitlines()


def counts() -> dict[str, int]:
    return {
        "participants": Participant.objects.count(),
        "placements": Placement.objects.count(),
        "followups": FollowUp.objects.count(),
        "workplaces": Workplace.objects.count(),
        "units": Unit.objects.count(),
    }


def snapshot() -> set[tuple]:
    """Everything the format carries, keyed by what identifies it."""
    return {
        (
            p.participant.personnummer,
            p.participant.first_name,
            p.participant.last_name,
            p.participant.gender,
            p.participant.birth_date,
            p.participant.district.code if p.participant.district else None,
            p.job_type.code,
            p.workplace.name,
            p.start_date,
            p.end_date,
            p.end_reason,
            getattr(p, "followup", None) and p.followup.due_date,
            getattr(p, "followup", None) and p.followup.performed_on,
            getattr(p, "followup", None) and p.followup.outcome,
        )
        for p in Placement.objects.select_related(
            "participant__district", "job_type", "workplace", "followup"
        )
    }


# --- importing good files --------------------------------------------------


@time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_import_accepts_every_personnummer_form_and_stores_twelve_digits(tmp_path):
    path = write(
        tmp_path,
        [
            row(personnummer=ANNA, end_date="2020-12-31"),
            row(personnummer=hyphen(BERIT), first_name="Berit"),
            row(personnummer=ten_digits(CARL), first_name="Carl", gender="man"),
            row(personnummer=ten_digits(DAVID, "+"), first_name="David", gender="man"),
            row(personnummer=ten_digits(EVA), first_name="Eva"),
            row(personnummer=f" {ten_digits(ANNA, '')} ", start_date="2021-06-01"),
        ],
    )

    out, err = run_import(path)

    stored = dict(Participant.objects.values_list("personnummer", "birth_date"))
    assert stored == {
        ANNA: D(1985, 7, 9),
        BERIT: D(1990, 1, 15),
        CARL: D(2001, 3, 3),
        DAVID: D(1920, 10, 5),
        EVA: D(1979, 12, 11),
    }
    # "850709NNNN" without a separator is Anna's second placement, not a new person.
    assert Participant.objects.get(personnummer=ANNA).placements.count() == 2
    assert out.strip() == (
        "Imported 6 rows: 5 participants created, 0 updated, "
        "6 placements created, 0 updated, 0 follow-ups registered."
    )
    assert err == ""


def test_import_creates_participants_in_the_import_unit_enrolled_on_their_first_start(
    tmp_path,
):
    path = write(
        tmp_path,
        [
            row(start_date="2021-03-01"),
            row(start_date="2019-02-01", end_date="2019-12-31"),
        ],
    )

    run_import(path)

    anna = Participant.objects.get()
    assert anna.unit.name == "Import"
    assert anna.enrolled_on == D(2019, 2, 1)
    assert (anna.first_name, anna.last_name, anna.gender) == ("Anna", "Andersson", "kvinna")
    assert anna.coach is None
    ended = anna.placements.get(start_date=D(2019, 2, 1))
    assert ended.end_reason == "completed"  # an end date without a reason
    assert ended.funding == "sdf"
    assert anna.placements.get(start_date=D(2021, 3, 1)).end_date is None


def test_import_puts_new_participants_in_the_unit_given(tmp_path):
    UnitFactory(name="Jobbtorg Järva")
    path = write(tmp_path, [row()])

    run_import(path, "--unit", "Jobbtorg Järva")

    assert Participant.objects.get().unit.name == "Jobbtorg Järva"
    assert not Unit.objects.filter(name="Import").exists()


def test_import_refuses_an_unknown_unit(tmp_path):
    path = write(tmp_path, [row()])

    with pytest.raises(CommandError, match="no unit named 'Nowhere'"):
        run_import(path, "--unit", "Nowhere")
    assert Participant.objects.count() == 0


def test_import_reads_a_bom_semicolons_and_columns_in_another_order(tmp_path):
    columns = list(reversed(COLUMNS))
    path = write(
        tmp_path,
        [
            row(first_name="Åsa", last_name="Öberg", district="SÖDERMALM"),
            row(
                personnummer=BERIT,
                first_name="Berit",
                district="rinkeby-kista",
                end_date="2020-06-30",
                end_reason="work",
                followup_date="2020-09-30",
                followup_outcome="arbete_osubventionerat",
            ),
        ],
        columns=columns,
        delimiter=";",
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    run_import(path)

    asa = Participant.objects.get(personnummer=ANNA)
    assert (asa.first_name, asa.last_name) == ("Åsa", "Öberg")
    assert asa.district.code == "sodermalm"
    berit = Participant.objects.get(personnummer=BERIT)
    assert berit.district.name == "Rinkeby-Kista"
    placement = berit.placements.get()
    assert (placement.end_date, placement.end_reason) == (D(2020, 6, 30), "work")
    assert placement.followup.outcome == "arbete_osubventionerat"
    assert placement.followup.performed_on == D(2020, 9, 30)


def test_import_reads_header_names_in_any_case(tmp_path):
    path = tmp_path / "upper.csv"
    path.write_text(
        ",".join(c.upper() for c in COLUMNS) + "\r\n" + ",".join(row().values()) + "\r\n",
        encoding="utf-8",
    )

    run_import(path)

    assert Placement.objects.count() == 1


def test_import_needs_only_the_required_columns(tmp_path):
    path = write(tmp_path, [row()], columns=REQUIRED_COLUMNS)

    run_import(path)

    placement = Placement.objects.get()
    assert placement.end_date is None
    assert placement.participant.district is None


def test_import_opens_follow_ups_due_three_calendar_months_after_the_end(tmp_path):
    # Month ends clamp: 30 Nov + 3 months is 28 Feb, or 29 Feb in a leap year.
    path = write(
        tmp_path,
        [
            row(personnummer=ANNA, start_date="2020-01-01", end_date="2020-11-30"),
            row(personnummer=BERIT, start_date="2019-01-01", end_date="2019-11-30"),
            row(personnummer=CARL, start_date="2019-01-01", end_date="2019-12-31"),
            row(personnummer=EVA, start_date="2020-01-01", end_date="2020-05-31"),
        ],
    )

    run_import(path)

    due = dict(FollowUp.objects.values_list("placement__participant__personnummer", "due_date"))
    assert due == {
        ANNA: D(2021, 2, 28),
        BERIT: D(2020, 2, 29),
        CARL: D(2020, 3, 31),
        EVA: D(2020, 8, 31),
    }
    assert not FollowUp.objects.filter(performed_on__isnull=False).exists()


def test_import_keeps_window_boundary_end_dates_exact(tmp_path):
    # T2-2020 reports on placements ended 2019-05-01..2020-04-30: the first and
    # last day are in, the days just outside are out.
    ends = {
        ANNA: "2019-04-30",
        BERIT: "2019-05-01",
        CARL: "2020-04-30",
        EVA: "2020-05-01",
    }
    path = write(
        tmp_path,
        [
            row(
                personnummer=number,
                start_date="2019-01-01",
                end_date=end,
                followup_date=end,  # on the day it ended: allowed
                followup_outcome="studier",
            )
            for number, end in ends.items()
        ],
    )

    run_import(path)

    period = parse_period("T2-2020")
    in_window = Placement.objects.ended_between(period.window_start, period.window_end)
    assert sorted(in_window.values_list("participant__personnummer", flat=True)) == sorted(
        [BERIT, CARL]
    )
    assert FollowUp.objects.filter(outcome="studier").count() == 4


def test_import_registers_ej_nadd_and_leaves_missing_follow_ups_open(tmp_path):
    path = write(
        tmp_path,
        [
            row(
                personnummer=ANNA,
                end_date="2020-06-30",
                followup_date="2020-10-02",
                followup_outcome="ej_nadd",
            ),
            row(personnummer=BERIT, end_date="2020-06-30"),
            row(personnummer=CARL, end_date=""),
        ],
    )

    out, _err = run_import(path)

    not_reached = FollowUp.objects.get(placement__participant__personnummer=ANNA)
    assert (not_reached.outcome, not_reached.performed_on) == ("ej_nadd", D(2020, 10, 2))
    missing = FollowUp.objects.get(placement__participant__personnummer=BERIT)
    assert (missing.outcome, missing.performed_on) == ("", None)
    assert not FollowUp.objects.filter(placement__participant__personnummer=CARL).exists()
    assert "1 follow-ups registered" in out


def test_import_records_who_registered_the_follow_ups(tmp_path, coach):
    path = write(
        tmp_path,
        [row(end_date="2020-06-30", followup_date="2020-10-01", followup_outcome="studier")],
    )

    import_placements(path, imported_by=coach)

    assert FollowUp.objects.get().performed_by == coach


def test_participant_with_two_placements_is_one_participant(tmp_path):
    path = write(
        tmp_path,
        [
            row(
                start_date="2019-01-01",
                end_date="2019-12-31",
                job_type="ungdomsanstallning",
                followup_date="2020-03-31",
                followup_outcome="arbetssokande",
            ),
            row(
                personnummer=hyphen(ANNA),
                start_date="2020-02-01",
                job_type="basanstallning",
                workplace="Stadsbiblioteket",
            ),
        ],
    )

    out, _err = run_import(path)

    anna = Participant.objects.get()
    assert list(
        anna.placements.order_by("start_date").values_list("job_type__code", flat=True)
    ) == [
        "ungdomsanstallning",
        "basanstallning",
    ]
    assert set(Workplace.objects.values_list("name", flat=True)) == {
        "Förskolan Solrosen",
        "Stadsbiblioteket",
    }
    assert out.strip() == (
        "Imported 2 rows: 1 participants created, 0 updated, "
        "2 placements created, 0 updated, 1 follow-ups registered."
    )


def test_import_updates_the_placement_with_the_same_personnummer_and_start_date(tmp_path):
    anna = ParticipantFactory(personnummer=ANNA, birth_date=D(1985, 7, 9), first_name="Ana")
    placement = PlacementFactory(participant=anna, start_date=D(2020, 2, 1))
    workplace = WorkplaceFactory(name="Stadsbiblioteket")
    path = write(
        tmp_path,
        [
            row(
                personnummer=ten_digits(ANNA),
                first_name="Anna",
                last_name=anna.last_name,
                district="farsta",
                start_date="2020-02-01",
                end_date="2020-12-31",
                end_reason="studies",
                job_type="serviceassistent",
                workplace="Stadsbiblioteket",
                followup_date="2021-03-15",
                followup_outcome="studier",
            )
        ],
    )
    before = counts()

    out, _err = run_import(path)

    assert counts() == {**before, "followups": before["followups"] + 1}
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason) == (D(2020, 12, 31), "studies")
    assert (placement.job_type.code, placement.workplace) == ("serviceassistent", workplace)
    assert placement.planned_end_date == D(2021, 1, 31)  # not in the format: kept
    assert placement.followup.due_date == D(2021, 3, 31)
    anna.refresh_from_db()
    assert (anna.first_name, anna.district.code) == ("Anna", "farsta")
    assert anna.enrolled_on == D(2020, 1, 15)  # kept
    assert out.strip() == (
        "Imported 1 rows: 0 participants created, 1 updated, "
        "0 placements created, 1 updated, 1 follow-ups registered."
    )


def test_an_empty_district_cell_keeps_the_participants_district(tmp_path):
    farsta = District.objects.get(code="farsta")
    ParticipantFactory(
        personnummer=ANNA,
        birth_date=D(1985, 7, 9),
        first_name="Anna",
        last_name="Andersson",
        district=farsta,
    )
    path = write(tmp_path, [row(district="")])

    out, _err = run_import(path)

    assert Participant.objects.get().district == farsta
    assert "0 participants created, 0 updated" in out


def test_import_keeps_a_registered_follow_up_when_the_file_has_none(tmp_path):
    followup = FollowUpFactory(
        placement__participant__personnummer=ANNA,
        placement__participant__birth_date=D(1985, 7, 9),
        placement__start_date=D(2020, 2, 1),
        placement__end_date=D(2021, 1, 31),
        placement__end_reason="work",
        performed_on=D(2021, 5, 1),
        outcome="arbete_subventionerat",
    )
    path = write(tmp_path, [row(start_date="2020-02-01", end_date="2021-01-31")])

    run_import(path)

    followup.refresh_from_db()
    assert (followup.performed_on, followup.outcome) == (D(2021, 5, 1), "arbete_subventionerat")
    assert followup.placement.end_reason == "work"  # same end date: its reason is kept


def test_import_ignores_unknown_columns_with_a_warning(tmp_path):
    path = write(tmp_path, [row()], columns=[*COLUMNS, "comment", "Handläggare"])

    _out, err = run_import(path)

    assert err.strip() == "warning: ignored unknown columns: comment, Handläggare"
    assert Placement.objects.count() == 1


def test_import_skips_blank_lines_but_counts_them_as_spreadsheet_rows(tmp_path):
    path = tmp_path / "blank.csv"
    header = ",".join(COLUMNS)
    good = ",".join(row().values())
    bad = ",".join(row(personnummer=BERIT, gender="x").values())
    path.write_text(f"{header}\r\n{good}\r\n,,,,,,,,,,,\r\n\r\n{bad}\r\n", encoding="utf-8")

    assert failing_import(path) == [
        "row 5: gender: unknown code “x”; use one of kvinna, man, annat",
    ]


def test_import_placements_reads_binary_and_text_streams():
    text = ",".join(COLUMNS) + "\n" + ",".join(row().values()) + "\n"

    result = import_placements(io.BytesIO(("\ufeff" + text).encode()))
    assert result.placements_created == 1
    again = import_placements(io.StringIO("\ufeff" + text.replace(",", ";")))
    assert (again.placements_created, again.placements_updated) == (0, 0)


# --- rejecting bad files ---------------------------------------------------


def test_import_rejects_several_bad_rows_reports_each_and_writes_nothing(tmp_path):
    ParticipantFactory(personnummer=BERIT, birth_date=D(1990, 1, 15))
    PlacementFactory(
        participant=Participant.objects.get(personnummer=BERIT),
        start_date=D(2020, 1, 1),
        end_date=None,
    )
    rows = [
        row(workplace="Ny arbetsplats"),  # row 2: fine on its own
        row(personnummer=WRONG_CHECK_DIGIT, start_date="2021-01-01"),  # 3: check digit
        row(personnummer=CARL, start_date="2020/01/01", gender="man "),  # 4: date
        row(personnummer=EVA, job_type="snickare", gender="kvinnan"),  # 5: two problems
        row(personnummer=DAVID, end_date="2019-12-31"),  # 6: end before start
        row(personnummer=ANNA, start_date="2020-06-01"),  # 7: overlaps row 2 (ongoing)
        row(  # 8: an outcome on a placement that has not ended; unknown district
            personnummer=make_personnummer(D(1995, 5, 5), 111),
            district="Gotham",
            followup_date="2020-09-01",
            followup_outcome="studier",
        ),
        row(  # 9: unknown outcome code
            personnummer=make_personnummer(D(1996, 6, 6), 222),
            end_date="2020-06-30",
            followup_date="2020-09-30",
            followup_outcome="jobb",
        ),
        row(personnummer=ANNA, first_name="Annie", start_date="2018-01-01", end_date="2018-06-30"),
        row(personnummer=hyphen(BERIT), start_date="2021-01-01"),  # 11: overlaps the database
        row(  # 12: follow-up before the end
            personnummer=make_personnummer(D(1997, 7, 7), 333),
            end_date="2020-06-30",
            followup_date="2020-06-29",
            followup_outcome="studier",
        ),
    ]
    path = write(tmp_path, rows)
    before = counts()

    errors = failing_import(path)

    assert errors == [
        "row 3: personnummer: Invalid check digit.",
        "row 4: start_date: “2020/01/01” is not a date in the form YYYY-MM-DD",
        "row 5: gender: unknown code “kvinnan”; use one of kvinna, man, annat",
        "row 5: job_type: unknown job type “snickare”; use one of arbetslagsanstallning, "
        "basanstallning, jobbstartsanstallning, serviceassistent, stockholmsvard, "
        "ungdomsanstallning",
        "row 6: end_date: the end date 2019-12-31 is before the start date 2020-01-01",
        "row 7: start_date: overlaps the placement 2020-01-01– (ongoing) on row 2",
        "row 8: district: unknown district “Gotham”; give its code or name",
        "row 8: followup_outcome: the placement has no end date; "
        "only an ended placement is followed up",
        "row 9: followup_outcome: unknown code “jobb”; use one of arbete_osubventionerat, "
        "arbete_subventionerat, studier, arbetssokande, annan_insats, sjukskriven, "
        "foraldraledig, ej_nadd",
        "row 10: first_name: “Annie” differs from “Anna” on row 2 for the same personnummer",
        "row 11: start_date: overlaps the placement 2020-01-01– (ongoing) in the database",
        "row 12: followup_date: the follow-up date 2020-06-29 is before the end date 2020-06-30",
    ]
    assert counts() == before
    assert not Workplace.objects.filter(name="Ny arbetsplats").exists()


def test_command_line_exit_status_is_1_with_the_errors_on_stderr(tmp_path, capsys, monkeypatch):
    path = write(tmp_path, [row(), row(personnummer=BERIT, start_date="01/02/2020")])
    # The command line closes connections when done; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_placements", str(path)]).execute()

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "row 3: start_date: “01/02/2020” is not a date in the form YYYY-MM-DD" in err
    assert Participant.objects.count() == 0


def test_overlapping_placements_within_the_file_are_rejected(tmp_path):
    path = write(
        tmp_path,
        [
            row(start_date="2020-01-01", end_date="2020-06-30"),
            row(start_date="2020-06-30", end_date="2020-12-31"),  # shares a day
            row(start_date="2021-01-01", end_date="2021-03-31"),  # adjacent: fine
            row(start_date="2020-03-01", end_date="2020-04-30"),  # inside the first
        ],
    )

    assert failing_import(path) == [
        "row 3: start_date: overlaps the placement 2020-01-01–2020-06-30 on row 2",
        "row 5: start_date: overlaps the placement 2020-01-01–2020-06-30 on row 2",
    ]
    assert Placement.objects.count() == 0


def test_a_row_ending_into_a_database_placement_is_reported_on_its_end_date(tmp_path):
    anna = ParticipantFactory(personnummer=ANNA, birth_date=D(1985, 7, 9))
    PlacementFactory(participant=anna, start_date=D(2020, 6, 1), end_date=None)
    path = write(tmp_path, [row(start_date="2020-01-01", end_date="2020-06-01")])

    assert failing_import(path) == [
        "row 2: end_date: overlaps the placement 2020-06-01– (ongoing) in the database",
    ]


def test_a_repeated_personnummer_and_start_date_is_rejected(tmp_path):
    path = write(tmp_path, [row(), row(personnummer=hyphen(ANNA), job_type="serviceassistent")])

    assert failing_import(path) == [
        "row 3: start_date: the same personnummer and start date as row 2",
    ]


def test_conflicting_names_and_districts_for_one_personnummer_are_rejected(tmp_path):
    path = write(
        tmp_path,
        [
            row(start_date="2019-01-01", end_date="2019-06-30", district="farsta"),
            row(start_date="2020-01-01", last_name="Berg", district="Bromma"),
        ],
    )

    assert failing_import(path) == [
        "row 3: last_name: “Berg” differs from “Andersson” on row 2 for the same personnummer",
        "row 3: district: differs from the district on row 2 for the same personnummer",
    ]


def test_a_gender_that_disagrees_with_the_personnummer_is_a_row_error(tmp_path):
    path = write(
        tmp_path,
        [
            row(personnummer=ANNA, gender="man"),
            row(personnummer=hyphen(CARL), gender="kvinna"),
            row(personnummer=ten_digits(EVA), gender="Kvinna"),
            row(personnummer=BERIT, gender="kvinna"),
        ],
    )
    before = counts()

    assert failing_import(path) == [
        "row 2: gender: does not match the personnummer",
        "row 3: gender: does not match the personnummer",
        "row 4: gender: does not match the personnummer",
    ]
    assert counts() == before


def test_gender_is_optional_and_annat_counts_under_the_legal_gender(tmp_path):
    columns = tuple(column for column in COLUMNS if column != "gender")
    without = write(tmp_path, [row(personnummer=ANNA)], columns=columns, name="without.csv")
    annat = write(
        tmp_path,
        [
            row(personnummer=CARL, gender="annat"),
            row(personnummer=EVA, gender="ANNAT"),
            row(personnummer=BERIT, gender=""),
            row(personnummer=DAVID, gender="man"),
        ],
        name="annat.csv",
    )

    out, _err = run_import(without)
    assert "annat" not in out
    out, _err = run_import(annat)

    assert "2 rows gave gender “annat”: counted under the legal gender" in out
    genders = dict(Participant.objects.values_list("personnummer", "gender"))
    assert genders == {ANNA: "kvinna", CARL: "man", EVA: "man", BERIT: "kvinna", DAVID: "man"}
    # A file's "annat" is not the person's own description: nothing sensitive is stored.
    assert not Participant.objects.exclude(gender_self_described="").exists()
    # The export writes the legal gender.
    exported = io.StringIO()
    export_placements(exported)
    exported.seek(0)
    by_number = {
        line["personnummer"].replace("-", ""): line["gender"]
        for line in csv.DictReader(io.StringIO(exported.getvalue().lstrip("\ufeff")))
    }
    assert by_number == genders


def test_incomplete_follow_ups_and_end_reasons_are_rejected(tmp_path):
    path = write(
        tmp_path,
        [
            row(personnummer=ANNA, end_date="2020-06-30", followup_outcome="studier"),
            row(personnummer=BERIT, end_date="2020-06-30", followup_date="2020-10-01"),
            row(personnummer=CARL, end_reason="work"),
            row(personnummer=EVA, end_date="2020-06-30", end_reason="fired"),
        ],
    )

    assert failing_import(path) == [
        "row 2: followup_date: a follow-up outcome needs the follow-up date",
        "row 3: followup_outcome: a follow-up date needs an outcome",
        "row 4: end_reason: an end reason needs an end date",
        "row 5: end_reason: unknown code “fired”; use one of completed, work, studies, "
        "illness, dismissed, own_request, other",
    ]


def test_required_cells_are_reported(tmp_path):
    path = write(
        tmp_path,
        [row(personnummer="", first_name="", last_name=" ", gender="", job_type="", workplace="")],
    )

    # Gender is optional: the personnummer carries it.
    assert failing_import(path) == [
        "row 2: personnummer: required",
        "row 2: first_name: required",
        "row 2: last_name: required",
        "row 2: job_type: required",
        "row 2: workplace: required",
    ]


def test_a_registered_follow_up_cannot_be_reopened_by_an_empty_end_date(tmp_path):
    FollowUpFactory(
        placement__participant__personnummer=ANNA,
        placement__participant__birth_date=D(1985, 7, 9),
        placement__start_date=D(2020, 2, 1),
        placement__end_date=D(2021, 1, 31),
        performed_on=D(2021, 5, 1),
        outcome="studier",
    )
    path = write(tmp_path, [row(start_date="2020-02-01", end_date="")])

    assert failing_import(path) == [
        "row 2: end_date: the placement has a follow-up registered on 2021-05-01; "
        "give its end date (it cannot become ongoing)",
    ]


def test_an_unregistered_follow_up_goes_when_the_placement_is_ongoing_again(tmp_path):
    followup = FollowUpFactory(
        placement__participant__personnummer=ANNA,
        placement__participant__birth_date=D(1985, 7, 9),
        placement__start_date=D(2020, 2, 1),
        placement__end_date=D(2021, 1, 31),
    )
    path = write(tmp_path, [row(start_date="2020-02-01", end_date="")])

    run_import(path)

    placement = Placement.objects.get()
    assert (placement.end_date, placement.end_reason) == (None, "")
    assert not FollowUp.objects.filter(pk=followup.pk).exists()


def test_missing_required_columns_are_one_error_naming_them(tmp_path):
    columns = [c for c in COLUMNS if c not in {"first_name", "start_date"}]
    path = write(tmp_path, [row()], columns=columns)

    errors = failing_import(path)

    assert len(errors) == 1
    assert errors[0].startswith("row 1: header: missing required columns: first_name, start_date")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "row 1: file: the file is empty"),
        ("\ufeff\r\n", "row 1: file: the file is empty"),
        (",".join(COLUMNS) + "\r\n", "row 2: file: the file has a header but no data rows"),
    ],
)
def test_empty_files_are_rejected_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")

    errors = failing_import(path)

    assert len(errors) == 1
    assert errors[0].startswith(message)


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    rows = [row(workplace="Parken"), row(personnummer=BERIT, first_name="Åke", workplace="Parken")]
    path = write(tmp_path, rows, encoding="cp1252")

    assert failing_import(path) == [
        "row 3: file: the file is not UTF-8 text; in Excel save it as “CSV UTF-8”"
    ]


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run_import(tmp_path / "nothing.csv")


def test_a_database_error_while_writing_rolls_everything_back(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise IntegrityError("simulated failure")

    path = write(
        tmp_path,
        [row(workplace="Ny arbetsplats", end_date="2020-06-30")],
    )
    before = counts()
    # Fails at the very last write, after workplaces, participants and placements.
    monkeypatch.setattr(FollowUp.objects, "bulk_create", refuse)

    with pytest.raises(CommandError, match="Nothing was imported"):
        run_import(path)

    assert counts() == before


# --- exporting and round trips ---------------------------------------------


@pytest.fixture
def programme():
    """Two participants, one with two placements, ended and ongoing, with and without follow-ups."""
    farsta = District.objects.get(code="farsta")
    anna = ParticipantFactory(
        personnummer=ANNA,
        birth_date=D(1985, 7, 9),
        first_name="Anna",
        last_name="Åström",
        district=farsta,
    )
    berit = ParticipantFactory(
        personnummer=BERIT, birth_date=D(1990, 1, 15), first_name="Berit", district=None
    )
    calle = ParticipantFactory(
        personnummer=EVA, birth_date=D(1979, 12, 11), first_name='Carl, "Calle"', gender="man"
    )
    first = PlacementFactory(
        participant=anna,
        start_date=D(2019, 1, 1),
        end_date=D(2019, 12, 31),
        end_reason="work",
        job_type=job_type("ungdomsanstallning"),
    )
    FollowUpFactory(placement=first, performed_on=D(2020, 3, 31), outcome="arbete_subventionerat")
    PlacementFactory(participant=anna, start_date=D(2020, 2, 1), end_date=None)
    ended = PlacementFactory(
        participant=berit, start_date=D(2019, 5, 1), end_date=D(2020, 4, 30), end_reason="illness"
    )
    FollowUpFactory(placement=ended)  # due, not yet performed
    not_reached = PlacementFactory(
        participant=calle, start_date=D(2019, 9, 1), end_date=D(2020, 8, 31), end_reason="completed"
    )
    FollowUpFactory(placement=not_reached, performed_on=D(2020, 12, 1), outcome="ej_nadd")
    return [anna, berit, calle]


def export_text() -> str:
    buffer = io.StringIO()
    export_placements(buffer)
    return buffer.getvalue()


def test_export_writes_the_contract_format_in_personnummer_and_start_order(programme):
    text = export_text()

    assert text.startswith("\ufeff" + ",".join(COLUMNS) + "\r\n")
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert lines[0] == list(COLUMNS)
    assert [(line[0], line[7]) for line in lines[1:]] == [
        (hyphen(EVA), "2019-09-01"),
        (hyphen(ANNA), "2019-01-01"),
        (hyphen(ANNA), "2020-02-01"),
        (hyphen(BERIT), "2019-05-01"),
    ]
    assert lines[2] == [
        hyphen(ANNA),
        "Anna",
        "Åström",
        "kvinna",
        "ungdomsanstallning",
        lines[2][5],
        "farsta",
        "2019-01-01",
        "2019-12-31",
        "work",
        "2020-03-31",
        "arbete_subventionerat",
    ]
    assert lines[3][8:] == ["", "", "", ""]  # ongoing
    assert lines[4][6] == "" and lines[4][10:] == ["", ""]  # no district, follow-up not done
    assert lines[1][1] == 'Carl, "Calle"'


def test_export_runs_a_bounded_number_of_queries(programme):
    with CaptureQueriesContext(connection) as queries:
        export_text()

    assert len(queries) <= 2


def test_export_command_writes_a_file_and_to_stdout(programme, tmp_path):
    path = tmp_path / "export.csv"
    out = io.StringIO()
    call_command("export_placements", str(path), stdout=out)
    assert out.getvalue().strip() == f"Exported 4 placements to {path}."
    assert path.read_bytes().startswith(b"\xef\xbb\xbfpersonnummer,first_name,")

    stdout = io.StringIO()
    call_command("export_placements", "-", stdout=stdout)
    assert stdout.getvalue().encode() == path.read_bytes()


def test_export_then_import_into_an_empty_database_reproduces_everything(programme, tmp_path):
    before = snapshot()
    path = tmp_path / "export.csv"
    call_command("export_placements", str(path), stdout=io.StringIO())
    Placement.objects.all().delete()
    Participant.objects.all().delete()
    Workplace.objects.all().delete()
    assert FollowUp.objects.count() == 0

    out, _err = run_import(path)

    assert snapshot() == before
    assert out.strip() == (
        "Imported 4 rows: 3 participants created, 0 updated, "
        "4 placements created, 0 updated, 2 follow-ups registered."
    )
    assert FollowUp.objects.count() == 3


def test_importing_an_export_into_the_same_database_changes_nothing(programme, tmp_path):
    path = tmp_path / "export.csv"
    call_command("export_placements", str(path), stdout=io.StringIO())
    before = snapshot()
    stamps = (
        list(Participant.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(Placement.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(FollowUp.objects.order_by("pk").values_list("updated_at", flat=True)),
    )
    counts_before = counts()

    out, _err = run_import(path)

    assert out.strip() == (
        "Imported 4 rows: 0 participants created, 0 updated, "
        "0 placements created, 0 updated, 0 follow-ups registered."
    )
    assert snapshot() == before
    assert counts() == counts_before
    assert stamps == (
        list(Participant.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(Placement.objects.order_by("pk").values_list("updated_at", flat=True)),
        list(FollowUp.objects.order_by("pk").values_list("updated_at", flat=True)),
    )


def test_import_query_count_does_not_grow_with_the_rows(tmp_path):
    def generated(count: int, offset: int) -> list[dict[str, str]]:
        return [
            row(
                personnummer=make_personnummer(D(1980, 1, 1) + datetime.timedelta(days=n), n),
                start_date="2020-01-01",
                end_date="2020-12-31",
                workplace=f"Arbetsplats {n % 7}",
                followup_date="2021-04-01" if n % 2 else "",
                followup_outcome="studier" if n % 2 else "",
            )
            for n in range(offset, offset + count)
        ]

    def queries_for(count: int, offset: int) -> int:
        path = write(tmp_path, generated(count, offset), name=f"rows{count}.csv")
        with CaptureQueriesContext(connection) as queries:
            import_placements(path)
        return len(queries)

    small, large = queries_for(10, 0), queries_for(100, 100)

    assert Placement.objects.count() == 110
    assert large <= small + 2
    assert large < 30


def test_import_failed_lists_row_errors():
    failure = ImportFailed([RowError(2, "gender", "required"), RowError(3, "job_type", "x")])

    assert str(failure) == "row 2: gender: required\nrow 3: job_type: x"


def test_a_later_end_date_cannot_leave_a_registered_follow_up_before_it(tmp_path):
    FollowUpFactory(
        placement__participant__personnummer=ANNA,
        placement__participant__birth_date=D(1985, 7, 9),
        placement__start_date=D(2020, 2, 1),
        placement__end_date=D(2021, 1, 31),
        performed_on=D(2021, 5, 1),
        outcome="studier",
    )
    path = write(tmp_path, [row(start_date="2020-02-01", end_date="2021-06-30")])

    assert failing_import(path) == [
        "row 2: end_date: the follow-up registered on 2021-05-01 is before this end date",
    ]


def test_import_reads_standard_input_for_a_dash(monkeypatch):
    text = ",".join(COLUMNS) + "\r\n" + ",".join(row().values()) + "\r\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8-sig"))))

    out = io.StringIO()
    call_command("import_placements", "-", stdout=out, stderr=io.StringIO())

    assert out.getvalue().startswith("Imported 1 rows: 1 participants created")


def test_names_that_look_like_formulas_are_exported_as_text_and_reimported_unchanged(tmp_path):
    PlacementFactory(
        participant__personnummer=ANNA,
        participant__birth_date=D(1985, 7, 9),
        participant__first_name='=HYPERLINK("http://example.org")',
        participant__last_name="-Lind",
        workplace=WorkplaceFactory(name="@Kontoret"),
        start_date=D(2020, 1, 1),
    )
    path = tmp_path / "export.csv"
    call_command("export_placements", str(path), stdout=io.StringIO())
    cells = next(
        line
        for line in csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline=""))
        if line[0] == hyphen(ANNA)
    )
    assert cells[1:3] == ['\'=HYPERLINK("http://example.org")', "'-Lind"]
    assert cells[5] == "'@Kontoret"

    before = snapshot()
    Placement.objects.all().delete()
    Participant.objects.all().delete()
    Workplace.objects.all().delete()
    run_import(path)

    assert snapshot() == before
    participant = Participant.objects.get()
    assert (participant.first_name, participant.last_name) == (
        '=HYPERLINK("http://example.org")',
        "-Lind",
    )
    assert Workplace.objects.get().name == "@Kontoret"


@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
def test_an_end_or_follow_up_after_today_is_a_row_error_and_nothing_is_written(tmp_path):
    path = write(
        tmp_path,
        [
            row(start_date="2026-01-01", end_date="2026-12-06", end_reason="completed"),
            row(
                personnummer=make_personnummer(datetime.date(1990, 5, 5), 123),
                start_date="2026-01-01",
                end_date="2026-12-05",
                end_reason="completed",
                followup_date="2026-12-06",
                followup_outcome="studier",
            ),
            # A placement that starts after today is planned: that is allowed.
            row(
                personnummer=make_personnummer(datetime.date(1991, 6, 6), 234),
                start_date="2027-01-10",
            ),
        ],
    )

    assert failing_import(path) == [
        "row 2: end_date: is in the future",
        "row 3: followup_date: is in the future",
    ]
    assert counts()["placements"] == 0
