"""Checks the web server makes before it serves anything."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_development_key() -> None:
    """Refuse to serve with the public development key unless DEBUG is on.

    Sessions, password-reset links and signed values would be forgeable by
    anyone who has read this repository.
    """
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: the web server does not serve on the development key. "
            "Set SECRET_KEY (see .env.example), or DEBUG=true on a developer's machine."
        )
