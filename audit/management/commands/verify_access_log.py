"""Seal the access log's new rows, then check its whole chain.

Prints how many rows and tombstones were checked and the chain's head (place
and hash): an operator who keeps the head elsewhere (the system log, a
ticket) can later show that the chain up to it was not rewritten. Exits
with 1 when the chain is broken, naming each break (places and row ids,
nothing about any person).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.chain import seal, verify


class Command(BaseCommand):
    help = "Check the access log's hash chain: finds rows deleted, altered or forged."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="Check only; do not first seal the rows written since the last seal.",
        )

    def handle(self, *args: Any, no_seal: bool = False, **options: Any) -> None:
        if not no_seal:
            seal()
        report = verify()
        self.stdout.write(
            f"{report.rows} rows and {report.tombstones} tombstones checked; "
            f"{report.unsealed} rows not sealed yet."
        )
        self.stdout.write(f"Head: place {report.head_position}, hash {report.head_hash or '-'}")
        for notice in report.notices:
            self.stdout.write(self.style.WARNING(f"Out of time order: {notice}"))
        if report.intact:
            self.stdout.write(self.style.SUCCESS("The chain is intact."))
            return
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problem_count > len(report.problems):
            self.stderr.write(f"… and {report.problem_count - len(report.problems)} more.")
        raise CommandError(f"The access log's chain is broken in {report.problem_count} places.")
