from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from privacy.models import RetentionRun


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin):
    """Read-only for administrators: retention writes these rows, nobody else."""

    list_display = ("started_at", "finished_at", "cutoff", "participants", "rows")
    date_hierarchy = "started_at"
    fields = ("started_at", "finished_at", "cutoff", "counts_table")
    readonly_fields = fields
    actions = None

    @admin.display(description=_("participants deleted"))
    def participants(self, run: RetentionRun) -> int:
        return run.participants_deleted

    @admin.display(description=_("rows deleted"))
    def rows(self, run: RetentionRun) -> int:
        return run.rows_deleted

    @admin.display(description=_("rows deleted per kind"))
    def counts_table(self, run: RetentionRun) -> SafeString:
        return format_html_join("", "<div><code>{}</code>: {}</div>", sorted(run.counts.items()))

    def _is_programme_admin(self, request: HttpRequest) -> bool:
        return request.user.is_authenticated and request.user.has_role(Role.ADMIN)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_programme_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_programme_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
