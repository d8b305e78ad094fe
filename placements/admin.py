import datetime
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from core.admin_search import PrivateSearchMixin
from followup.models import FollowUp
from participants.admin_search import PersonnummerSearchMixin
from participants.models import Study
from placements.models import (
    Internship,
    JobType,
    Placement,
    PlacementTarget,
    WageSubsidyCase,
    Workplace,
)
from placements.services import placement_check_no_overlap


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


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    fields = (
        "due_date",
        ("performed_on", "outcome"),
        "employer_or_school",
        "note",
        "performed_by",
    )
    autocomplete_fields = ("performed_by",)
    max_num = 1
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Placement | None = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        # The rule (end + 3 months) suggests the due date; it can be adjusted.
        if obj is not None and obj.follow_up_due is not None:
            formset.form.base_fields["due_date"].initial = obj.follow_up_due
        return formset


class ParticipantFromPlacementFormSet(BaseInlineFormSet):
    """A child row added on a placement belongs to the placement's participant."""

    def save_new(self, form: ModelForm, commit: bool = True) -> Any:
        form.instance.participant_id = self.instance.participant_id
        return super().save_new(form, commit=commit)


class PlacementInternshipInline(admin.TabularInline):
    model = Internship
    formset = ParticipantFromPlacementFormSet
    fields = ("employer", "occupation", "start_date", "end_date")
    extra = 0


class PlacementStudyInline(admin.TabularInline):
    model = Study
    formset = ParticipantFromPlacementFormSet
    fields = ("kind", "course", "provider", "start_date", "end_date", "extent_percent", "completed")
    extra = 0


class PlacementAdminForm(ModelForm):
    class Meta:
        model = Placement
        fields = (
            "participant",
            "job_type",
            "workplace",
            "funding",
            "start_date",
            "planned_end_date",
            "extended_on",
            "end_date",
            "end_reason",
        )

    def _post_clean(self) -> None:
        super()._post_clean()
        # _post_clean has copied the cleaned values onto the instance; check it now.
        if self.instance.participant_id and self.instance.start_date and not self.errors:
            try:
                placement_check_no_overlap(self.instance)
            except ValidationError as error:
                self.add_error(None, error.messages)


@admin.register(Placement)
class PlacementAdmin(AccessLoggedAdminMixin, PersonnummerSearchMixin, admin.ModelAdmin):
    form = PlacementAdminForm
    personnummer_lookup = "participant__personnummer"
    list_display = (
        "participant",
        "participant_personnummer",
        "job_type",
        "workplace",
        "funding",
        "start_date",
        "planned_end_date",
        "end_date",
        "end_reason",
    )
    list_select_related = ("participant", "job_type", "workplace")
    list_filter = (
        "job_type",
        "funding",
        "end_reason",
        "workplace__setting",
        "participant__unit",
        "start_date",
        "end_date",
    )
    search_fields = ("participant__first_name", "participant__last_name", "workplace__name")
    search_help_text = _("Participant's name or personal identity number, or workplace.")
    date_hierarchy = "start_date"
    # Participants by raw id: its lookup searches by POST (PrivateSearchMixin),
    # where an autocomplete would send the typed personnummer in a GET.
    raw_id_fields = ("participant",)
    autocomplete_fields = ("workplace",)
    fieldsets = (
        (None, {"fields": ("participant", "job_type", "workplace", "funding")}),
        (
            _("Dates"),
            {
                "fields": (
                    "start_date",
                    ("planned_end_date", "extended_on"),
                    ("end_date", "end_reason"),
                    "follow_up_due",
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    readonly_fields = ("follow_up_due", "created_at", "updated_at")
    inlines = (FollowUpInline, PlacementInternshipInline, PlacementStudyInline)
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("personal identity number"), ordering="participant__personnummer")
    def participant_personnummer(self, obj: Placement) -> str:
        return obj.participant.masked_personnummer

    @admin.display(description=_("follow-up due"))
    def follow_up_due(self, obj: Placement) -> datetime.date | None:
        return obj.follow_up_due


@admin.register(Internship)
class InternshipAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
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


@admin.register(WageSubsidyCase)
class WageSubsidyCaseAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
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
