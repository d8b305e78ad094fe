from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import MANAGE_PY
from casework.placement_export import export_placements


class Command(BaseCommand):
    help = (
        "Export every placement to a CSV file in the format import_placements reads "
        "(DESIGN §5): UTF-8 with a byte-order mark so Excel opens it right, comma-separated, "
        "personnummer as YYYYMMDD-NNNN, one row per placement ordered by personnummer and "
        "start date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file to write ('-' writes standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path == "-":
            # The CSV writer ends its own lines; the wrapper must not add any.
            self.stdout.ending = ""
            export_placements(self.stdout, actor=MANAGE_PY)
            return
        try:
            with open(path, "w", encoding="utf-8", newline="") as stream:
                count = export_placements(stream, actor=MANAGE_PY)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}") from None
        self.stdout.write(f"Exported {count} placements to {path}.")
