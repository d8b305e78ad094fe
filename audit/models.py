"""The access log: who read or changed what, when and from where. Append-only.

A row names the participant only by id (``participant_id``, a plain integer,
not a foreign key), so deleting a participant does not touch the log by
itself, and no row ever holds a name or a personnummer.

Nothing in the application changes or deletes a row: ``save()`` only inserts,
``delete()`` and the queryset's ``update()``/``delete()`` refuse, the admin is
read-only, and a database trigger refuses UPDATE and DELETE whatever the
caller (migrations 0002 and 0004). In production the application's
PostgreSQL role may only INSERT and SELECT here (``audit.database``). The
only way out is retention's (``privacy.services``):
``audit.services.purge_before``, for rows older than the retention period.
Rows about a participant retention deletes stay until they are that old:
they name an id that no longer leads to anyone.

Rows are chained (``audit.chain``): once sealed, each holds its place in the
chain, the hash of the row before it and a hash of its own content and that
one, so a row deleted, altered or slipped in later is found by
``manage.py verify_access_log``. A row retention deletes leaves a tombstone
with its place and hashes, and nothing else.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an access-log row."""

    def __init__(self, what: str = "changed or deleted") -> None:
        super().__init__(f"The access log is append-only: rows cannot be {what}.")


class Action(models.TextChoices):
    VIEW = "view", _("Viewed")
    CHANGE = "change", _("Changed")
    CREATE = "create", _("Created")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed")
    LOGIN = "login", _("Logged in")
    # With two-factor login on, the password alone is not a login yet.
    PASSWORD_OK = "password_ok", _("Password accepted")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOGOUT = "logout", _("Logged out")
    REFUSED = "refused", _("Refused")
    BULK_CHANGE = "bulk_change", _("Bulk change")
    SEARCH = "search", _("Searched")
    # Registering a personnummer that another unit has: refused without saying so, reviewed.
    COLLISION = "collision", _("Registration collision")
    # The full personnummer shown on request ("visa"); everywhere else it is masked.
    REVEAL = "reveal", _("Full identity number shown")


# The actions that show a participant's record to the user: the ones the
# monthly review checks against the reader's unit and caseload.
READ_ACTIONS = (Action.VIEW, Action.CHANGE, Action.PRINT, Action.REVEAL)


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("updated")

    def _update(self, values: Any) -> NoReturn:
        # Model.save() and bulk_update() reach the database through here.
        raise AppendOnlyError("updated")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("deleted")

    delete.alters_data = True
    delete.queryset_only = True

    def _raw_delete(self, using: str) -> NoReturn:
        raise AppendOnlyError("deleted")


class AccessLogEntry(models.Model):
    # No database constraint and no cascade: the row keeps the id and the
    # username of a user who has since been deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    unit_name = models.CharField(_("unit at the time"), max_length=100, blank=True)
    participant_id = models.BigIntegerField(_("participant id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.BigIntegerField(_("object id"), null=True, blank=True)
    # The path only: a query string may hold what someone searched for.
    path = models.CharField(_("path"), max_length=500, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # Counts and kinds only, never the value of a field.
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    # A read: whether the participant was, as it was read, outside the reader's
    # unit, or outside their caseload for anyone but a manager. Judged when the
    # row is written, so a later move or reassignment does not change it;
    # empty on rows written before it was kept (the review then judges by today).
    outside_reach = models.BooleanField(_("outside the reader's reach"), null=True, blank=True)
    # The chain (audit.chain): empty until the row is sealed, then never changed.
    chain_position = models.BigIntegerField(
        _("place in the chain"), null=True, blank=True, unique=True, editable=False
    )
    previous_hash = models.CharField(
        _("hash of the previous row"), max_length=64, blank=True, editable=False
    )
    row_hash = models.CharField(_("hash of the row"), max_length=64, blank=True, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["at"], name="accesslog_at"),
            models.Index(fields=["participant_id", "at"], name="accesslog_participant_at"),
            models.Index(fields=["username", "at"], name="accesslog_username_at"),
            # The rows the sealer looks for.
            models.Index(fields=["id"], condition=models.Q(row_hash=""), name="accesslog_unsealed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=Action.values), name="accesslog_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(
        self,
        *,
        force_insert: bool = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Any = None,
    ) -> None:
        if not self._state.adding or force_update or update_fields:
            raise AppendOnlyError("updated")
        # Never an UPDATE, even for a new instance given an existing id.
        super().save(force_insert=True, using=using)

    def delete(self, using: str | None = None, keep_parents: bool = False) -> NoReturn:
        raise AppendOnlyError("deleted")


class AccessLogTombstone(models.Model):
    """The place and hashes of a row retention deleted: the chain stays whole without it.

    Written only by retention's purge, in the same transaction as the deletion
    (on PostgreSQL by the owner role's purge functions); nothing personal.
    """

    chain_position = models.BigIntegerField(_("place in the chain"), primary_key=True)
    previous_hash = models.CharField(_("hash of the previous row"), max_length=64)
    row_hash = models.CharField(_("hash of the row"), max_length=64)
    purged_at = models.DateTimeField(_("purged at"), default=timezone.now)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["chain_position"]
        verbose_name = _("access-log tombstone")
        verbose_name_plural = _("access-log tombstones")

    def __str__(self) -> str:
        return f"{self.chain_position} {self.row_hash[:12]}"
