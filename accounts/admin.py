from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as OtpTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.signals import second_factor_reset

# What only a superuser may give or take: the admin's own powers.
SUPERUSER_FIELDS = ("is_superuser", "is_staff", "user_permissions")

SITE_TITLE = _("Stockholmsjobb – administration")

admin.site.site_header = SITE_TITLE
admin.site.site_title = SITE_TITLE
admin.site.index_title = _("Administration")


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date-and-time widget with a <label> for each of its two inputs.

    Django's own names neither input (axe: "label", critical; WCAG 1.3.1 and 4.1.2).
    """

    template_name = "accounts/widgets/split_datetime.html"


LABELLED_DATE_TIMES = {models.DateTimeField: {"widget": LabelledSplitDateTime}}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    formfield_overrides = LABELLED_DATE_TIMES
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

    actions = ("reset_second_factor",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).prefetch_related("groups")

    def is_above(self, request: HttpRequest, obj: User | None) -> bool:
        """A superuser, or another administrator, seen by an administrator who is no superuser.

        Their password, second factor, details and account are out of such an
        administrator's reach: else setting a superuser's password and
        resetting their second factor would make one.
        """
        if obj is None or request.user.is_superuser or obj.pk == request.user.pk:
            return False
        return obj.is_superuser or obj.groups.filter(name=Role.ADMIN).exists()

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return super().has_change_permission(request, obj) and not self.is_above(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not self.is_above(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        readonly = tuple(super().get_readonly_fields(request, obj))
        # Separation of duties: an administrator of the programme cannot make anyone
        # (themself included) a superuser or staff, nor hand out single permissions.
        return readonly if request.user.is_superuser else (*readonly, *SUPERUSER_FIELDS)

    def get_form(self, request: HttpRequest, obj: User | None = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)
        if request.user.is_superuser:
            return form

        class AdminGroupKeptForm(form):
            """Admin-group membership is given and taken by superusers only."""

            def clean_groups(self) -> Any:
                groups = self.cleaned_data.get("groups")
                before = self.instance.pk and self.instance.groups.filter(name=Role.ADMIN).exists()
                after = groups is not None and groups.filter(name=Role.ADMIN).exists()
                if bool(before) != bool(after):
                    raise ValidationError(
                        _("Only a superuser can add someone to the admin group or take them out.")
                    )
                return groups

        return AdminGroupKeptForm

    @admin.action(description=_("Reset the second factor (a lost or new phone)"))
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """The user pairs a new authenticator app at their next login; each reset is logged."""
        reset = 0
        above = [user for user in queryset if self.is_above(request, user)]
        if above:
            self.message_user(
                request,
                _("Only a superuser resets the second factor of a superuser or an administrator."),
                messages.ERROR,
            )
        for user in queryset:
            if user in above:
                continue
            deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
            if deleted:
                reset += 1
                second_factor_reset.send(sender=User, request=request, user=user)
        self.message_user(
            request,
            ngettext(
                "%(count)d user pairs a new authenticator app at the next login.",
                "%(count)d users pair a new authenticator app at the next login.",
                reset,
            )
            % {"count": reset},
            messages.SUCCESS,
        )

    @admin.display(description=_("roles"))
    def group_names(self, obj: User) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """The roles' permissions are the system's design: only a superuser changes them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


admin.site.unregister(TOTPDevice)

# django-otp's fieldset titles, in words the translation catalogue has.
TOTP_FIELDSET_TITLES = {
    "Identity": _("Identity"),
    "Timestamps": _("Timestamps"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling"),
}


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(OtpTOTPDeviceAdmin):
    """django-otp's admin of authenticator apps: headings translated, inputs labelled."""

    formfield_overrides = LABELLED_DATE_TIMES

    def get_fieldsets(self, request: HttpRequest, obj: TOTPDevice | None = None) -> list:
        return [
            (TOTP_FIELDSET_TITLES.get(title, title), options)
            for title, options in super().get_fieldsets(request, obj)
        ]
