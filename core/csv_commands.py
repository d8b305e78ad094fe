"""What every CSV-import management command does alike.

The file argument (``-`` for standard input), and the all-or-nothing
contract on the command line: every problem as ``row N: column: reason`` on
stderr, exit status 1 and nothing written; unknown columns as a warning;
the import's summary on stdout.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from core.csv_files import ImportFailed, Source


class ImportSummary(Protocol):
    ignored_columns: tuple[str, ...]

    @property
    def summary(self) -> str: ...


R = TypeVar("R", bound=ImportSummary)


def csv_source(name: str) -> Source:
    """The file a command was given: a path that exists, or standard input for ``-``."""
    if name == "-":
        return sys.stdin.buffer
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    return path


def run_csv_import(command: BaseCommand, run: Callable[[], R]) -> R:
    """Run an import and report it as the contract says; CommandError (status 1) on failure."""
    try:
        result = run()
    except ImportFailed as failure:
        for error in failure.errors:
            command.stderr.write(str(error))
        raise CommandError(
            f"Nothing was imported: {len(failure.errors)} problem(s) listed above."
        ) from None
    except DatabaseError as error:
        # Not the database's own words: they quote the offending row, a
        # personnummer included (``Key (personnummer)=(…) already exists``).
        raise CommandError(
            f"Nothing was imported: the database refused the import ({type(error).__name__}); "
            "another change to the same records may have come first. Run the import again."
        ) from None
    if result.ignored_columns:
        command.stderr.write(
            "warning: ignored unknown columns: " + ", ".join(result.ignored_columns)
        )
    command.stdout.write(result.summary)
    return result
