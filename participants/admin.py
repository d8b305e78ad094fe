from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from core.admin_search import PrivateSearchMixin
from core.admin_tools import ServiceCheckedModelForm
from participants.admin_search import PersonnummerSearchMixin
from participants.models import (
    CaseNote,
    Consent,
    District,
    LearningGoal,
    Study,
    SupportActivity,
    TransferRequest,
    Unit,
)
from participants.services import (
    case_note_add,
    case_record_check,
    case_record_save,
    consent_check,
    consent_record,
)


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    list_per_page = 50


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
    prepopulated_fields = {"code": ("name",)}
    list_per_page = 50


class CaseRecordAdminForm(ServiceCheckedModelForm):
    """A study, goal or activity edited in the admin keeps the rules of its service."""

    def check_instance(self, instance: Any) -> None:
        case_record_check(instance)


class CaseRecordAdminMixin:
    """Saves through ``case_record_save``, as the coach's page does."""

    form = CaseRecordAdminForm

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        case_record_save(record=obj)


@admin.register(CaseNote)
class CaseNoteAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
    """Append-only: a note can be added and read, never changed or deleted."""

    list_display = ("created_at", "participant", "author", "excerpt", "corrects")
    list_select_related = ("participant", "author", "corrects")
    search_fields = ("participant__first_name", "participant__last_name")
    date_hierarchy = "created_at"
    raw_id_fields = ("participant", "corrects")
    fields = ("participant", "text", "corrects", "author", "created_at")
    readonly_fields = ("author", "created_at")
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("text"))
    def excerpt(self, obj: CaseNote) -> str:
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:80]}…"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: CaseNote, form: forms.ModelForm, change: bool
    ) -> None:
        saved = case_note_add(
            participant=obj.participant, author=request.user, text=obj.text, corrects=obj.corrects
        )
        # The admin goes on with the saved row (its message, the redirect).
        obj.pk, obj.author, obj.created_at = saved.pk, saved.author, saved.created_at


@admin.register(SupportActivity)
class SupportActivityAdmin(
    CaseRecordAdminMixin, AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin
):
    list_display = ("date", "participant", "phase", "kind", "recorded_by")
    list_select_related = ("participant", "recorded_by")
    list_filter = ("phase", "kind", "date")
    search_fields = ("participant__first_name", "participant__last_name", "note")
    date_hierarchy = "date"
    raw_id_fields = ("participant", "placement")
    readonly_fields = ("recorded_by", "created_at")
    list_per_page = 50
    show_full_result_count = False

    def save_model(
        self, request: HttpRequest, obj: SupportActivity, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            obj.recorded_by = request.user
        case_record_save(record=obj)


@admin.register(LearningGoal)
class LearningGoalAdmin(
    CaseRecordAdminMixin, AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin
):
    list_display = (
        "participant",
        "description_excerpt",
        "target_industry",
        "target_date",
        "status",
        "next_review_on",
    )
    list_select_related = ("participant",)
    list_filter = ("status", "target_date", "next_review_on")
    search_fields = ("participant__first_name", "participant__last_name", "target_industry")
    date_hierarchy = "target_date"
    raw_id_fields = ("participant", "placement")
    readonly_fields = ("created_at", "updated_at")
    list_per_page = 50

    @admin.display(description=_("goal"))
    def description_excerpt(self, obj: LearningGoal) -> str:
        return str(obj)


@admin.register(Study)
class StudyAdmin(
    CaseRecordAdminMixin, AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin
):
    list_display = (
        "participant",
        "kind",
        "course",
        "provider",
        "start_date",
        "end_date",
        "extent_percent",
        "completed",
    )
    list_select_related = ("participant",)
    list_filter = ("kind", "completed", "start_date")
    search_fields = ("participant__first_name", "participant__last_name", "course", "provider")
    date_hierarchy = "start_date"
    raw_id_fields = ("participant", "placement")
    readonly_fields = ("created_at",)
    list_per_page = 50


class ConsentAdminForm(forms.ModelForm):
    class Meta:
        model = Consent
        fields = ("participant", "flow", "given", "decided_on")

    def clean(self) -> dict:
        cleaned = super().clean()
        participant, flow, decided_on = (
            cleaned.get("participant"),
            cleaned.get("flow"),
            cleaned.get("decided_on"),
        )
        if participant is not None and flow and decided_on:
            try:
                consent_check(participant=participant, flow=flow, decided_on=decided_on)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Consent)
class ConsentAdmin(AccessLoggedAdminMixin, PersonnummerSearchMixin, admin.ModelAdmin):
    """Append-only: a decision can be recorded and read, never changed or deleted."""

    form = ConsentAdminForm
    personnummer_lookup = "participant__personnummer"
    list_display = ("decided_on", "participant", "flow", "given", "recorded_by", "recorded_at")
    list_select_related = ("participant", "recorded_by")
    list_filter = ("flow", "given", "decided_on")
    search_fields = ("participant__first_name", "participant__last_name")
    search_help_text = _("Participant's name or personal identity number.")
    date_hierarchy = "decided_on"
    # The lookup popup is the participant changelist, searched by POST; an
    # autocomplete box would send what is typed in the address.
    raw_id_fields = ("participant",)
    fields = ("participant", "flow", "given", "decided_on", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    list_per_page = 50
    show_full_result_count = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Consent, form: forms.ModelForm, change: bool
    ) -> None:
        # The one way a decision is written; the admin goes on with the saved row.
        saved = consent_record(
            participant=obj.participant,
            flow=obj.flow,
            given=obj.given,
            decided_on=obj.decided_on,
            recorded_by=request.user,
        )
        obj.pk, obj.recorded_by, obj.recorded_at = saved.pk, saved.recorded_by, saved.recorded_at


@admin.register(TransferRequest)
class TransferRequestAdmin(AccessLoggedAdminMixin, admin.ModelAdmin):
    """Read-only: a request is made and decided on the pages, through their services
    (``transfer_ask``, ``transfer_approve``, ``transfer_decline``), which log both sides."""

    list_display = (
        "requested_at",
        "participant",
        "from_unit",
        "to_unit",
        "requested_by",
        "status",
        "decided_by",
        "decided_at",
    )
    list_select_related = ("participant", "from_unit", "to_unit", "requested_by", "decided_by")
    list_filter = ("status", "requested_at")
    date_hierarchy = "requested_at"
    fields = (
        "participant",
        "from_unit",
        "to_unit",
        "requested_by",
        "requested_at",
        "reason",
        "status",
        "decided_by",
        "decided_at",
    )
    readonly_fields = fields
    list_per_page = 50
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
