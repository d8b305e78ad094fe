"""Benchmark: the coaches' caseload and participant pages at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \
        .venv/bin/python bench/caseload.py

Uses the data set of bench/dataset.py (loaded once), gives a coach a unit of
about 5,000 participants with a caseload of 300, and a participant with a long
case history, then prints the median server time and the query count of the
caseload (my caseload, the whole unit, a name search, a filter) and of the
participant page. Target (issue 4): under 150 ms with a bounded query count.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("REQUIRE_2FA", "false")

import django

django.setup()

from django.conf import settings  # noqa: E402

settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.dataset import ensure_dataset  # noqa: E402
from participants.models import CaseNote, Participant, SupportActivity, Unit  # noqa: E402
from placements.models import Placement  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", 200_000))
PLACEMENTS = int(os.environ.get("BENCH_PLACEMENTS", 300_000))
RUNS = int(os.environ.get("BENCH_RUNS", 10))
CASELOAD = 300
HISTORY = 40


def _coach_and_participant():
    from accounts.models import User
    from tests.factories import CoachFactory

    unit = Unit.objects.get(name="Bench unit 0")
    coach = User.objects.filter(username="bench-coach").first() or CoachFactory(
        username="bench-coach", unit=unit
    )
    if not Participant.objects.filter(coach=coach).exists():
        ids = list(
            Participant.objects.filter(unit=unit)
            .order_by("pk")
            .values_list("pk", flat=True)[:CASELOAD]
        )
        Participant.objects.filter(pk__in=ids).update(coach=coach)
    # The participant with the longest history of the caseload: two placements and notes.
    participant = (
        Participant.objects.filter(coach=coach, placements__isnull=False).order_by("-pk").first()
    )
    if participant.notes.count() < HISTORY:
        CaseNote.objects.bulk_create(
            CaseNote(participant=participant, author=coach, text=f"Anteckning {i}")
            for i in range(HISTORY)
        )
        SupportActivity.objects.bulk_create(
            SupportActivity(
                participant=participant,
                phase="during",
                kind="coaching_talk",
                date=timezone.localdate(),
                recorded_by=coach,
            )
            for _ in range(HISTORY)
        )
    return coach, participant


def measure(client: Client, label: str, path: str) -> None:
    client.get(path)
    timings = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    print(
        f"{label}: median {statistics.median(timings) * 1000:.0f} ms server time over "
        f"{RUNS} requests; {len(queries.captured_queries)} queries"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database made for benchmarks.")
    call_command("migrate", verbosity=0)
    ensure_dataset(participants=PARTICIPANTS, placements=PLACEMENTS, today=timezone.localdate())
    coach, participant = _coach_and_participant()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    unit_size = Participant.objects.filter(unit=coach.unit).count()
    print(
        f"data: {Placement.objects.count():,} placements; the coach's unit holds "
        f"{unit_size:,} participants, their caseload {CASELOAD}; the participant page shows "
        f"{participant.notes.count()} notes and {participant.activities.count()} activities"
    )
    client = Client()
    client.force_login(coach)
    measure(client, "caseload, mine", "/participants/")
    measure(client, "caseload, whole unit", "/participants/?scope=unit")
    measure(client, "caseload, unit, page 50", "/participants/?scope=unit&page=50")
    measure(client, "caseload, name search", "/participants/?scope=unit&q=Person1")
    measure(client, "participant page", f"/participants/{participant.pk}/")


if __name__ == "__main__":
    main()
