"""``manage.py outcome_report``: a period's figures, exact, as JSON or as a table (DESIGN §5)."""

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from participants.models import District, Gender
from placements.models import Funding, JobType, Setting
from reports.outcomes import UNKNOWN_DISTRICT, outcome_reports
from reports.periods import ReportPeriod, custom_period, parse_period

FORMATS = ("json", "table")
NO_VALUE = "–"


def _date(value: Any, option: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date: use YYYY-MM-DD.") from None


def _percentage(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Print the share working or studying three months after the placement for a "
        "report period (T1-YYYY, T2-YYYY, VB-YYYY) or a range of end dates, with "
        "breakdowns. The figures are exact: no small-cell suppression."
    )

    # A report for scripts starts lean: the system checks would import every URL and view.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--period",
            action="append",
            help="T1-YYYY, T2-YYYY or VB-YYYY, e.g. T2-2020; repeat it for several periods "
            "(the JSON is then an array of the periods' objects).",
        )
        parser.add_argument(
            "--from", dest="from_date", help="First end date of a custom range (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--to", dest="to_date", help="Last end date of a custom range (YYYY-MM-DD)."
        )
        # Checked in handle() rather than by argparse, so every bad input exits with status 1.
        parser.add_argument(
            "--format", default="json", help="json (the default) or table (for people)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output_format = options["format"]
        if output_format not in FORMATS:
            raise CommandError(f"Unknown format '{output_format}': use json or table.")
        reports = outcome_reports(self._periods(options))
        if output_format == "json":
            # One --period (or a range) prints its object; several print an array of them.
            result: Any = reports if len(reports) > 1 else reports[0]
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n\n".join(self._table(report) for report in reports))

    def _periods(self, options: dict[str, Any]) -> list[ReportPeriod]:
        labels, start, end = options["period"] or [], options["from_date"], options["to_date"]
        if isinstance(labels, str):  # call_command(period="T2-2020")
            labels = [labels]
        if labels and (start or end):
            raise CommandError("Give either --period or --from and --to, not both.")
        if labels:
            try:
                return [parse_period(label) for label in labels]
            except ValueError as error:
                raise CommandError(str(error)) from None
        if not (start and end):
            raise CommandError("Give --period (e.g. T2-2020), or both --from and --to.")
        try:
            return [custom_period(_date(start, "--from"), _date(end, "--to"))]
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _table(self, report: dict[str, Any]) -> str:
        labels = {
            "by_gender": dict(Gender.choices),
            "by_job_type": dict(JobType.objects.values_list("code", "name")),
            "by_age_group": {},
            "by_district": {
                **dict(District.objects.values_list("code", "name")),
                UNKNOWN_DISTRICT: _("Unknown district"),
            },
            "by_setting": dict(Setting.choices),
            "by_funding": dict(Funding.choices),
        }
        headings = {
            "by_gender": _("Gender"),
            "by_job_type": _("Job type"),
            "by_age_group": _("Age at start"),
            "by_district": _("District"),
            "by_setting": _("Workplace setting"),
            "by_funding": _("Funding"),
        }
        rows: list[tuple[str, dict[str, Any] | None]] = [(_("Total"), report["total"])]
        for key, heading in headings.items():
            rows.append(("", None))
            rows.append((heading, None))
            rows.extend(
                (f"  {labels[key].get(group, group)}", cell) for group, cell in report[key].items()
            )

        columns = [
            (_("Ended"), "ended"),
            (_("Followed up"), "followed_up"),
            (_("Work"), "work"),
            (_("Subsidised"), "work_subsidised"),
            (_("Unsubsidised"), "work_unsubsidised"),
            (_("Studies"), "studies"),
            (_("Work or studies %"), "share_work_or_studies"),
            (_("Coverage %"), "coverage"),
        ]
        percentages = {"share_work_or_studies", "coverage"}

        def cells(cell: dict[str, Any]) -> list[str]:
            return [
                _percentage(cell[key]) if key in percentages else str(cell[key])
                for _, key in columns
            ]

        first = max(len(str(label)) for label, _ in rows)
        widths = [
            max(len(title), *(len(cells(cell)[i]) for _, cell in rows if cell))
            for i, (title, _) in enumerate(columns)
        ]

        def line(label: str, values: list[str]) -> str:
            numbers = "  ".join(
                value.rjust(width) for value, width in zip(values, widths, strict=True)
            )
            return f"{label.ljust(first)}  {numbers}".rstrip()

        out = [
            _("Outcome report %(period)s: placements ended %(start)s..%(end)s")
            % {
                "period": report["period"],
                "start": report["window_start"],
                "end": report["window_end"],
            },
            "",
            line("", [title for title, _ in columns]),
        ]
        for label, cell in rows:
            out.append(line(str(label), cells(cell)) if cell else str(label))
        return "\n".join(out)
