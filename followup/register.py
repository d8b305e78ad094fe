"""SCB register follow-up: the cohort list sent to SCB, and SCB's extract read back.

Each ended placement belongs to the cohort of the year it ended (Y); SCB
reports the participant's main income source for the years Y−2, Y+1 and
Y+2. Only participants whose current consent covers the SCB flow are sent,
and only their rows are stored from an extract; the import says how many
rows were left out and why.

The extract is a CSV with the columns ``personnummer``, ``year`` and
``income_source`` (the codes of :class:`followup.models.IncomeSource`), read
like the placements CSV (UTF-8 with or without BOM, ``,`` or ``;``), all or
nothing: any bad row fails the whole file with ``row N: column: reason``.
A file replaces the stored rows of the people and years it holds; other
people's rows of those years (another cohort's) stay. The file is read a
block at a time and its rows wait on disk, sorted by person
(:class:`core.spool.SortedSpool`), so a large file takes no more memory than
a small one.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.models import Action
from audit.services import log_access, log_bulk_change
from core import csv_files
from core.csv_files import ImportFailed, RowErrors
from core.spool import SortedSpool
from followup.models import IncomeSource, RegisterOutcome
from participants import personnummer as pnr
from participants.models import ConsentFlow, Participant
from participants.selectors import participants_with_consent
from placements.models import Placement

COLUMNS = ("personnummer", "year", "income_source")
COHORT_COLUMNS = ("personnummer", "cohort_year", "measure_years")
# The measure points of cohort Y, relative to Y.
MEASURE_OFFSETS = (-2, 1, 2)
# The cohort whose register follow-up is complete now: placements ended this many
# years before the year. SCB delivers a register year about two years after it,
# and the last measure point is Y+2. The annual report's tables 6-8 show this cohort.
REGISTER_COHORT_LAG = 4
FIRST_YEAR = 1990
LOOKUP_CHUNK = 10_000
WRITE_BATCH = 2_000
INCOME_SOURCES: tuple[str, ...] = tuple(IncomeSource.values)


def measure_years(cohort_year: int) -> tuple[int, ...]:
    return tuple(cohort_year + offset for offset in MEASURE_OFFSETS)


# --- The cohort list for SCB ---------------------------------------------------------------


def cohort_participants(cohort_year: int):
    """Participants with a placement ended in the year and current consent to the SCB flow."""
    ended = Placement.objects.filter(end_date__year=cohort_year).values("participant_id")
    return participants_with_consent(ConsentFlow.SCB, Participant.objects.filter(pk__in=ended))


@dataclass(frozen=True)
class CohortExport:
    cohort_year: int
    sent: int  # participants written to the file
    without_consent: int  # participants of the cohort left out


def export_scb_cohort(
    stream: IO[str], cohort_year: int, *, exported_by: User | None = None, actor: str = ""
) -> CohortExport:
    """Write the cohort's personnummer list for SCB's order; an export in the access log.

    One row per participant (a participant with two placements ending in the
    year is asked for once), 12 digits as SCB's registers use them.
    """
    everyone = (
        Placement.objects.filter(end_date__year=cohort_year)
        .values("participant_id")
        .distinct()
        .count()
    )
    years = ";".join(str(year) for year in measure_years(cohort_year))
    stream.write(csv_files.BOM)
    stream.write(",".join(COHORT_COLUMNS) + "\r\n")
    sent = 0
    for number in (
        cohort_participants(cohort_year)
        .order_by("personnummer")
        .values_list("personnummer", flat=True)
        .iterator(chunk_size=LOOKUP_CHUNK)
    ):
        stream.write(f"{number},{cohort_year},{years}\r\n")
        sent += 1
    log_access(
        action=Action.EXPORT,
        object_type="participant",
        detail=f"SCB cohort {cohort_year}: {sent} personnummer, {everyone - sent} without consent",
        user=exported_by,
        username=actor,
    )
    return CohortExport(cohort_year=cohort_year, sent=sent, without_consent=everyone - sent)


# --- Reading SCB's extract ------------------------------------------------------------------


@dataclass
class RegisterImportResult:
    rows: int = 0
    stored: int = 0
    replaced: int = 0  # earlier rows of the same people and years
    years: tuple[int, ...] = ()
    not_participants: int = 0  # valid personnummer of nobody in the system
    without_consent: int = 0  # participants without current SCB consent
    ignored_columns: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        years = ", ".join(str(year) for year in self.years)
        return (
            f"Imported {self.rows} rows for {years}: {self.stored} stored "
            f"({self.replaced} earlier rows of these years replaced); left out: "
            f"{self.without_consent} without consent to SCB follow-up, "
            f"{self.not_participants} not participants."
        )


def _read_rows(
    source: csv_files.Source, rows: SortedSpool, errors: RowErrors, *, today: datetime.date
) -> RegisterImportResult:
    """Check each row as it comes; spool the good ones as (personnummer, year, row, code)."""
    result = RegisterImportResult()
    years: set[int] = set()
    with csv_files.open_records(source, COLUMNS, COLUMNS) as (header, records):
        result.ignored_columns = header.unknown
        for number, cells in records:

            def cell(column: str, cells: list[str] = cells) -> str:
                index = header.positions[column]
                return cells[index].strip() if index < len(cells) else ""

            result.rows += 1
            failures = len(errors)
            number_text, year_text, source_text = (cell(column) for column in COLUMNS)
            personnummer = ""
            try:
                personnummer = pnr.parse(number_text, today=today).number
            except pnr.PersonnummerError as error:
                message = gettext("required") if not number_text else str(error.message)
                errors.add(number, "personnummer", message)
            year = 0
            if year_text.isdigit() and FIRST_YEAR <= int(year_text) <= today.year:
                year = int(year_text)
            else:
                errors.add(
                    number,
                    "year",
                    gettext("“%(text)s” is not a year from %(first)s to %(last)s")
                    % {"text": year_text, "first": FIRST_YEAR, "last": today.year},
                )
            code = source_text.lower()
            if code not in INCOME_SOURCES:
                errors.add(
                    number,
                    "income_source",
                    gettext("unknown code “%(code)s”; use one of %(codes)s")
                    % {"code": source_text, "codes": ", ".join(INCOME_SOURCES)},
                )
            if len(errors) == failures:
                rows.add((personnummer, year, number, code))
                years.add(year)
    result.years = tuple(sorted(years))
    return result


def _check_repeats(rows: SortedSpool, errors: RowErrors) -> None:
    """One row per person and year: a repeat names the first row."""
    # Sorted by person, year and row: the first row of each person and year comes first.
    person_and_year, first = None, 0
    for personnummer, year, number, _code in rows:
        if (personnummer, year) != person_and_year:
            person_and_year, first = (personnummer, year), number
        else:
            errors.add(
                number,
                "personnummer",
                gettext("the same person and year as row %(row)s") % {"row": first},
            )


def _batches(rows: SortedSpool) -> Iterator[list[tuple[str, int, int, str]]]:
    """The spooled rows a batch of people at a time (never a person split)."""
    batch: list[tuple[str, int, int, str]] = []
    people = 0
    for _personnummer, records in groupby(rows, key=itemgetter(0)):
        batch.extend(records)
        people += 1
        if people == LOOKUP_CHUNK:
            yield batch
            batch, people = [], 0
    if batch:
        yield batch


def _ids_by_personnummer(numbers: Iterable[str]) -> tuple[dict[str, int], set[int]]:
    """Participant ids by personnummer, and which of them consent to the SCB flow."""
    numbers = sorted(set(numbers))
    ids: dict[str, int] = {}
    consenting: set[int] = set()
    for start in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = Participant.objects.filter(personnummer__in=numbers[start : start + LOOKUP_CHUNK])
        ids.update(chunk.values_list("personnummer", "id"))
        consenting.update(
            participants_with_consent(ConsentFlow.SCB, chunk).values_list("id", flat=True)
        )
    return ids, consenting


def import_register_outcomes(
    source: csv_files.Source,
    *,
    imported_by: User | None = None,
    actor: str = "",
    today: datetime.date | None = None,
) -> RegisterImportResult:
    """Read an SCB extract, all or nothing; raises ImportFailed listing every bad row.

    The file replaces what was stored for its people in its years. Rows of people
    who are not participants, or whose current consent does not cover the SCB
    flow, are not stored, and counted in the result.
    """
    today = today or timezone.localdate()
    errors = RowErrors()
    with SortedSpool() as rows:
        result = _read_rows(source, rows, errors, today=today)
        _check_repeats(rows, errors)
        if errors:
            raise ImportFailed(errors)
        with transaction.atomic(), SortedSpool() as stored_ids:
            for batch in _batches(rows):
                for participant_id in _store(batch, result):
                    stored_ids.add((participant_id,))
            log_bulk_change(
                participant_ids=(participant_id for (participant_id,) in stored_ids),
                summary=result.summary,
                detail="SCB register import",
                object_type="registeroutcome",
                user=imported_by,
                username=actor,
            )
    return result


def _store(batch: list[tuple[str, int, int, str]], result: RegisterImportResult) -> set[int]:
    """Replace the batch's people's rows of the file's years; return who has rows stored."""
    ids, consenting = _ids_by_personnummer(personnummer for personnummer, *_rest in batch)
    outcomes = []
    for personnummer, year, _number, code in batch:
        participant_id = ids.get(personnummer)
        if participant_id is None:
            result.not_participants += 1
        elif participant_id not in consenting:
            result.without_consent += 1
        else:
            outcomes.append(
                RegisterOutcome(participant_id=participant_id, year=year, income_source=code)
            )
    # Only the rows the file speaks for: cohorts ask SCB about overlapping
    # years, so another cohort's rows of the same year stay. A participant
    # in the file who no longer consents loses their earlier row too.
    matched = sorted(set(ids.values()))
    for start in range(0, len(matched), LOOKUP_CHUNK):
        deleted, _ = RegisterOutcome.objects.filter(
            participant_id__in=matched[start : start + LOOKUP_CHUNK], year__in=result.years
        ).delete()
        result.replaced += deleted
    RegisterOutcome.objects.bulk_create(outcomes, batch_size=WRITE_BATCH)
    result.stored += len(outcomes)
    return {outcome.participant_id for outcome in outcomes}
