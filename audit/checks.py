"""Deployment check: the application does not run as the owner of the access log."""

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import connections

from audit.database import runs_as_owner


@register(Tags.security, Tags.database, deploy=True)
def app_role_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """On PostgreSQL the role the application connects as must not own the log."""
    connection = connections["default"]
    if settings.DEBUG or connection.vendor != "postgresql":
        return []
    if runs_as_owner(connection):
        return [
            Warning(
                f"The application connects to PostgreSQL as {connection.settings_dict['USER']!r}, "
                "which owns the access log (or is a superuser): it could erase it.",
                hint="Run migrations as the owner role with DATABASE_APP_ROLE set, and the "
                "application as that role (README: the database's two roles).",
                id="audit.W001",
            )
        ]
    return []
