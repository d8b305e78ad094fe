from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Installed only for its system checks; core has no models."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import checks  # noqa: F401  - registers the checks (Django's idiom)
