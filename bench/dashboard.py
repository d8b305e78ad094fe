"""Benchmark: outcome snapshots and the managers' dashboard at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \
        .venv/bin/python bench/dashboard.py

Loads 300,000 placements (once), then prints the median time to compute a
snapshot and the median server time and query count of /dashboard/: every
unit unfiltered (the precomputed period figures), one unit (where a manager
starts), one unit and one funding, and two attribute filters, each beside the
unfiltered median. Targets (issue 3): snapshot < 10 s, dashboard < 300 ms.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import load_dataset, start_django, time_page

RUNS = int(os.environ.get("BENCH_RUNS", 5))


def main() -> None:
    start_django()
    from django.test import Client

    from placements.models import Placement
    from reports.models import OutcomeCell, OutcomeSnapshot
    from reports.snapshots import snapshot_compute
    from tests.factories import ManagerFactory

    loaded = load_dataset()
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
    from participants.models import Unit

    manager = User.objects.filter(username="bench-manager").first() or ManagerFactory(
        username="bench-manager", unit=None
    )
    client = Client()
    client.force_login(manager)
    unit = Unit.objects.order_by("pk").first()
    pages = [
        ("dashboard, all units", "/dashboard/?unit=all"),
        ("dashboard, one unit", f"/dashboard/?unit={unit.pk}"),
        ("dashboard, one unit, funding sdf", f"/dashboard/?unit={unit.pk}&funding=sdf"),
        ("dashboard, all units, funding amf", "/dashboard/?unit=all&funding=amf"),
        ("dashboard, age 30+ and adapted", "/dashboard/?unit=all&age_group=30%2B&setting=adapted"),
    ]
    medians = {label: time_page(client, label, path, runs=RUNS * 2) for label, path in pages}
    unfiltered = medians[pages[0][0]]
    print("filtered against unfiltered (median server time):")
    for label, median in medians.items():
        print(f"  {label}: {median * 1000:.0f} ms ({median / unfiltered:.1f} × unfiltered)")


if __name__ == "__main__":
    main()
