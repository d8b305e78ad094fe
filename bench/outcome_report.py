"""Benchmark: ``outcome_report`` for several periods, as a whole process, against pandas.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \\
        .venv/bin/python bench/outcome_report.py

Needs pandas (``pip install -r bench/requirements.txt``). Loads the national
data set (300,000 placements, once) and exports it as the placements CSV,
then prints, as medians of BENCH_RUNS runs (default 7):

- ms per period inside one process (``outcome_reports`` for 1 and for 3 periods);
- the whole process ``manage.py outcome_report --period ×3 --format json``
  (start-up, queries, JSON) against the whole process of pandas reading the
  CSV and counting the same three periods (bench/pandas_outcomes.py), and
  their ratio. Target (issue 11): the command faster than pandas (ratio < 1).
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import load_dataset, start_django

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", 7))
PERIODS = ["T1-2020", "T2-2020", "VB-2020"]
CSV = ROOT / "var" / "bench" / "placements.csv"


def _median_ms(timings: list[float]) -> str:
    return f"{statistics.median(timings) * 1000:.0f} ms"


def _timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    # Our own interpreter and scripts, with arguments this script made.
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603
    elapsed = time.perf_counter() - started
    if done.stderr.strip():
        sys.exit(f"{command[1]} wrote to stderr:\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    start_django()
    from casework.placement_export import export_placements
    from placements.models import Placement
    from reports.outcomes import outcome_reports
    from reports.periods import parse_period

    loaded = load_dataset()
    count = Placement.objects.count()
    print(f"data: {count:,} placements (loaded in {loaded:.1f} s)")
    if not CSV.exists():
        CSV.parent.mkdir(parents=True, exist_ok=True)
        with open(CSV, "w", encoding="utf-8", newline="") as stream:
            export_placements(stream, actor="bench")
    print(f"csv: {CSV.stat().st_size / 1e6:.0f} MB")

    periods = [parse_period(label) for label in PERIODS]
    outcome_reports(periods)  # warm the database's caches
    for how_many in (1, 3):
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            outcome_reports(periods[:how_many])
            timings.append((time.perf_counter() - started) / how_many)
        print(f"in process, {how_many} period(s): median {_median_ms(timings)} per period")

    command = [sys.executable, "manage.py", "outcome_report", "--format", "json"]
    for label in PERIODS:
        command += ["--period", label]
    windows = [f"{p.label}:{p.window_start}:{p.window_end}" for p in periods]
    reference = [sys.executable, "bench/pandas_outcomes.py", str(CSV), *windows]
    ours, theirs = [], []
    for _ in range(RUNS):
        elapsed, our_output = _timed(command)
        ours.append(elapsed)
        elapsed, their_output = _timed(reference)
        theirs.append(elapsed)
    for mine, other in zip(json.loads(our_output), json.loads(their_output), strict=True):
        same = {key: mine["total"][key] for key in other["total"]} == other["total"]
        if not same:
            sys.exit(f"The figures differ for {mine['period']}: {mine['total']} / {other['total']}")
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"whole process, 3 periods: outcome_report median {_median_ms(ours)}")
    print(f"whole process, 3 periods: pandas on the CSV median {_median_ms(theirs)}")
    print(f"ratio outcome_report / pandas: {ratio:.2f} (the totals agree)")


if __name__ == "__main__":
    main()
