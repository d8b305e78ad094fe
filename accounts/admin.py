from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User

SITE_TITLE = _("Stockholmsjobb – administration")

admin.site.site_header = SITE_TITLE
admin.site.site_title = SITE_TITLE
admin.site.index_title = _("Administration")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Unit"), {"fields": ("unit",)}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Unit"), {"classes": ("wide",), "fields": ("unit",)}),
    )
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "unit",
        "group_names",
        "is_active",
        "is_staff",
    )
    list_filter = ("unit", "groups", "is_active", "is_staff", "is_superuser")
    list_select_related = ("unit",)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def group_names(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))
