"""Deployment checks (``manage.py check --deploy``) for settings Django does not know."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind


@register(Tags.security, deploy=True)
def site_url_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """Printed survey slips and reminder e-mails link to SITE_URL: it must be the real address."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.SITE_URL or "")
    if url.scheme != "https" or not url.hostname or url.hostname in LOCAL_HOSTS:
        return [
            Error(
                f"SITE_URL is {settings.SITE_URL!r}: survey links and reminder e-mails would "
                "point there.",
                hint="Set SITE_URL to the https address users reach the service at, e.g. "
                "https://stockholmsjobb.stad.se.",
                id="stockholmsjobb.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def accessibility_contact_check(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    """The accessibility statement, required by law, names a real address for shortcomings."""
    if settings.DEBUG:
        return []
    domain = settings.ACCESSIBILITY_CONTACT_EMAIL.rpartition("@")[2].lower()
    if not domain or domain.endswith(".example") or domain == "example.com":
        return [
            Error(
                f"ACCESSIBILITY_CONTACT_EMAIL is {settings.ACCESSIBILITY_CONTACT_EMAIL!r}: the "
                "accessibility statement would ask people to report shortcomings there.",
                hint="Set ACCESSIBILITY_CONTACT_EMAIL to an address the organisation answers, "
                "e.g. tillganglighet@stad.se.",
                id="stockholmsjobb.E002",
            )
        ]
    return []
