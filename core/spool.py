"""Records sorted without holding them all: sorted runs in temporary files, merged on reading.

An import checks rows against each other (one person's placements, one
person's years) and lists its problems in row order. Sorting brings the rows
that belong together next to each other; doing it on disk keeps the memory
of an import the same for a million rows as for a thousand.
"""

import heapq
import marshal
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

# Records kept in memory before they are sorted and written out as a run.
IN_MEMORY = 20_000
# Records per block on disk: a run being merged holds one block in memory.
BLOCK = 256
# This many runs are merged into one, so that a merge never reads more at once.
MAX_RUNS = 32
_SIZE = 4  # bytes of a block's length


def _close(runs: list[IO[bytes]]) -> None:
    for run in runs:
        run.close()


class SortedSpool:
    """Tuples of plain values (str, int, bool, None), added in any order and read back sorted.

    Records are compared as tuples: their leading fields must tell any two
    apart (a row number does), so that fields which may be None are never
    compared. Read it as often as needed once the last record is added; the
    files go with the spool, or at :meth:`close`.
    """

    def __init__(self, in_memory: int | None = None) -> None:
        self._in_memory = in_memory or IN_MEMORY
        self._buffer: list[tuple[Any, ...]] = []
        self._runs: list[IO[bytes]] = []
        self._count = 0
        self._finalizer = weakref.finalize(self, _close, self._runs)

    def add(self, record: tuple[Any, ...]) -> None:
        self._buffer.append(record)
        self._count += 1
        if len(self._buffer) >= self._in_memory:
            self._spill()

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        if not self._runs:
            self._buffer.sort()
            return iter(self._buffer)
        if self._buffer:
            self._spill()
        return heapq.merge(*(_read(run) for run in self._runs))

    def close(self) -> None:
        self._finalizer()

    def __enter__(self) -> "SortedSpool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _spill(self) -> None:
        self._buffer.sort()
        self._runs.append(_write(self._buffer))
        self._buffer = []
        if len(self._runs) >= MAX_RUNS:
            merged = _write(heapq.merge(*(_read(run) for run in self._runs)))
            _close(self._runs)
            # The same list object: the finalizer closes what it holds.
            self._runs[:] = [merged]


def _write(records: Iterable[tuple[Any, ...]]) -> IO[bytes]:
    run = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the spool
    records = iter(records)
    while block := list(islice(records, BLOCK)):
        data = marshal.dumps(block)
        run.write(len(data).to_bytes(_SIZE, "little"))
        run.write(data)
    return run


def _read(run: IO[bytes]) -> Iterator[tuple[Any, ...]]:
    # Several readers share nothing but the file: each seeks to where it stopped.
    position = 0
    while True:
        run.seek(position)
        size = run.read(_SIZE)
        if not size:
            return
        data = run.read(int.from_bytes(size, "little"))
        position = run.tell()
        # marshal, not pickle: plain values only, from a file this process wrote.
        yield from marshal.loads(data)  # noqa: S302
