"""The CSV-import command contract (core.csv_commands)."""

import pytest


def test_a_database_refusal_during_an_import_prints_no_personnummer():
    from django.core.management.base import BaseCommand, CommandError
    from django.db import IntegrityError

    from core.csv_commands import run_csv_import

    def run():
        raise IntegrityError(
            'duplicate key value violates unique constraint "participant_personnummer"\n'
            "DETAIL:  Key (personnummer)=(198507099805) already exists."
        )

    with pytest.raises(CommandError) as failure:
        run_csv_import(BaseCommand(), run)

    assert "1985070" not in str(failure.value)
    assert "IntegrityError" in str(failure.value)
