"""Import placements from the shared CSV format (DESIGN §5), all or nothing.

:func:`import_placements` reads the file a row at a time and checks each
row as it comes; the rows go to a spool on disk sorted by personnummer
(:class:`core.spool.SortedSpool`), and a second pass checks each person's rows
against each other and against the database, a batch of people at a time.
If there is any problem, it raises :class:`ImportFailed` listing every one.
Only a file without problems is written, read back from the spool in
batches, in one transaction with bulk inserts and updates, so a database
error during writing leaves nothing behind either. Memory stays the same
however many rows the file has.

What an import does to existing data:

- **Participants** are matched by personnummer, in any accepted form. A new
  one is created in the given unit (by default the unit "Import", created if
  absent), enrolled on their earliest start date in the file. An existing one
  takes first name and last name from the file, and the district when the
  cell is filled (an empty cell keeps theirs); unit, coach and enrolment date
  are never changed. All rows of one personnummer must agree on names and
  district.
- **Gender** is the legal gender the personnummer carries, whatever the file
  says; the column may be left out or empty. ``kvinna`` or ``man`` that
  disagree with the personnummer are an error (a wrong number or a wrong
  row). ``annat`` is accepted, counted under the legal gender and counted in
  :attr:`ImportResult.gender_other_rows`; it is not recorded as the person's
  self-described gender, which is theirs to give to a coach, not a column
  of another system's file.
- **Placements** are matched by participant and start date. An existing one
  takes job type, workplace, end date and end reason from the file. An empty
  end date means ongoing. An empty end reason on an ended placement means
  ``completed``, except that a placement whose end date does not change keeps
  its reason. New placements are funded ``sdf`` with no planned end date
  (neither is part of the format).
- **Follow-ups**: every ended placement in the file gets its follow-up, due
  three months after the end. ``followup_date`` and ``followup_outcome``
  register it; empty cells keep whatever is registered. Making an ended
  placement ongoing again removes its follow-up, unless one is registered,
  which is an error.
- **Workplaces** are matched by exact name and created if absent.
- **Unknown columns** are ignored and named in ``ImportResult.ignored_columns``.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import log_bulk_change
from casework import placement_csv
from core import csv_files
from core.csv_files import ImportFailed, RowError, RowErrors
from core.spool import SortedSpool
from core.spreadsheet import from_text_cell
from followup.models import FollowUp, Outcome
from participants import personnummer as pnr
from participants.models import District, Gender, Participant, Unit
from placements.models import EndReason, JobType, Placement, Workplace, follow_up_due_date

__all__ = [
    "DEFAULT_UNIT_NAME",
    "ImportFailed",
    "ImportPreview",
    "ImportResult",
    "PreviewRow",
    "Progress",
    "RowError",
    "Stage",
    "check_placements",
    "import_placements",
]

DEFAULT_UNIT_NAME = "Import"
# Bounded `__in` lists keep every lookup within the databases' parameter limits.
LOOKUP_CHUNK = 10_000
WRITE_BATCH = 2_000
# Rows of a batch of people checked together (whole people: never a person split).
CHECK_BATCH = LOOKUP_CHUNK
# Parsed personnummer and dates kept for the rows that repeat them.
CACHE_LIMIT = 10_000

# Computed once: the enums' `.values` builds a new list on every access.
# The file may still say "annat" (other systems record it); counted under the legal gender.
GENDER_OTHER = "annat"
GENDERS: tuple[str, ...] = (*Gender.values, GENDER_OTHER)
END_REASONS: tuple[str, ...] = tuple(EndReason.values)
OUTCOMES: tuple[str, ...] = tuple(Outcome.values)

NAME_MAX_LENGTH = Participant._meta.get_field("first_name").max_length
WORKPLACE_MAX_LENGTH = Workplace._meta.get_field("name").max_length

# Rows of the file a preview shows, in the file's order.
PREVIEW_ROWS = 20
# Rows read between two reports of progress while the file is read.
PROGRESS_EVERY = 5_000

T = TypeVar("T")


class Stage:
    """What an import is doing, as its progress reports say."""

    READING = "reading"
    CHECKING = "checking"
    WRITING = "writing"


# Called with the stage and the number of rows done in it.
Progress = Callable[[str, int], None]


@dataclass
class ImportResult:
    rows: int = 0
    participants_created: int = 0
    participants_updated: int = 0
    placements_created: int = 0
    placements_updated: int = 0
    followups_registered: int = 0
    followups_opened: int = 0
    workplaces_created: int = 0
    # Rows whose gender cell said "annat": counted under the legal gender.
    gender_other_rows: int = 0
    ignored_columns: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        text = (
            f"Imported {self.rows} rows: "
            f"{self.participants_created} participants created, "
            f"{self.participants_updated} updated, "
            f"{self.placements_created} placements created, "
            f"{self.placements_updated} updated, "
            f"{self.followups_registered} follow-ups registered."
        )
        if self.gender_other_rows:
            text += (
                f" {self.gender_other_rows} rows gave gender “{GENDER_OTHER}”: "
                "counted under the legal gender of their personnummer."
            )
        return text


@dataclass(frozen=True)
class PreviewRow:
    """One of the first rows of a checked file, as a preview shows it (personnummer masked)."""

    row: int
    personnummer: str
    first_name: str
    last_name: str
    job_type: str
    workplace: str
    start_date: datetime.date
    end_date: datetime.date | None
    # No participant with this personnummer yet: the import creates one.
    new_participant: bool
    # No placement of this participant with this start date yet: the import creates one.
    new_placement: bool


@dataclass
class ImportPreview:
    """What importing a file without problems would do, counted by the import's own checks.

    The counts are of what the file names: a placement that exists is
    updated where the file differs from it (the import's result says how
    many did).
    """

    rows: int = 0
    participants_new: int = 0
    participants_existing: int = 0
    placements_new: int = 0
    placements_existing: int = 0
    workplaces_new: int = 0
    # Rows that register a follow-up (date and outcome given).
    followups_given: int = 0
    gender_other_rows: int = 0
    ignored_columns: tuple[str, ...] = ()
    first_rows: list[PreviewRow] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    """A data row as read; fields stay None where the cell was empty or wrong."""

    number: int
    personnummer: str | None = None
    birth_date: datetime.date | None = None
    legal_gender: str = ""
    first_name: str = ""
    last_name: str = ""
    gender: str = ""
    job_type_id: int | None = None
    workplace: str = ""
    district_id: int | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    end_reason: str = ""
    followup_date: datetime.date | None = None
    followup_outcome: str = ""
    # Start and end are valid and in order: the row can take part in overlap checks.
    period_ok: bool = False

    def record(self) -> tuple:
        """The row as the spool keeps it: plain values, personnummer and row number first."""
        return (
            self.personnummer,
            self.number,
            _ordinal(self.birth_date),
            self.legal_gender,
            self.first_name,
            self.last_name,
            self.job_type_id,
            self.workplace,
            self.district_id,
            _ordinal(self.start_date),
            _ordinal(self.end_date),
            self.end_reason,
            _ordinal(self.followup_date),
            self.followup_outcome,
            self.period_ok,
        )

    @classmethod
    def from_record(cls, record: tuple) -> "_Row":
        (
            personnummer,
            number,
            birth_date,
            legal_gender,
            first_name,
            last_name,
            job_type_id,
            workplace,
            district_id,
            start_date,
            end_date,
            end_reason,
            followup_date,
            followup_outcome,
            period_ok,
        ) = record
        return cls(
            number=number,
            personnummer=personnummer,
            birth_date=_date(birth_date),
            legal_gender=legal_gender,
            first_name=first_name,
            last_name=last_name,
            job_type_id=job_type_id,
            workplace=workplace,
            district_id=district_id,
            start_date=_date(start_date),
            end_date=_date(end_date),
            end_reason=end_reason,
            followup_date=_date(followup_date),
            followup_outcome=followup_outcome,
            period_ok=period_ok,
        )


def _ordinal(day: datetime.date | None) -> int | None:
    return day.toordinal() if day is not None else None


def _date(ordinal: int | None) -> datetime.date | None:
    return datetime.date.fromordinal(ordinal) if ordinal is not None else None


@dataclass(slots=True)
class _Existing:
    """A placement already in the database, with its follow-up if any."""

    id: int
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    job_type_id: int
    workplace_id: int
    followup_id: int | None
    due_date: datetime.date | None
    performed_on: datetime.date | None
    outcome: str
    performed_by_id: int | None


@dataclass
class _Database:
    """What the database holds of a batch of people: participants and their placements."""

    participants: dict[str, dict[str, Any]]
    placements: dict[int, dict[datetime.date, _Existing]]

    @classmethod
    def load(cls, numbers: list[str]) -> "_Database":
        """Two bulk queries for the people with these personnummer."""
        participants: dict[str, dict[str, Any]] = {}
        for values in Participant.objects.filter(personnummer__in=numbers).values(
            "id", "personnummer", "first_name", "last_name", "district_id"
        ):
            participants[values["personnummer"]] = values
        placements: dict[int, dict[datetime.date, _Existing]] = defaultdict(dict)
        participant_ids = sorted(values["id"] for values in participants.values())
        if participant_ids:
            for participant_id, *values in (
                Placement.objects.filter(participant_id__in=participant_ids)
                .order_by()
                .values_list(
                    "participant_id",
                    "id",
                    "start_date",
                    "end_date",
                    "end_reason",
                    "job_type_id",
                    "workplace_id",
                    "followup__id",
                    "followup__due_date",
                    "followup__performed_on",
                    "followup__outcome",
                    "followup__performed_by_id",
                )
            ):
                existing = _Existing(*values)
                existing.outcome = existing.outcome or ""
                placements[participant_id][existing.start_date] = existing
        return cls(participants=participants, placements=placements)

    def existing_placements(self, number: str) -> dict[datetime.date, _Existing]:
        participant = self.participants.get(number)
        return self.placements[participant["id"]] if participant is not None else {}

    def existing_placement(self, row: _Row) -> _Existing | None:
        if row.personnummer is None or row.start_date is None:
            return None
        return self.existing_placements(row.personnummer).get(row.start_date)


# One person's rows in file order, by personnummer.
_Person = tuple[str, list[_Row]]


def _people(rows: SortedSpool, batch_rows: int) -> Iterator[list[_Person]]:
    """The spooled rows person by person, in batches of about ``batch_rows`` rows."""
    batch: list[_Person] = []
    size = 0
    for number, records in groupby(rows, key=itemgetter(0)):
        person_rows = [_Row.from_record(record) for record in records]
        batch.append((number, person_rows))
        size += len(person_rows)
        if size >= batch_rows:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _chunks(items: Iterable[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _period(start: datetime.date, end: datetime.date | None) -> str:
    return f"{start}–{end}" if end else f"{start}– (ongoing)"


def _choices(values: Iterable[str]) -> str:
    return ", ".join(values)


class _Validator:
    """Reads and checks every row, collecting every problem in ``errors``; no writes."""

    def __init__(self, header: csv_files.Header, errors: RowErrors) -> None:
        self.header = header
        self.errors = errors
        self.today = timezone.localdate()
        self._personnummer_cache: dict[str, pnr.Personnummer | pnr.PersonnummerError] = {}
        self._date_cache: dict[str, datetime.date | ValueError | None] = {}
        self.job_types: dict[str, int] = {}
        for job_type_id, code in JobType.objects.values_list("id", "code"):
            self.job_types.setdefault(code.lower(), job_type_id)
            self.job_types[code] = job_type_id
        self.job_type_codes = sorted(code for code in self.job_types if code == code.lower())
        self.districts: dict[str, int] = {}
        for district_id, code, name in District.objects.values_list("id", "code", "name"):
            self.districts[code.lower()] = district_id
            self.districts[name.lower()] = district_id

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.add(row, column, message)

    # --- one row ----------------------------------------------------------

    def read_row(self, number: int, cells: list[str]) -> _Row:
        header = self.header
        if len(cells) > header.width and any(cell.strip() for cell in cells[header.width :]):
            self.error(
                number,
                "row",
                f"has {len(cells)} cells but the header has {header.width} columns",
            )

        def cell(name: str) -> str:
            index = header.positions.get(name)
            if index is None or index >= len(cells):
                return ""
            return cells[index].strip()

        row = _Row(number)
        self._read_personnummer(row, cell("personnummer"))
        row.first_name = self._read_text(number, "first_name", cell("first_name"), NAME_MAX_LENGTH)
        row.last_name = self._read_text(number, "last_name", cell("last_name"), NAME_MAX_LENGTH)
        row.gender = self._read_code(number, "gender", cell("gender"), GENDERS, False)
        if row.gender in Gender.values and row.legal_gender and row.gender != row.legal_gender:
            self.error(number, "gender", "does not match the personnummer")
        self._read_job_type(row, cell("job_type"))
        row.workplace = self._read_text(
            number, "workplace", cell("workplace"), WORKPLACE_MAX_LENGTH
        )
        self._read_district(row, cell("district"))
        row.start_date, start_ok = self._read_date(number, "start_date", cell("start_date"))
        if start_ok and row.start_date is None:
            self.error(number, "start_date", "required")
            start_ok = False
        row.end_date, end_ok = self._read_date(number, "end_date", cell("end_date"))
        if start_ok and end_ok and row.end_date and row.end_date < row.start_date:
            self.error(
                number,
                "end_date",
                f"the end date {row.end_date} is before the start date {row.start_date}",
            )
            end_ok = False
        if end_ok and row.end_date and row.end_date > self.today:
            self.error(number, "end_date", "is in the future")
            end_ok = False
        row.period_ok = start_ok and end_ok
        ended = end_ok and row.end_date is not None
        not_ended = end_ok and row.end_date is None

        row.end_reason = self._read_code(
            number, "end_reason", cell("end_reason"), END_REASONS, False
        )
        if row.end_reason and not_ended:
            self.error(number, "end_reason", "an end reason needs an end date")

        row.followup_date, followup_date_ok = self._read_date(
            number, "followup_date", cell("followup_date")
        )
        outcome_text = cell("followup_outcome")
        row.followup_outcome = self._read_code(
            number, "followup_outcome", outcome_text, OUTCOMES, False
        )
        if outcome_text and row.followup_date is None and followup_date_ok:
            self.error(number, "followup_date", "a follow-up outcome needs the follow-up date")
        if row.followup_date and not outcome_text:
            self.error(number, "followup_outcome", "a follow-up date needs an outcome")
        if (outcome_text or row.followup_date) and not_ended:
            self.error(
                number,
                "followup_outcome",
                "the placement has no end date; only an ended placement is followed up",
            )
        if ended and row.followup_date and row.followup_date < row.end_date:
            self.error(
                number,
                "followup_date",
                f"the follow-up date {row.followup_date} is before the end date {row.end_date}",
            )
        if row.followup_date and row.followup_date > self.today:
            self.error(number, "followup_date", "is in the future")
        return row

    def _read_personnummer(self, row: _Row, text: str) -> None:
        if not text:
            self.error(row.number, "personnummer", "required")
            return
        parsed = self._personnummer_cache.get(text)
        if parsed is None:
            try:
                parsed = pnr.parse(text, today=self.today)
            except pnr.PersonnummerError as error:
                parsed = error
            if len(self._personnummer_cache) >= CACHE_LIMIT:
                self._personnummer_cache.clear()
            self._personnummer_cache[text] = parsed
        if isinstance(parsed, pnr.PersonnummerError):
            self.error(row.number, "personnummer", str(parsed.message))
            return
        row.personnummer = parsed.number
        row.birth_date = parsed.birth_date
        row.legal_gender = parsed.legal_gender

    def _read_text(self, number: int, column: str, text: str, max_length: int) -> str:
        # An export writes "'=…" for a name a spreadsheet would run as a formula.
        text = from_text_cell(text)
        if not text:
            self.error(number, column, "required")
            return ""
        if len(text) > max_length:
            self.error(number, column, f"longer than {max_length} characters")
            return ""
        return text

    def _read_code(
        self, number: int, column: str, text: str, values: tuple[str, ...], required: bool
    ) -> str:
        if not text:
            if required:
                self.error(number, column, "required; use one of " + _choices(values))
            return ""
        code = text.lower()
        if code not in values:
            self.error(number, column, f"unknown code “{text}”; use one of {_choices(values)}")
            return ""
        return code

    def _read_job_type(self, row: _Row, text: str) -> None:
        if not text:
            self.error(row.number, "job_type", "required")
            return
        job_type_id = self.job_types.get(text, self.job_types.get(text.lower()))
        if job_type_id is None:
            self.error(
                row.number,
                "job_type",
                f"unknown job type “{text}”; use one of {_choices(self.job_type_codes)}",
            )
        row.job_type_id = job_type_id

    def _read_district(self, row: _Row, text: str) -> None:
        if not text:
            return
        district_id = self.districts.get(text.lower())
        if district_id is None:
            self.error(row.number, "district", f"unknown district “{text}”; give its code or name")
        row.district_id = district_id

    def _read_date(self, number: int, column: str, text: str) -> tuple[datetime.date | None, bool]:
        if text not in self._date_cache:
            if len(self._date_cache) >= CACHE_LIMIT:
                self._date_cache.clear()
            try:
                self._date_cache[text] = csv_files.parse_date(text)
            except ValueError as error:
                self._date_cache[text] = error
        value = self._date_cache[text]
        if isinstance(value, ValueError):
            self.error(number, column, str(value))
            return None, False
        return value, True

    # --- across rows ------------------------------------------------------

    def check_people(self, people: list[_Person]) -> "_Database":
        """Each person's rows against each other and against the database (returned)."""
        database = _Database.load([number for number, _rows in people])
        for number, rows in people:
            self._check_consistency_within_file(rows)
            existing = database.existing_placements(number)
            dated = [row for row in rows if row.start_date is not None]
            self._check_overlaps(dated, existing)
            for row in dated:
                placement = existing.get(row.start_date)
                if placement is not None and row.period_ok:
                    self._check_registered_followup(row, placement)
        return database

    def _check_consistency_within_file(self, rows: list[_Row]) -> None:
        """One personnummer means one person; one start date means one placement."""
        first = rows[0]
        first_district: _Row | None = None
        starts: dict[datetime.date, _Row] = {}
        for row in rows:
            for column in ("first_name", "last_name"):
                value, earlier = getattr(row, column), getattr(first, column)
                if value and earlier and value != earlier:
                    self.error(
                        row.number,
                        column,
                        f"“{value}” differs from “{earlier}” on row {first.number} "
                        "for the same personnummer",
                    )
            if row.district_id is not None:
                first_district = first_district or row
                if first_district.district_id != row.district_id:
                    self.error(
                        row.number,
                        "district",
                        f"differs from the district on row {first_district.number} "
                        "for the same personnummer",
                    )
            if row.start_date is not None:
                earlier_row = starts.setdefault(row.start_date, row)
                if earlier_row is not row:
                    self.error(
                        row.number,
                        "start_date",
                        f"the same personnummer and start date as row {earlier_row.number}",
                    )
                    row.period_ok = False

    def _check_overlaps(self, rows: list[_Row], existing: dict[datetime.date, _Existing]) -> None:
        """One placement at a time: sweep the person's placements in start order."""
        periods: dict[datetime.date, tuple[datetime.date | None, _Row | None]] = {
            start: (placement.end_date, None) for start, placement in existing.items()
        }
        # A row replaces the database placement it updates; a row whose period
        # is wrong is reported already and leaves a gap rather than a guess.
        for row in rows:
            if not row.period_ok:
                periods.pop(row.start_date, None)
        for row in rows:
            if row.period_ok:
                periods[row.start_date] = (row.end_date, row)
        reach: tuple[datetime.date, datetime.date | None, _Row | None] | None = None
        for start, (end, row) in sorted(periods.items()):
            if reach is not None:
                reach_start, reach_end, reach_row = reach
                if reach_end is None or start <= reach_end:
                    where = f"on row {reach_row.number}" if reach_row else "in the database"
                    if row is not None:
                        self.error(
                            row.number,
                            "start_date",
                            f"overlaps the placement {_period(reach_start, reach_end)} {where}",
                        )
                    elif reach_row is not None:
                        self.error(
                            reach_row.number,
                            "end_date",
                            f"overlaps the placement {_period(start, end)} in the database",
                        )
                if reach_end is None or (end is not None and end <= reach_end):
                    continue
            reach = (start, end, row)

    def _check_registered_followup(self, row: _Row, placement: _Existing) -> None:
        if row.followup_outcome or not placement.outcome:
            return
        if row.end_date is None:
            self.error(
                row.number,
                "end_date",
                f"the placement has a follow-up registered on {placement.performed_on}; "
                "give its end date (it cannot become ongoing)",
            )
        elif placement.performed_on and placement.performed_on < row.end_date:
            self.error(
                row.number,
                "end_date",
                f"the follow-up registered on {placement.performed_on} is before this end date",
            )


def _read(
    source: csv_files.Source,
    rows: SortedSpool,
    errors: RowErrors,
    *,
    on_row: Callable[[_Row], None] | None = None,
    on_progress: Progress | None = None,
) -> tuple[_Validator, ImportResult]:
    """Read and check each row as it comes; spool the rows that name a valid personnummer."""
    with placement_csv.open_records(source) as (header, records):
        validator = _Validator(header, errors)
        result = ImportResult(ignored_columns=header.unknown)
        for number, cells in records:
            row = validator.read_row(number, cells)
            result.rows += 1
            result.gender_other_rows += row.gender == GENDER_OTHER
            # A row without one is wrong already, and can be checked against no other.
            if row.personnummer is not None:
                rows.add(row.record())
            if on_row is not None:
                on_row(row)
            if on_progress is not None and result.rows % PROGRESS_EVERY == 0:
                on_progress(Stage.READING, result.rows)
    return validator, result


def _check(
    source: csv_files.Source,
    rows: SortedSpool,
    *,
    on_row: Callable[[_Row], None] | None = None,
    on_people: Callable[[list[_Person], "_Database"], None] | None = None,
    on_progress: Progress | None = None,
) -> ImportResult:
    """Every check of the file, row by row and person by person; ImportFailed lists every problem.

    The one path both :func:`check_placements` and :func:`import_placements` take.
    """
    errors = RowErrors()
    validator, result = _read(source, rows, errors, on_row=on_row, on_progress=on_progress)
    checked = 0
    for people in _people(rows, CHECK_BATCH):
        database = validator.check_people(people)
        if on_people is not None:
            on_people(people, database)
        if on_progress is not None:
            checked += sum(len(person_rows) for _number, person_rows in people)
            on_progress(Stage.CHECKING, checked)
    if errors:
        raise ImportFailed(errors)
    return result


class _Counter:
    """Counts what an import of a checked file would do, for :func:`check_placements`."""

    def __init__(self, preview: ImportPreview, workplaces: SortedSpool) -> None:
        self.preview = preview
        self.workplaces = workplaces
        self.first_rows: list[_Row] = []

    def row(self, row: _Row) -> None:
        if row.workplace:
            self.workplaces.add((row.workplace,))
        if row.followup_outcome:
            self.preview.followups_given += 1
        if len(self.first_rows) < PREVIEW_ROWS:
            self.first_rows.append(row)

    def people(self, people: list[_Person], database: "_Database") -> None:
        for number, rows in people:
            if number in database.participants:
                self.preview.participants_existing += 1
            else:
                self.preview.participants_new += 1
            existing = database.existing_placements(number)
            for row in rows:
                if row.start_date in existing:
                    self.preview.placements_existing += 1
                else:
                    self.preview.placements_new += 1

    def new_workplaces(self) -> int:
        names = (name for name, _records in groupby(self.workplaces, key=itemgetter(0)))
        found = 0
        total = 0
        for chunk in _chunks(names):
            total += len(chunk)
            found += Workplace.objects.filter(name__in=chunk).count()
        return total - found

    def preview_rows(self) -> list[PreviewRow]:
        database = _Database.load(sorted({row.personnummer for row in self.first_rows}))
        job_type_codes = dict(
            JobType.objects.filter(pk__in={row.job_type_id for row in self.first_rows}).values_list(
                "id", "code"
            )
        )
        return [
            PreviewRow(
                row=row.number,
                personnummer=pnr.mask(row.personnummer),
                first_name=row.first_name,
                last_name=row.last_name,
                job_type=job_type_codes[row.job_type_id],
                workplace=row.workplace,
                start_date=row.start_date,
                end_date=row.end_date,
                new_participant=row.personnummer not in database.participants,
                new_placement=database.existing_placement(row) is None,
            )
            for row in self.first_rows
        ]


def check_placements(stream_or_path: csv_files.Source) -> ImportPreview:
    """Check a placements CSV as :func:`import_placements` does, and write nothing.

    Raises ImportFailed listing every problem, exactly as the import would;
    for a file without problems, returns what importing it would do and its
    first rows (:data:`PREVIEW_ROWS`). The database may change before the
    import runs: the import checks the file again.
    """
    preview = ImportPreview()
    with SortedSpool() as rows, SortedSpool() as workplaces:
        counter = _Counter(preview, workplaces)
        result = _check(stream_or_path, rows, on_row=counter.row, on_people=counter.people)
        preview.rows = result.rows
        preview.gender_other_rows = result.gender_other_rows
        preview.ignored_columns = result.ignored_columns
        preview.workplaces_new = counter.new_workplaces()
        preview.first_rows = counter.preview_rows()
    return preview


def import_placements(
    stream_or_path: csv_files.Source,
    *,
    imported_by: User | None = None,
    unit: Unit | None = None,
    actor: str = "",
    on_progress: Progress | None = None,
) -> ImportResult:
    """Import a placements CSV, all or nothing; raises ImportFailed listing every problem.

    ``stream_or_path`` is a path, a binary stream (an upload) or a text
    stream, read a block at a time. ``imported_by`` is recorded as the one
    who registered the follow-ups the file gives; ``unit`` receives new
    participants (default: the unit ``DEFAULT_UNIT_NAME``, created if
    absent). The import is a bulk change in the access log, one row per
    participant in the file, in the same transaction; ``actor`` names who
    ran it when there is no user (``manage.py``). ``on_progress`` is told
    the stage and the rows done in it as the import goes (while writing,
    from inside the import's transaction).
    """
    with SortedSpool() as rows:
        result = _check(stream_or_path, rows, on_progress=on_progress)
        with transaction.atomic(), SortedSpool() as participant_ids:
            writer = _Writer(result, imported_by=imported_by, unit=unit)
            written = 0
            for people in _people(rows, WRITE_BATCH):
                for participant_id in writer.write(people):
                    participant_ids.add((participant_id,))
                if on_progress is not None:
                    written += sum(len(person_rows) for _number, person_rows in people)
                    on_progress(Stage.WRITING, written)
            log_bulk_change(
                participant_ids=(participant_id for (participant_id,) in participant_ids),
                summary=f"import of {result.rows} rows: "
                f"{result.participants_created} participants created, "
                f"{result.participants_updated} updated, "
                f"{result.placements_created} placements created, "
                f"{result.placements_updated} updated, "
                f"{result.followups_registered} follow-ups registered",
                detail="placements import",
                object_type="placement",
                user=imported_by,
                username=actor,
            )
    return result


# --- writing ---------------------------------------------------------------


class _Writer:
    """Writes the file a batch of people at a time, inside the caller's transaction."""

    def __init__(
        self, result: ImportResult, *, imported_by: User | None, unit: Unit | None
    ) -> None:
        self.result = result
        self.imported_by_id = imported_by.pk if imported_by is not None else None
        self.unit = unit
        self.now = timezone.now()
        # Workplace ids by name, for the batches that name them again.
        self.workplace_ids: dict[str, int] = {}

    def write(self, people: list[_Person]) -> list[int]:
        """Write a batch of people's rows; return the ids of the participants."""
        # Read again inside the transaction: what the checks read may have changed since.
        database = _Database.load([number for number, _rows in people])
        rows = [row for _number, person_rows in people for row in person_rows]
        workplace_ids = self._workplaces({row.workplace for row in rows})
        participant_ids = self._participants(people, database)
        reopened_followup_ids: list[int] = []
        _write_placements(
            rows,
            database,
            self.result,
            workplace_ids=workplace_ids,
            participant_ids=participant_ids,
            imported_by_id=self.imported_by_id,
            now=self.now,
            reopened_followup_ids=reopened_followup_ids,
        )
        if reopened_followup_ids:
            FollowUp.objects.filter(pk__in=reopened_followup_ids).delete()
        return list(participant_ids.values())

    def _workplaces(self, names: set[str]) -> dict[str, int]:
        """Ids of the workplaces named, those not in the database created."""
        missing = sorted(names - self.workplace_ids.keys())
        if missing:
            found = dict(Workplace.objects.filter(name__in=missing).values_list("name", "id"))
            new = [name for name in missing if name not in found]
            if new:
                Workplace.objects.bulk_create(
                    [Workplace(name=name) for name in new], batch_size=WRITE_BATCH
                )
                found.update(Workplace.objects.filter(name__in=new).values_list("name", "id"))
                self.result.workplaces_created += len(new)
            if len(self.workplace_ids) + len(found) > CACHE_LIMIT:
                self.workplace_ids = {}
            self.workplace_ids.update(found)
        return {name: self.workplace_ids[name] for name in names}

    def _participants(self, people: list[_Person], database: _Database) -> dict[str, int]:
        """Create and update the batch's participants; return their ids by personnummer."""
        ids: dict[str, int] = {}
        new: list[Participant] = []
        changed: list[Participant] = []
        for number, rows in people:
            first = rows[0]
            district_id = next((row.district_id for row in rows if row.district_id), None)
            existing = database.participants.get(number)
            if existing is None:
                new.append(
                    Participant(
                        personnummer=number,
                        birth_date=first.birth_date,
                        gender=first.legal_gender,
                        first_name=first.first_name,
                        last_name=first.last_name,
                        district_id=district_id,
                        enrolled_on=min(row.start_date for row in rows),
                    )
                )
                continue
            ids[number] = existing["id"]
            if district_id is None:
                district_id = existing["district_id"]
            wanted = {
                "first_name": first.first_name,
                "last_name": first.last_name,
                "district_id": district_id,
            }
            if any(existing[key] != value for key, value in wanted.items()):
                changed.append(Participant(pk=existing["id"], updated_at=self.now, **wanted))
        if new:
            # Created only when needed, so an import that creates nobody changes nothing.
            if self.unit is None:
                self.unit = Unit.objects.get_or_create(name=DEFAULT_UNIT_NAME)[0]
            for participant in new:
                participant.unit = self.unit
            ids.update(_create_participants(new))
        Participant.objects.bulk_update(
            changed,
            ["first_name", "last_name", "district", "updated_at"],
            batch_size=WRITE_BATCH,
        )
        self.result.participants_created += len(new)
        self.result.participants_updated += len(changed)
        return ids


def _write_placements(
    rows: list[_Row],
    database: _Database,
    result: ImportResult,
    *,
    workplace_ids: dict[str, int],
    participant_ids: dict[str, int],
    imported_by_id: int | None,
    now: datetime.datetime,
    reopened_followup_ids: list[int],
) -> None:
    """Placements and follow-ups of a batch of rows."""
    new_placements: list[Placement] = []
    changed_placements: list[Placement] = []
    new_followups: list[tuple[FollowUp, Placement | None]] = []
    changed_followups: list[FollowUp] = []

    for row in rows:
        existing = database.existing_placement(row)
        end_reason = ""
        if row.end_date is not None:
            if row.end_reason:
                end_reason = row.end_reason
            elif existing is not None and existing.end_date == row.end_date:
                end_reason = existing.end_reason
            else:
                end_reason = EndReason.COMPLETED
        placement = Placement(
            participant_id=participant_ids[row.personnummer],
            job_type_id=row.job_type_id,
            workplace_id=workplace_ids[row.workplace],
            start_date=row.start_date,
            end_date=row.end_date,
            end_reason=end_reason,
        )
        if existing is None:
            new_placements.append(placement)
        else:
            placement.pk = existing.id
            if (
                existing.job_type_id,
                existing.workplace_id,
                existing.end_date,
                existing.end_reason,
            ) != (placement.job_type_id, placement.workplace_id, row.end_date, end_reason):
                placement.updated_at = now
                changed_placements.append(placement)

        if row.end_date is None:
            if existing is not None and existing.followup_id is not None:
                reopened_followup_ids.append(existing.followup_id)
            continue
        due_date = follow_up_due_date(row.end_date)
        registers = bool(row.followup_outcome)
        if existing is not None and existing.followup_id is not None:
            performed_on, outcome = existing.performed_on, existing.outcome
            performed_by_id = existing.performed_by_id
            if registers and (performed_on, outcome) != (row.followup_date, row.followup_outcome):
                performed_on, outcome = row.followup_date, row.followup_outcome
                performed_by_id = imported_by_id
                result.followups_registered += 1
            if (existing.due_date, existing.performed_on, existing.outcome) != (
                due_date,
                performed_on,
                outcome,
            ):
                changed_followups.append(
                    FollowUp(
                        pk=existing.followup_id,
                        placement_id=existing.id,
                        due_date=due_date,
                        performed_on=performed_on,
                        outcome=outcome,
                        performed_by_id=performed_by_id,
                        updated_at=now,
                    )
                )
        else:
            followup = FollowUp(
                placement_id=existing.id if existing is not None else None,
                due_date=due_date,
                performed_on=row.followup_date if registers else None,
                outcome=row.followup_outcome if registers else "",
                performed_by_id=imported_by_id if registers else None,
            )
            new_followups.append((followup, None if existing is not None else placement))
            result.followups_opened += 1
            result.followups_registered += int(registers)

    _create_placements(new_placements)
    Placement.objects.bulk_update(
        changed_placements,
        ["job_type", "workplace", "end_date", "end_reason", "updated_at"],
        batch_size=WRITE_BATCH,
    )
    result.placements_created += len(new_placements)
    result.placements_updated += len(changed_placements)

    for followup, placement in new_followups:
        if placement is not None:
            followup.placement_id = placement.pk
    FollowUp.objects.bulk_create([f for f, _p in new_followups], batch_size=WRITE_BATCH)
    FollowUp.objects.bulk_update(
        changed_followups,
        ["due_date", "performed_on", "outcome", "performed_by", "updated_at"],
        batch_size=WRITE_BATCH,
    )


def _create_participants(new: list[Participant]) -> dict[str, int]:
    Participant.objects.bulk_create(new, batch_size=WRITE_BATCH)
    if all(participant.pk is not None for participant in new):
        return {participant.personnummer: participant.pk for participant in new}
    # Databases that cannot return ids from a bulk insert.
    return dict(
        Participant.objects.filter(
            personnummer__in=[participant.personnummer for participant in new]
        ).values_list("personnummer", "id")
    )


def _create_placements(placements: list[Placement]) -> None:
    Placement.objects.bulk_create(placements, batch_size=WRITE_BATCH)
    if not any(placement.pk is None for placement in placements):
        return
    # Databases that cannot return ids from a bulk insert.
    wanted = {(p.participant_id, p.start_date): p for p in placements}
    for chunk in _chunks(sorted({p.participant_id for p in placements})):
        for participant_id, start_date, pk in Placement.objects.filter(
            participant_id__in=chunk
        ).values_list("participant_id", "start_date", "id"):
            placement = wanted.get((participant_id, start_date))
            if placement is not None:
                placement.pk = pk
