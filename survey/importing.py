"""Paper answers to the survey, from CSV, all or nothing.

The file follows the placements format's rules (``core.csv_files``):
UTF-8 (a byte-order mark accepted), ``,`` or ``;``, a header row, columns in
any order, one row per paper form, rows numbered as a spreadsheet numbers
them. Columns:

- ``job_type`` (optional column, and the cell may be empty): a job type code;
- the eight statement codes (``followup.models.STATEMENTS``): empty, a scale
  code (``stammer_bra`` …) or the Swedish words (``stämmer ganska bra``,
  ``vet ej``), in any case;
- ``studied``: ``ja``, ``nej`` or empty.

Any problem: :class:`ImportFailed` lists every one as ``row N: column:
reason`` and nothing is written. A paper answer is never linked to a person.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from audit.models import Action
from audit.services import log_access
from core import csv_files
from core.csv_files import ImportFailed, RowError
from core.spreadsheet import from_text_cell
from followup.models import STATEMENTS, Agreement, SurveyResponse
from placements.models import JobType
from survey.models import SurveyRound

__all__ = ["COLUMNS", "ImportFailed", "PaperImportResult", "RowError", "import_paper_responses"]

COLUMNS: tuple[str, ...] = ("job_type", *STATEMENTS, "studied")
REQUIRED_COLUMNS: tuple[str, ...] = (*STATEMENTS, "studied")
WRITE_BATCH = 2_000

STUDIED_VALUES = {"ja": True, "nej": False}
# The Swedish words of the paper form, as well as the codes.
_SWEDISH_STEPS = {
    "stämmer bra": Agreement.AGREE,
    "stämmer ganska bra": Agreement.SOMEWHAT_AGREE,
    "stämmer ganska dåligt": Agreement.SOMEWHAT_DISAGREE,
    "stämmer dåligt": Agreement.DISAGREE,
    "vet ej": Agreement.DONT_KNOW,
}
STEPS: dict[str, str] = {**{value: value for value in Agreement.values}, **_SWEDISH_STEPS}


@dataclass(frozen=True)
class PaperImportResult:
    responses: int
    ignored_columns: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return f"Imported {self.responses} paper responses."


def _step(text: str) -> str | None:
    """The scale code for a cell, "" for an empty one, None when it is not one."""
    key = " ".join(text.lower().split())
    if not key:
        return ""
    return STEPS.get(key)


def _read(
    source: csv_files.Source, survey_round: SurveyRound
) -> tuple[list[SurveyResponse], tuple[str, ...]]:
    header, records = csv_files.read_records(source, COLUMNS, REQUIRED_COLUMNS)
    job_types = {code.lower(): pk for pk, code in JobType.objects.values_list("pk", "code")}
    today = timezone.localdate()
    errors: list[RowError] = []
    responses: list[SurveyResponse] = []
    for number, cells in records:
        if len(cells) > header.width and any(cell.strip() for cell in cells[header.width :]):
            errors.append(
                RowError(
                    number,
                    "row",
                    gettext("has %(cells)s cells but the header has %(width)s")
                    % {"cells": len(cells), "width": header.width},
                )
            )

        def cell(name: str, cells: list[str] = cells) -> str:
            index = header.positions.get(name)
            if index is None or index >= len(cells):
                return ""
            return from_text_cell(cells[index].strip()).strip()

        response = SurveyResponse(
            survey_round=survey_round, on_paper=True, participant=None, submitted_on=today
        )
        job_type = cell("job_type")
        if job_type:
            response.job_type_id = job_types.get(job_type.lower())
            if response.job_type_id is None:
                errors.append(
                    RowError(
                        number,
                        "job_type",
                        gettext(
                            "unknown job type “%(code)s”; use one of %(codes)s or leave it empty"
                        )
                        % {"code": job_type, "codes": ", ".join(sorted(job_types))},
                    )
                )
        answered = False
        for code in STATEMENTS:
            text = cell(code)
            step = _step(text)
            if step is None:
                errors.append(
                    RowError(
                        number,
                        code,
                        gettext(
                            "“%(text)s” is not on the scale; use one of %(codes)s (or the words, "
                            "e.g. “stämmer bra”), or leave it empty"
                        )
                        % {"text": text, "codes": ", ".join(Agreement.values)},
                    )
                )
                continue
            setattr(response, code, step)
            answered = answered or bool(step)
        studied = cell("studied").lower()
        if studied and studied not in STUDIED_VALUES:
            errors.append(
                RowError(
                    number,
                    "studied",
                    gettext("“%(text)s” is not ja, nej or empty") % {"text": cell("studied")},
                )
            )
        else:
            response.studied_during_placement = STUDIED_VALUES.get(studied)
            answered = answered or bool(studied)
        if not answered and not any(error.row == number for error in errors):
            errors.append(
                RowError(number, "row", gettext("no answers; a blank form is not a response"))
            )
        responses.append(response)
    if errors:
        raise ImportFailed(errors)
    return responses, header.unknown


def import_paper_responses(
    source: csv_files.Source,
    *,
    survey_round: SurveyRound,
    imported_by: User | None = None,
    actor: str = "",
) -> PaperImportResult:
    """Import a round's paper answers, all or nothing; raises ImportFailed listing every problem.

    Each row becomes a response marked ``on_paper``, dated the day of the
    import, with no participant. One access-log row records the import
    (a count, no person: the responses name nobody).
    """
    responses, unknown = _read(source, survey_round)
    with transaction.atomic():
        SurveyResponse.objects.bulk_create(responses, batch_size=WRITE_BATCH)
        log_access(
            action=Action.CREATE,
            object_type="surveyresponse",
            detail=f"paper import: {len(responses)} responses to survey round {survey_round.pk}",
            user=imported_by,
            username=actor,
        )
    return PaperImportResult(responses=len(responses), ignored_columns=unknown)
