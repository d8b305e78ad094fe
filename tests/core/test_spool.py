"""SortedSpool: records sorted on disk, so that an import's memory does not grow with its file."""

import random

from core import spool
from core.spool import SortedSpool


def test_a_few_records_are_sorted_in_memory_without_a_file():
    with SortedSpool() as records:
        for record in [(3, "c"), (1, "a"), (2, None)]:
            records.add(record)

        assert list(records) == [(1, "a"), (2, None), (3, "c")]
        assert len(records) == 3
        assert records._runs == []


def test_many_records_are_sorted_through_runs_on_disk_and_read_back_as_often_as_needed(
    monkeypatch,
):
    # Small runs, merged into one when there are four: every path is taken.
    monkeypatch.setattr(spool, "MAX_RUNS", 4)
    monkeypatch.setattr(spool, "BLOCK", 3)
    rng = random.Random(7)
    numbers = list(range(1000))
    rng.shuffle(numbers)
    records = SortedSpool(in_memory=10)
    for number in numbers:
        records.add((f"{number % 37:02d}", number, None, number % 2 == 0))

    expected = sorted((f"{n % 37:02d}", n, None, n % 2 == 0) for n in range(1000))
    assert list(records) == expected
    assert list(records) == expected
    assert len(records) == 1000
    assert len(records._runs) < 4
    assert len(records._buffer) == 0

    files = list(records._runs)
    records.close()
    assert all(file.closed for file in files)
