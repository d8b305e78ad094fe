from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from core.admin_search import PrivateSearchMixin
from core.admin_tools import ServiceCheckedModelForm
from placements.forms import InternshipLengthMixin
from placements.models import (
    Internship,
    JobType,
    PlacementTarget,
    WageSubsidyCase,
    Workplace,
)
from placements.services import (
    internship_save,
    internship_validate,
    wage_subsidy_save,
    wage_subsidy_validate,
)


class PlacementTargetInline(admin.TabularInline):
    model = PlacementTarget
    fields = ("year", "places")
    extra = 0


@admin.register(JobType)
class JobTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "setting",
        "min_age",
        "max_age",
        "min_months",
        "max_months",
        "extendable",
        "active",
        "sort_order",
    )
    list_filter = ("setting", "active", "extendable")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "code", "setting", "target_group", "active", "sort_order")}),
        (_("Age and length"), {"fields": (("min_age", "max_age"), ("min_months", "max_months"))}),
        (None, {"fields": ("extendable",)}),
    )
    inlines = (PlacementTargetInline,)
    list_per_page = 50


@admin.register(PlacementTarget)
class PlacementTargetAdmin(admin.ModelAdmin):
    list_display = ("year", "job_type", "places")
    list_select_related = ("job_type",)
    list_filter = ("year", "job_type")
    search_fields = ("job_type__name", "job_type__code")
    list_per_page = 50


@admin.register(Workplace)
class WorkplaceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organisation",
        "organisation_kind",
        "industry",
        "setting",
        "shortage_occupation",
        "district",
        "active",
    )
    list_select_related = ("district",)
    list_filter = (
        "organisation_kind",
        "setting",
        "shortage_occupation",
        "district",
        "industry",
        "active",
    )
    search_fields = ("name", "organisation", "industry", "contact_name")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "organisation",
                    "organisation_kind",
                    "industry",
                    "setting",
                    "shortage_occupation",
                    "district",
                    "active",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_phone", "contact_email")}),
    )
    list_per_page = 50


class InternshipAdminForm(InternshipLengthMixin, ServiceCheckedModelForm):
    class Meta:
        model = Internship
        fields = ("participant", "placement", "employer", "occupation", "start_date", "end_date")

    def check_instance(self, instance: Any) -> None:
        internship_validate(instance)


@admin.register(Internship)
class InternshipAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
    form = InternshipAdminForm
    list_display = ("participant", "employer", "occupation", "start_date", "end_date")
    list_select_related = ("participant",)
    list_filter = ("start_date",)
    search_fields = (
        "participant__first_name",
        "participant__last_name",
        "employer",
        "occupation",
    )
    date_hierarchy = "start_date"
    raw_id_fields = ("participant", "placement")
    readonly_fields = ("created_at",)
    list_per_page = 50

    def save_model(
        self, request: HttpRequest, obj: Internship, form: forms.ModelForm, change: bool
    ) -> None:
        internship_save(internship=obj)


class WageSubsidyCaseAdminForm(ServiceCheckedModelForm):
    class Meta:
        model = WageSubsidyCase
        fields = (
            "participant",
            "placement",
            "kind",
            "employer",
            "applied_on",
            "decided_on",
            "outcome",
        )

    def check_instance(self, instance: Any) -> None:
        wage_subsidy_validate(instance)


@admin.register(WageSubsidyCase)
class WageSubsidyCaseAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
    form = WageSubsidyCaseAdminForm

    def save_model(
        self, request: HttpRequest, obj: WageSubsidyCase, form: forms.ModelForm, change: bool
    ) -> None:
        wage_subsidy_save(case=obj)

    list_display = (
        "participant",
        "kind",
        "employer",
        "applied_on",
        "decided_on",
        "outcome",
        "processing_days",
    )
    list_select_related = ("participant",)
    list_filter = ("kind", "outcome", "applied_on", "decided_on")
    search_fields = ("participant__first_name", "participant__last_name", "employer")
    date_hierarchy = "applied_on"
    raw_id_fields = ("participant", "placement")
    readonly_fields = ("processing_days", "created_at", "updated_at")
    list_per_page = 50

    @admin.display(description=_("processing time (days)"))
    def processing_days(self, obj: WageSubsidyCase) -> int | None:
        return obj.processing_days
