"""Django's flush, able to empty the access log too.

The SQLite trigger refuses DELETE on the access log, and flush empties every
table with DELETE there (PostgreSQL uses TRUNCATE, which row triggers do not
see). Emptying the whole database is as explicit an act as retention, so
flush gets the same permission purge_before has, for its own run. Tests that
commit data (transactional tests, the browser tests) end with a flush.
"""

from typing import Any

from django.core.management.commands import flush
from django.db import connections

from audit.database import forbid_deletion, permit_deletion


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with connection.cursor() as cursor:
            permit_deletion(cursor)
        try:
            super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                forbid_deletion(cursor)
