from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        # Logins, failed logins and logouts arrive as Django's auth signals.
        from audit import signals  # noqa: F401
