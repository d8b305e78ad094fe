"""What every benchmark does first: start Django, load the national data set, time pages."""

import os
import statistics
import sys
import time
from pathlib import Path

PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", 200_000))
PLACEMENTS = int(os.environ.get("BENCH_PLACEMENTS", 300_000))


def start_django() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("REQUIRE_2FA", "false")
    import django

    django.setup()
    from django.conf import settings

    # Pages are rendered without collectstatic, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def load_dataset() -> float:
    """Migrate and load the data set (once); returns the seconds spent loading."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from bench.dataset import ensure_dataset

    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database made for benchmarks.")
    call_command("migrate", verbosity=0)
    loaded = ensure_dataset(
        participants=PARTICIPANTS, placements=PLACEMENTS, today=timezone.localdate()
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return loaded


def time_page(client, label: str, path: str, *, runs: int) -> float:
    """Print the median server time and the query count of a page (after one warm-up);
    return the median in seconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    median = statistics.median(timings)
    print(
        f"{label}: median {median * 1000:.0f} ms server time over "
        f"{runs} requests; {len(queries.captured_queries)} queries"
    )
    return median
