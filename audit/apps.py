from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Access log")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        # Logins, failed logins and logouts arrive as Django's auth signals.
        from audit import checks, signals  # noqa: F401
        from audit.database import after_migrate
        from audit.services import note_write

        # Instrumentation only: whether a POST saved anything, for its log row's action.
        post_save.connect(note_write, dispatch_uid="audit_note_save")
        post_delete.connect(note_write, dispatch_uid="audit_note_delete")
        # The retention period of the purge function, and the application role's grants.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="audit_after_migrate")
