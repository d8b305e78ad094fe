from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COACH = "coach", _("Coach")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    """A member of staff. Roles are the groups `coach`, `manager` and `admin`."""

    unit = models.ForeignKey(
        "participants.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, role: str) -> bool:
        if not self.is_active:
            return False
        if role == Role.ADMIN and self.is_superuser:
            return True
        # Group names are cached on the instance: navigation asks several times
        # per request.
        if not hasattr(self, "_role_names"):
            self._role_names = set(self.groups.values_list("name", flat=True))
        return role in self._role_names

    @property
    def is_coach(self) -> bool:
        return self.has_role(Role.COACH)

    @property
    def is_manager(self) -> bool:
        return self.has_role(Role.MANAGER)

    @property
    def is_programme_admin(self) -> bool:
        return self.has_role(Role.ADMIN)
