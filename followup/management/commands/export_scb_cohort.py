from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import MANAGE_PY
from followup.register import export_scb_cohort


class Command(BaseCommand):
    help = (
        "Write the personnummer list of a cohort for SCB's register follow-up: everyone whose "
        "placement ended in YEAR and whose current consent covers SCB follow-up, with the "
        "years SCB is asked about (YEAR-2, YEAR+1, YEAR+2). UTF-8 CSV with a byte-order mark."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="the cohort: the year the placements ended")
        parser.add_argument("file", help="the CSV file to write ('-' writes standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        year, path = options["year"], options["file"]
        if path == "-":
            self.stdout.ending = ""
            export_scb_cohort(self.stdout, year, actor=MANAGE_PY)
            return
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                export = export_scb_cohort(stream, year, actor=MANAGE_PY)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from None
        self.stdout.write(
            f"Wrote {export.sent} personnummer of cohort {year} to {path}; "
            f"{export.without_consent} left out without consent to SCB follow-up."
        )
