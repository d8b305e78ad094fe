from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.services import MANAGE_PY
from casework.placement_import import DEFAULT_UNIT_NAME, import_placements
from core.csv_commands import csv_source, run_csv_import
from participants.models import Unit


class Command(BaseCommand):
    help = (
        "Import placements from a CSV file (DESIGN §5), all or nothing: if any row is wrong, "
        "every problem is listed as 'row N: column: reason' on stderr, the exit status is 1 "
        "and nothing is written. Participants are matched by personnummer and placements by "
        "participant and start date; existing ones are updated (names and a given district; "
        "job type, workplace, end date and reason; follow-ups given in the file). Gender is "
        "the legal gender of the personnummer: the optional gender column must agree with it, "
        "and 'annat' is counted under it. "
        f"New participants go to the unit named by --unit (default '{DEFAULT_UNIT_NAME}', "
        "created if absent) and are enrolled on their earliest start date. Workplaces are "
        "created if absent. Unknown columns are ignored with a warning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV file ('-' reads standard input)")
        parser.add_argument(
            "--unit",
            metavar="NAME",
            help=(
                "an existing unit for participants the file creates "
                f"(default: '{DEFAULT_UNIT_NAME}', created if absent)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(name=options["unit"]).first()
            if unit is None:
                raise CommandError(f"There is no unit named '{options['unit']}'.")
        source = csv_source(options["file"])
        run_csv_import(self, lambda: import_placements(source, unit=unit, actor=MANAGE_PY))
