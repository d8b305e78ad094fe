"""``manage.py annual_report YEAR``: build the annual report as the page does (DESIGN §5)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports.annual.as_json import report_json
from reports.annual.build import stored_tables
from reports.annual.services import annual_report_build_here
from reports.annual.years import years_with_data

FORMATS = ("xlsx", "json")


class Command(BaseCommand):
    help = (
        "Build the annual report of YEAR by the page's code path (the tables are stored and "
        "the report page offers the same files). --out writes the workbook; --format json "
        "prints the tables, suppressed as published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", help="The report year, e.g. 2025.")
        parser.add_argument("--out", help="Write the workbook (.xlsx) to this file.")
        # Checked in handle() rather than by argparse, so every bad input exits with status 1.
        parser.add_argument("--format", default="xlsx", help="xlsx (the default) or json.")
        parser.add_argument(
            "--cohort-year", type=int, help="The SCB cohort of tables 6-8 (default: as the page)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output_format = options["format"]
        if output_format not in FORMATS:
            raise CommandError(f"Unknown format '{output_format}': use xlsx or json.")
        try:
            year = int(options["year"])
        except ValueError:
            raise CommandError(f"{options['year']!r} is not a year.") from None
        if year > timezone.localdate().year:
            raise CommandError(f"{year} has not begun: no report for it yet.")
        if year < min(years_with_data(), default=year):
            raise CommandError(f"There is no data for {year}.")
        report = annual_report_build_here(year=year, cohort_year=options["cohort_year"])
        if options["out"]:
            Path(options["out"]).write_bytes(bytes(report.xlsx))
            self.stderr.write(f"Wrote the annual report {year} to {options['out']}.")
        if output_format == "json":
            tables = stored_tables(report)
            self.stdout.write(json.dumps(report_json(year, tables), ensure_ascii=False, indent=2))
        elif not options["out"]:
            self.stderr.write(
                f"Built the annual report {year}; download it at /reports/ or give --out FILE."
            )
