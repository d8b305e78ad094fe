"""Benchmark: outcome snapshots and the managers' dashboard at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \
        .venv/bin/python bench/dashboard.py

Loads 300,000 placements (once), then prints the median time to compute a
snapshot and the median server time and query count of /dashboard/.
Targets (issue 3): snapshot < 10 s, dashboard < 300 ms.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402

# Pages are rendered without collectstatic, as in the tests.
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
from placements.models import Placement  # noqa: E402
from reports.models import OutcomeCell, OutcomeSnapshot  # noqa: E402
from reports.services import snapshot_compute  # noqa: E402

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", 200_000))
PLACEMENTS = int(os.environ.get("BENCH_PLACEMENTS", 300_000))
RUNS = int(os.environ.get("BENCH_RUNS", 5))


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database made for benchmarks.")
    call_command("migrate", verbosity=0)
    loaded = ensure_dataset(
        participants=PARTICIPANTS, placements=PLACEMENTS, today=timezone.localdate()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"data: {Placement.objects.count():,} placements (loaded in {loaded:.1f} s)")

    timings = []
    for _ in range(RUNS):
        snapshot = OutcomeSnapshot.objects.create()
        started = time.perf_counter()
        snapshot_compute(snapshot_id=snapshot.pk)
        timings.append(time.perf_counter() - started)
    cells = OutcomeCell.objects.filter(snapshot=snapshot).count()
    print(
        f"snapshot: median {statistics.median(timings):.2f} s over {RUNS} runs "
        f"(min {min(timings):.2f}, max {max(timings):.2f}); {cells:,} cells"
    )

    from accounts.models import User
    from tests.factories import ManagerFactory

    manager = User.objects.filter(username="bench-manager").first() or ManagerFactory(
        username="bench-manager", unit=None
    )
    client = Client()
    client.force_login(manager)
    client.get("/dashboard/")  # warm caches and connections
    pages = (("dashboard", ""), ("dashboard, filtered", "?age_group=30%2B&setting=adapted"))
    for label, query in pages:
        timings = []
        for _ in range(RUNS * 2):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(f"/dashboard/{query}")
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        print(
            f"{label}: median {statistics.median(timings) * 1000:.0f} ms server time "
            f"over {len(timings)} requests; {len(queries.captured_queries)} queries"
        )


if __name__ == "__main__":
    main()
