"""`manage.py seed_demo`: fill an empty database with believable demo data."""

import random
import re
import time
from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from demo.seed import (
    FIRST_YEAR,
    PLACEMENTS_PER_YEAR,
    SeedOptions,
    delete_demo_data,
    seed_demo,
)
from participants.models import Participant
from reports.annual.services import annual_report_request
from reports.models import OutcomeSnapshot
from reports.snapshots import snapshot_compute


def _year_range(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", text.strip())
    if not match:
        raise ArgumentTypeError("use FIRST-LAST, e.g. 2018-2025, or one year")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if not 2000 <= first <= last <= 2100:
        raise ArgumentTypeError("the first year must not be after the last (2000-2100)")
    return first, last


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise ArgumentTypeError("must be a whole number of at least 1")
    return int(text)


class Command(BaseCommand):
    help = (
        "Fill an empty database with synthetic demo data: four Jobbtorg units with coaches and "
        "managers, workplaces, placement targets 2018-2026, about 800 placements a year with "
        "participants, three-month follow-ups and some case content. Creates or updates the "
        "users coach, manager and admin with the password 'stockholm'; the other staff it "
        "makes cannot log in. Refuses to run when participants exist. --force first DELETES "
        "EVERY PARTICIPANT with all their placements, follow-ups, journal and other case data, "
        "the demo workplaces and the demo staff (e-mail @jobbtorg.example), keeping units, "
        "placement targets, other workplaces and other users: never use it on real data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=2021,
            help="Random seed (default 2021); same seed, same data.",
        )
        parser.add_argument(
            "--years",
            type=_year_range,
            default=None,
            metavar="FIRST-LAST",
            help=(
                "Years in which placements start (default 2018 to the current year; "
                "the current year only up to today)."
            ),
        )
        parser.add_argument(
            "--per-year",
            type=_positive,
            default=PLACEMENTS_PER_YEAR,
            metavar="N",
            help=f"Placements starting per year (default {PLACEMENTS_PER_YEAR}).",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--force",
            action="store_true",
            help="Delete all participants and the previous demo data first (see above).",
        )
        group.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when participants exist (for `make run`).",
        )

    def handle(
        self,
        *args: object,
        seed: int,
        years: tuple[int, int] | None,
        per_year: int,
        force: bool,
        if_empty: bool,
        **options: object,
    ) -> None:
        today = timezone.localdate()
        first_year, last_year = years or (FIRST_YEAR, today.year)
        if first_year > today.year:
            raise CommandError(f"--years starts after this year ({today.year}).")
        started = time.monotonic()
        # One transaction: a refusal or a failure half-way leaves the database as it was.
        with transaction.atomic():
            if Participant.objects.exists():
                if if_empty:
                    self.stdout.write(
                        "The database already holds participants; no demo data added."
                    )
                    return
                if not force:
                    raise CommandError(
                        "The database already holds participants; nothing was changed. "
                        "seed_demo only fills an empty database. Use --force to delete every "
                        "participant and the previous demo data first."
                    )
                removed = delete_demo_data()
                self.stdout.write(
                    "Deleted {participants} participants, {workplaces} workplaces and the "
                    "demo staff.".format(**removed)
                )
            counts = seed_demo(
                # A private generator so the data depend only on --seed (and today).
                rng=random.Random(seed),
                options=SeedOptions(
                    today=today, first_year=first_year, last_year=last_year, per_year=per_year
                ),
            )
        # The dashboard reads snapshots: give it the demo's figures straight away.
        snapshot = snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)
        counts["outcome snapshot cells"] = snapshot.cells
        # And the annual report of the last full year, ready at /reports/ (built by
        # the worker, or here when tasks run in-process).
        annual_report_request(year=today.year - 1)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Demo data for {first_year}-{last_year} (seed {seed}, today {today:%Y-%m-%d}):"
        )
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>6}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {elapsed:.1f} s. Log in as coach, manager or admin "
                "with the password 'stockholm'."
            )
        )
