import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from core.admin_tools import ServiceCheckedModelForm
from followup.models import (
    JOB_STATEMENTS,
    STAFF_STATEMENTS,
    FollowUp,
    RegisterOutcome,
    SurveyResponse,
)
from followup.services import followup_save, followup_validate, register_outcome_check_consent
from participants.admin_search import PersonnummerSearchMixin
from participants.models import Participant
from placements.models import JobType


class FollowUpAdminForm(ServiceCheckedModelForm):
    class Meta:
        model = FollowUp
        fields = (
            "placement",
            "due_date",
            "performed_on",
            "outcome",
            "employer_or_school",
            "note",
            "performed_by",
        )

    def check_instance(self, instance: Any) -> None:
        followup_validate(instance)


@admin.register(FollowUp)
class FollowUpAdmin(AccessLoggedAdminMixin, PersonnummerSearchMixin, admin.ModelAdmin):
    form = FollowUpAdminForm
    personnummer_lookup = "placement__participant__personnummer"
    list_display = (
        "due_date",
        "participant",
        "job_type",
        "placement_end_date",
        "performed_on",
        "outcome",
        "performed_by",
    )
    list_select_related = ("placement__participant", "placement__job_type", "performed_by")
    list_filter = (
        "outcome",
        ("performed_on", admin.EmptyFieldListFilter),
        "due_date",
        "placement__job_type",
        "placement__participant__unit",
    )
    search_fields = ("placement__participant__first_name", "placement__participant__last_name")
    search_help_text = _("Participant's name or personal identity number.")
    date_hierarchy = "due_date"
    raw_id_fields = ("placement",)
    autocomplete_fields = ("performed_by",)
    fields = (
        "placement",
        "due_date",
        ("performed_on", "outcome"),
        "employer_or_school",
        "note",
        "performed_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50
    show_full_result_count = False

    def save_model(
        self, request: HttpRequest, obj: FollowUp, form: forms.ModelForm, change: bool
    ) -> None:
        followup_save(followup=obj)

    @admin.display(description=_("participant"), ordering="placement__participant__last_name")
    def participant(self, obj: FollowUp) -> Participant:
        return obj.placement.participant

    def audit_participant_id(self, obj: FollowUp) -> int:
        return obj.placement.participant_id

    @admin.display(description=_("job type"), ordering="placement__job_type__sort_order")
    def job_type(self, obj: FollowUp) -> JobType:
        return obj.placement.job_type

    @admin.display(description=_("placement ended"), ordering="placement__end_date")
    def placement_end_date(self, obj: FollowUp) -> datetime.date | None:
        return obj.placement.end_date


class RegisterOutcomeAdminForm(forms.ModelForm):
    class Meta:
        model = RegisterOutcome
        fields = ("participant", "year", "income_source")

    def clean(self) -> dict:
        cleaned = super().clean()
        participant = cleaned.get("participant")
        if participant is not None:
            try:
                register_outcome_check_consent(participant=participant)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(RegisterOutcome)
class RegisterOutcomeAdmin(AccessLoggedAdminMixin, PersonnummerSearchMixin, admin.ModelAdmin):
    """SCB extract rows: stored only for participants with current SCB consent."""

    form = RegisterOutcomeAdminForm
    personnummer_lookup = "participant__personnummer"
    list_display = ("participant", "year", "income_source", "imported_at")
    list_select_related = ("participant",)
    list_filter = ("year", "income_source")
    search_fields = ("participant__first_name", "participant__last_name")
    raw_id_fields = ("participant",)
    readonly_fields = ("imported_at",)
    list_per_page = 50
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    list_display = (
        "survey_round",
        "job_type",
        "submitted_on",
        "on_paper",
        "studied_during_placement",
        "feel_better",
    )
    list_select_related = ("survey_round", "job_type")
    list_filter = ("survey_round", "job_type", "on_paper", "studied_during_placement")
    search_fields = ("survey_round__name",)
    date_hierarchy = "submitted_on"
    raw_id_fields = ("participant",)
    fieldsets = (
        (None, {"fields": ("survey_round", "job_type", "participant", "on_paper")}),
        (_("Staff"), {"fields": STAFF_STATEMENTS}),
        (_("The job"), {"fields": (*JOB_STATEMENTS, "studied_during_placement")}),
        (None, {"fields": ("submitted_on",)}),
    )
    list_per_page = 50
