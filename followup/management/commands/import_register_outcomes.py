from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.services import MANAGE_PY
from core.csv_commands import csv_source, run_csv_import
from followup.register import COLUMNS, import_register_outcomes


class Command(BaseCommand):
    help = (
        "Import an SCB register extract: a CSV with the columns "
        + ", ".join(COLUMNS)
        + ". All or nothing: if any row is wrong, every problem is listed as "
        "'row N: column: reason' on stderr, the exit status is 1 and nothing is written. "
        "The file replaces the stored rows of its people in its years. Rows of people who are not "
        "participants or have no current consent to SCB follow-up are left out and counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file ('-' reads standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        source = csv_source(options["file"])
        run_csv_import(self, lambda: import_register_outcomes(source, actor=MANAGE_PY))
