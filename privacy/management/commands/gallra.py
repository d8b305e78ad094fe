"""Retention (gallring) by hand: the nightly task's work, or with --dry-run its counts."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.services import MANAGE_PY
from privacy.services import retention_run


class Command(BaseCommand):
    help = (
        "Delete participants whose last entry is older than RETENTION_YEARS years, with "
        "their history and the log rows about them. Prints counts per model, nothing else."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print the counts that would be deleted; delete nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        result = retention_run(today=timezone.localdate(), username=MANAGE_PY, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"cutoff {result.cutoff:%Y-%m-%d}: last entry before it; rows {verb}:")
        width = max(len(label) for label in result.counts)
        for label, count in result.counts.items():
            self.stdout.write(f"  {label:<{width}}  {count}")
