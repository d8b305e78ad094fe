from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit.details import describe, object_type_name
from audit.models import AccessLogEntry, Action
from audit.services import log_access, log_change


class AccessLoggedAdminMixin:
    """Opening a record of a participant in the admin is logged like any other read.

    ``get_object`` is where the admin's change, delete and history pages load
    the row, so each of them writes a row: "view" for GET, "change" for POST
    (a change only if it saved). A list of the records (the changelist, up to
    a page of names and excerpts) writes one row per page shown, naming the list.
    """

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        if getattr(response, "status_code", None) == 200 and request.method == "GET":
            changelist = getattr(response, "context_data", {}).get("cl")
            page = changelist.page_num if changelist is not None else 1
            shown = len(changelist.result_list) if changelist is not None else 0
            log_access(
                action=Action.VIEW,
                object_type=self.model._meta.model_name,  # type: ignore[attr-defined]
                detail=f"admin list, page {page}, {shown} rows",
                request=request,
            )
        return response

    def audit_participant_id(self, obj: Model) -> int | None:
        return getattr(obj, "participant_id", None)

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            row = {
                "participant_id": self.audit_participant_id(obj),
                "object_type": obj._meta.model_name,
                "object_id": obj.pk,
                "request": request,
            }
            if request.method == "POST":
                log_change(**row)  # "change" only if the admin saved
            else:
                log_access(action=Action.VIEW, **row)
        return obj


def _is_programme_admin(request: HttpRequest) -> bool:
    # The admin's login page asks too, for an anonymous visitor.
    return request.user.is_authenticated and request.user.has_role(Role.ADMIN)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Read-only for administrators; nobody adds, changes or deletes, superusers included."""

    list_display = (
        "at",
        "username",
        "unit_name",
        "action",
        "participant_id",
        "object_kind",
        "object_id",
        "path",
        "method",
        "ip_address",
        "detail_text",
    )
    list_filter = ("action", "at")
    search_fields = ("=username",)
    search_help_text = _("The exact username.")
    date_hierarchy = "at"
    readonly_fields = [field.name for field in AccessLogEntry._meta.fields]
    list_per_page = 50
    show_full_result_count = False
    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_programme_admin(request)

    # The stored English (the row is never rewritten), shown in the reader's language.
    @admin.display(description=_("object type"), ordering="object_type")
    def object_kind(self, obj: AccessLogEntry) -> str:
        return object_type_name(obj.object_type)

    @admin.display(description=_("detail"))
    def detail_text(self, obj: AccessLogEntry) -> str:
        return describe(obj.detail)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_programme_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
