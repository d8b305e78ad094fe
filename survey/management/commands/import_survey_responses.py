from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import MANAGE_PY
from core.csv_commands import csv_source, run_csv_import
from survey.importing import COLUMNS, import_paper_responses
from survey.models import SurveyRound


class Command(BaseCommand):
    help = (
        "Import paper answers to the participant survey into a round, all or nothing: if any "
        "row is wrong, every problem is listed as 'row N: column: reason' on stderr, the exit "
        "status is 1 and nothing is written. One row per paper form; columns (any order, "
        "',' or ';'): " + ", ".join(COLUMNS) + ". job_type is optional; a statement is empty, "
        "a scale code (stammer_bra, stammer_ganska_bra, stammer_ganska_daligt, stammer_daligt, "
        "vet_ej) or the Swedish words; studied is ja, nej or empty. Paper answers are never "
        "linked to a person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("round", help="the survey round's name, e.g. 'September 2026'")
        parser.add_argument("file", help="the CSV file ('-' reads standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey_round = SurveyRound.objects.filter(name=options["round"]).first()
        if survey_round is None:
            raise CommandError(f"There is no survey round named '{options['round']}'.")
        source = csv_source(options["file"])
        run_csv_import(
            self,
            lambda: import_paper_responses(source, survey_round=survey_round, actor=MANAGE_PY),
        )
