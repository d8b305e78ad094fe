"""Benchmark: the memory of ``manage.py import_placements`` as the file grows.

    .venv/bin/python bench/import_memory.py

Writes valid placements CSV files (DESIGN §5) of 100,000 and 1,000,000 rows
in a temporary directory: half as many new participants, each with an ended
placement (most with a follow-up registered) and a later one, the rows of a
person far apart in the file. Each file is imported by ``manage.py
import_placements`` in a child process into a PostgreSQL database of its own
(BENCH_IMPORT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench_import), which this
script creates, migrates once as a template and copies afresh before every
run. It prints, as medians of BENCH_RUNS runs (default 3), the child's peak
resident memory and wall time for each size, and the ratio of the largest
file's peak to the smallest's. Target (security issue): at most 2, memory
flat as the rows grow.

BENCH_IMPORT_SIZES (default ``100000,1000000``) sets the sizes; BENCH_TREE
runs another checkout's ``manage.py`` (an old copy, to compare before and
after), with this interpreter.
"""

import csv
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from participants.personnummer import luhn_check_digit

ROOT = Path(__file__).resolve().parent.parent
TREE = Path(os.environ.get("BENCH_TREE", ROOT)).resolve()
RUNS = int(os.environ.get("BENCH_RUNS", 3))
SIZES = [int(size) for size in os.environ.get("BENCH_IMPORT_SIZES", "100000,1000000").split(",")]
DATABASE_URL = os.environ.get(
    "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench_import"
)
# Never the data set of the other benchmarks: this script drops its database.
SHARED_BENCH_DATABASE = "stockholmsjobb_bench"
WORKPLACES = 2_000
OUTCOMES = [
    "arbete_osubventionerat",
    "arbete_subventionerat",
    "studier",
    "arbetssokande",
    "annan_insats",
    "ej_nadd",
]
END_REASONS = ["completed", "work", "studies", "illness", "own_request", "other"]
COLUMNS = [
    "personnummer",
    "first_name",
    "last_name",
    "gender",
    "job_type",
    "workplace",
    "district",
    "start_date",
    "end_date",
    "end_reason",
    "followup_date",
    "followup_outcome",
]


def _personnummer(person: int) -> str:
    """A distinct valid personnummer for each person number (1,000 per birth date)."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=person // 1000)
    nine = f"{birth:%y%m%d}{person % 1000:03d}"
    return f"{birth:%Y%m%d}{person % 1000:03d}{luhn_check_digit(nine)}"


def _database_url(name: str) -> str:
    parts = urlsplit(DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _connect(name: str):
    parts = urlsplit(DATABASE_URL)
    connection = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=name,
    )
    connection.autocommit = True
    return connection


def _recreate(name: str, *, template: str | None = None) -> None:
    """Drop the database and create it empty, or as a copy of ``template``."""
    # Autocommit, and not ``with connection``, which would open a transaction:
    # DROP and CREATE DATABASE refuse to run inside one.
    connection = _connect("postgres")
    try:
        with connection.cursor() as cursor:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            cursor.execute(drop.format(sql.Identifier(name)))
            create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template is not None:
                create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
            cursor.execute(create)
    finally:
        connection.close()


def _codes(name: str) -> tuple[list[str], list[str]]:
    """The job type and district codes the migrations load."""
    connection = _connect(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT code FROM placements_jobtype ORDER BY code")
            job_types = [code for (code,) in cursor.fetchall()]
            cursor.execute("SELECT code FROM participants_district ORDER BY code")
            districts = [code for (code,) in cursor.fetchall()]
    finally:
        connection.close()
    return job_types, districts


def write_file(path: Path, rows: int, job_types: list[str], districts: list[str]) -> None:
    """``rows`` valid rows: every person's first placement, then every person's second."""
    rng = random.Random(rows)
    people = rows // 2
    firsts = []
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(COLUMNS)
        for person in range(people):
            start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(365))
            end = start + datetime.timedelta(days=rng.randrange(180, 360))
            followed_up = rng.random() < 0.7
            firsts.append(end)
            writer.writerow(_row(person, rng, job_types, districts, start, end, followed_up))
        for person in range(people):
            start = firsts[person] + datetime.timedelta(days=rng.randrange(1, 120))
            ended = rng.random() < 0.5
            end = start + datetime.timedelta(days=rng.randrange(180, 360)) if ended else None
            writer.writerow(_row(person, rng, job_types, districts, start, end, ended))


def _row(
    person: int,
    rng: random.Random,
    job_types: list[str],
    districts: list[str],
    start: datetime.date,
    end: datetime.date | None,
    followed_up: bool,
) -> list[str]:
    number = _personnummer(person)
    follow_up = (
        end + datetime.timedelta(days=rng.randrange(80, 120)) if end and followed_up else None
    )
    return [
        f"{number[:8]}-{number[8:]}" if person % 2 else number,
        "Bench",
        f"Person{person}",
        "man" if int(number[-2]) % 2 else "kvinna",
        job_types[person % len(job_types)],
        f"Bench workplace {rng.randrange(WORKPLACES)}",
        districts[person % len(districts)],
        start.isoformat(),
        end.isoformat() if end else "",
        rng.choice(END_REASONS) if end else "",
        follow_up.isoformat() if follow_up else "",
        rng.choice(OUTCOMES) if follow_up else "",
    ]


def _manage(database: str, *arguments: str) -> tuple[float, int, str]:
    """Run ``manage.py`` of the tree; return wall seconds, peak RSS in KiB and stdout."""
    environment = {**os.environ, "DATABASE_URL": _database_url(database)}
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        # Our own interpreter and manage.py, with arguments this script made.
        child = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", *arguments],
            cwd=TREE,
            env=environment,
            stdout=stdout,
            stderr=stderr,
        )
        # wait4 gives this child's own peak; RUSAGE_CHILDREN would keep the largest so far.
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    if child.returncode != 0 or errors.strip():
        sys.exit(f"manage.py {' '.join(arguments)} failed ({child.returncode}):\n{errors}")
    return elapsed, usage.ru_maxrss, output


def main() -> None:
    database = urlsplit(DATABASE_URL).path.lstrip("/")
    if database == SHARED_BENCH_DATABASE:
        sys.exit(f"Give a database of this benchmark's own, not {SHARED_BENCH_DATABASE}.")
    template = f"{database}_template"
    print(f"tree: {TREE}")
    started = time.perf_counter()
    _recreate(template)
    _manage(template, "migrate", "--verbosity", "0")
    print(f"database: {template} migrated in {time.perf_counter() - started:.0f} s")
    job_types, districts = _codes(template)

    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="import-memory-") as directory:
        for size in SIZES:
            path = Path(directory) / f"placements-{size}.csv"
            started = time.perf_counter()
            write_file(path, size, job_types, districts)
            print(
                f"{size:,} rows: file {path.stat().st_size / 1e6:.0f} MB "
                f"(written in {time.perf_counter() - started:.0f} s)"
            )
            timings, rss = [], []
            for _ in range(RUNS):
                _recreate(database, template=template)
                elapsed, peak, stdout = _manage(database, "import_placements", str(path))
                if not stdout.startswith(f"Imported {size} rows: {size // 2} participants created"):
                    sys.exit(f"Unexpected result: {stdout}")
                timings.append(elapsed)
                rss.append(peak / 1024)
                print(f"  run: {elapsed:.1f} s, peak RSS {peak / 1024:.0f} MiB", flush=True)
            peaks[size] = statistics.median(rss)
            print(
                f"{size:,} rows: median peak RSS {peaks[size]:.0f} MiB, "
                f"median wall time {statistics.median(timings):.1f} s over {RUNS} run(s)",
                flush=True,
            )
    _recreate(database)
    smallest, largest = min(peaks), max(peaks)
    if largest != smallest:
        ratio = peaks[largest] / peaks[smallest]
        verdict = "flat within 2×" if ratio <= 2 else "NOT flat within 2×"
        print(f"ratio peak({largest:,}) / peak({smallest:,}): {ratio:.2f} ({verdict})")


if __name__ == "__main__":
    main()
