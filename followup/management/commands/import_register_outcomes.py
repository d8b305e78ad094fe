import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from audit.services import MANAGE_PY
from followup.register import COLUMNS, import_register_outcomes
from placements import csv_format
from placements.csv_format import ImportFailed


class Command(BaseCommand):
    help = (
        "Import an SCB register extract: a CSV with the columns "
        + ", ".join(COLUMNS)
        + ". All or nothing: if any row is wrong, every problem is listed as "
        "'row N: column: reason' on stderr, the exit status is 1 and nothing is written. "
        "The years in the file replace what was stored for them. Rows of people who are not "
        "participants or have no current consent to SCB follow-up are left out and counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file ('-' reads standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        source: csv_format.Source
        if options["file"] == "-":
            source = sys.stdin.buffer
        else:
            source = Path(options["file"])
            if not source.is_file():
                raise CommandError(f"No such file: {source}")
        try:
            result = import_register_outcomes(source, actor=MANAGE_PY)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing was imported: {len(failure.errors)} problem(s) listed above."
            ) from None
        except DatabaseError as error:
            raise CommandError(
                f"Nothing was imported: the database refused the import ({error})."
            ) from None
        if result.ignored_columns:
            self.stderr.write(
                "warning: ignored unknown columns: " + ", ".join(result.ignored_columns)
            )
        self.stdout.write(result.summary)
