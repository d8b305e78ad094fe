"""Benchmark: building the annual report (tables, workbook) on the current database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_demo \
        .venv/bin/python bench/annual_report.py

Migrates, loads the demo data (`manage.py seed_demo`) when the database has no
participants, then builds the report of the last full year BENCH_RUNS times
(default 5) with the function the Celery task runs, and prints the median
time, the number of queries and the size of the files. Target (the annual
report issue): < 30 s on the demo data. BENCH_YEAR picks another year.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import start_django

RUNS = int(os.environ.get("BENCH_RUNS", 5))


def main() -> None:
    start_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from participants.models import Participant
    from placements.models import Placement
    from reports.annual.build import annual_report_build, stored_tables
    from reports.annual.services import annual_report_request
    from reports.annual.xlsx import csv_zip_bytes
    from reports.annual.years import default_year, years_with_data
    from reports.models import AnnualReport, SnapshotStatus

    call_command("migrate", verbosity=0)
    if not Participant.objects.exists():
        print("no participants: loading the demo data (seed_demo)")
        call_command("seed_demo", verbosity=0)
    year = int(os.environ.get("BENCH_YEAR") or default_year(years_with_data()))
    print(
        f"data: {Placement.objects.count():,} placements on {connection.vendor}; report year {year}"
    )

    # The row of the year; each run then builds it again as the worker would (without
    # the broker: with the embedded settings the request would build it in-process).
    report = annual_report_request(year=year)
    timings = []
    for _ in range(RUNS):
        AnnualReport.objects.filter(pk=report.pk).update(status=SnapshotStatus.QUEUED)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            report = annual_report_build(report_id=report.pk)
            timings.append(time.perf_counter() - started)
    csv_size = len(csv_zip_bytes(stored_tables(report), year=year))
    print(
        f"annual report: median {statistics.median(timings):.2f} s over {RUNS} builds "
        f"(min {min(timings):.2f}, max {max(timings):.2f}); "
        f"{len(queries.captured_queries)} queries; "
        f"xlsx {len(bytes(report.xlsx)) / 1024:.0f} KiB, CSV zip {csv_size / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
