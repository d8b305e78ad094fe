from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from core.admin_search import PrivateSearchMixin
from participants.admin_search import PersonnummerSearchMixin
from participants.models import (
    CaseNote,
    Consent,
    District,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
    Unit,
)
from participants.personnummer import PersonnummerError, normalise, parse
from participants.selectors import can_see_sensitive
from participants.services import consent_check, consent_record, social_assistance_check
from placements.models import Internship, Placement, WageSubsidyCase

# Special-category fields; who may see them is participants.selectors.can_see_sensitive.
SENSITIVE_FIELDS = ("disability",)

# Text areas in tabular inlines: a full-size textarea per row makes the
# participant page unreadable.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


def _without_sensitive(fields: Sequence[str]) -> list[str]:
    return [field for field in fields if field not in SENSITIVE_FIELDS]


class ParticipantAdminForm(forms.ModelForm):
    # Wider than the model field (12) so "YYYYMMDD-NNNN" reaches clean_personnummer.
    personnummer = forms.CharField(
        label=Participant._meta.get_field("personnummer").verbose_name,
        max_length=13,
        help_text=_("YYYYMMDD-NNNN, YYYYMMDDNNNN or YYMMDD-NNNN; samordningsnummer accepted."),
    )

    class Meta:
        model = Participant
        fields = (
            "personnummer",
            "first_name",
            "last_name",
            "gender",
            "unit",
            "coach",
            "district",
            "enrolled_on",
            "foreign_born",
            "education_level",
            "months_social_assistance_before",
            "months_unemployed_before",
            "disability",
        )

    def clean_personnummer(self) -> str:
        try:
            return normalise(self.cleaned_data["personnummer"])
        except PersonnummerError as error:
            raise forms.ValidationError(error.message, code="invalid_personnummer") from error

    def clean(self) -> dict:
        cleaned = super().clean()
        # A figure kept from before a withdrawal may stay; a new one needs consent now.
        if "months_social_assistance_before" in self.changed_data:
            try:
                social_assistance_check(
                    participant=self.instance if self.instance.pk else None,
                    months=cleaned.get("months_social_assistance_before"),
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ParticipantPlacementChoiceMixin:
    """Offer only the participant's own placements in a child row's `placement` select."""

    def get_formset(self, request: HttpRequest, obj: Participant | None = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("placement")
        if field is not None:
            placements = Placement.objects.select_related("job_type")
            field.queryset = placements.filter(participant=obj) if obj else placements.none()
        return formset


class PlacementInline(admin.TabularInline):
    model = Placement
    fields = (
        "job_type",
        "workplace",
        "funding",
        "start_date",
        "planned_end_date",
        "end_date",
        "end_reason",
    )
    autocomplete_fields = ("workplace",)
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("job_type", "workplace")


class StudyInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = Study
    fields = (
        "kind",
        "course",
        "provider",
        "start_date",
        "end_date",
        "extent_percent",
        "completed",
        "placement",
    )
    extra = 0


class LearningGoalInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = LearningGoal
    fields = (
        "description",
        "target_industry",
        "target_date",
        "status",
        "reviewed_on",
        "next_review_on",
        "placement",
    )
    formfield_overrides = COMPACT_TEXT
    extra = 0


class InternshipInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = Internship
    fields = ("employer", "occupation", "start_date", "end_date", "placement")
    extra = 0


class WageSubsidyCaseInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = WageSubsidyCase
    fields = ("kind", "employer", "applied_on", "decided_on", "outcome", "placement")
    extra = 0


class SupportActivityInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = SupportActivity
    fields = ("date", "phase", "kind", "note", "placement", "recorded_by")
    readonly_fields = ("recorded_by",)
    formfield_overrides = COMPACT_TEXT
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class ConsentInline(admin.TabularInline):
    """Consent decisions, read-only: a decision is recorded, never edited or deleted."""

    model = Consent
    fields = ("flow", "given", "decided_on", "recorded_by", "recorded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseNoteInline(admin.TabularInline):
    """The journal, read-only: notes are append-only and never edited in place."""

    model = CaseNote
    fk_name = "participant"
    fields = ("created_at", "author", "text", "corrects")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


@admin.register(Participant)
class ParticipantAdmin(AccessLoggedAdminMixin, PersonnummerSearchMixin, admin.ModelAdmin):
    form = ParticipantAdminForm
    list_display = (
        "last_name",
        "first_name",
        "personnummer_masked",
        "gender",
        "unit",
        "coach",
        "district",
        "enrolled_on",
    )
    list_display_links = ("last_name", "first_name")
    list_select_related = ("unit", "coach", "district")
    list_filter = (
        "gender",
        "unit",
        "district",
        "education_level",
        "foreign_born",
        "disability",
        "enrolled_on",
    )
    search_fields = ("first_name", "last_name")
    search_help_text = _("Name, or a personal identity number in any form.")
    date_hierarchy = "enrolled_on"
    autocomplete_fields = ("coach",)
    readonly_fields = ("birth_date", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("personnummer", "birth_date", "first_name", "last_name", "gender")}),
        (_("Case"), {"fields": ("unit", "coach", "district", "enrolled_on")}),
        (
            _("Background"),
            {
                "fields": (
                    "foreign_born",
                    "education_level",
                    "months_social_assistance_before",
                    "months_unemployed_before",
                    "disability",
                )
            },
        ),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (
        PlacementInline,
        StudyInline,
        LearningGoalInline,
        InternshipInline,
        WageSubsidyCaseInline,
        SupportActivityInline,
        ConsentInline,
        CaseNoteInline,
    )
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("personal identity number"), ordering="personnummer")
    def personnummer_masked(self, obj: Participant) -> str:
        return obj.masked_personnummer

    def audit_participant_id(self, obj: Participant) -> int:
        return obj.pk

    def _sees_sensitive(self, request: HttpRequest) -> bool:
        return can_see_sensitive(request.user)

    def get_fields(self, request: HttpRequest, obj: Participant | None = None) -> list[str]:
        fields = super().get_fields(request, obj)
        if self._sees_sensitive(request):
            return fields
        return _without_sensitive(fields)

    def get_fieldsets(self, request: HttpRequest, obj: Participant | None = None) -> list:
        fieldsets = super().get_fieldsets(request, obj)
        if self._sees_sensitive(request):
            return fieldsets
        return [
            (name, {**options, "fields": _without_sensitive(options["fields"])})
            for name, options in fieldsets
        ]

    def get_list_filter(self, request: HttpRequest) -> tuple:
        list_filter = super().get_list_filter(request)
        if self._sees_sensitive(request):
            return list_filter
        return tuple(f for f in list_filter if f not in SENSITIVE_FIELDS)

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Local fields are always filterable by URL; without this a hand-made
        # ?disability__exact=1 would list exactly the people with a disability.
        if lookup.split("__")[0] in SENSITIVE_FIELDS and not (
            request is not None and self._sees_sensitive(request)
        ):
            return False
        return super().lookup_allowed(lookup, value, request)

    def construct_change_message(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formsets: Any,
        add: bool = False,
    ) -> list[dict]:
        # The history page is read by users without the permission too: it
        # must not even say that the disability field was changed.
        message = super().construct_change_message(request, form, formsets, add)
        with translation.override(None):
            hidden = {
                str(form.fields[name].label) for name in SENSITIVE_FIELDS if name in form.fields
            }
        kept = []
        for entry in message:
            changed = entry.get("changed")
            # Without "name" the entry is about the participant's own fields, not an inline's.
            if changed is not None and "name" not in changed:
                changed["fields"] = [label for label in changed["fields"] if label not in hidden]
                if not changed["fields"]:
                    continue
            kept.append(entry)
        return kept

    def get_readonly_fields(self, request: HttpRequest, obj: Participant | None = None) -> tuple:
        readonly = tuple(super().get_readonly_fields(request, obj))
        # The number is the person's identity (and the key of register
        # extracts): it is set when the participant is registered.
        return (*readonly, "personnummer") if obj is not None else readonly

    def get_inlines(self, request: HttpRequest, obj: Participant | None) -> tuple:
        # A participant being registered has no journal and no consents yet.
        if obj is None:
            return tuple(
                inline for inline in self.inlines if inline not in (CaseNoteInline, ConsentInline)
            )
        return self.inlines

    def save_model(
        self, request: HttpRequest, obj: Participant, form: forms.ModelForm, change: bool
    ) -> None:
        obj.birth_date = parse(obj.personnummer).birth_date
        super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        instances = formset.save(commit=False)
        for instance in formset.deleted_objects:
            instance.delete()
        for instance in instances:
            if isinstance(instance, SupportActivity) and instance.pk is None:
                instance.recorded_by = request.user
            instance.save()
        formset.save_m2m()


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
        obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(SupportActivity)
class SupportActivityAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
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
        super().save_model(request, obj, form, change)


@admin.register(LearningGoal)
class LearningGoalAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
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
class StudyAdmin(AccessLoggedAdminMixin, PrivateSearchMixin, admin.ModelAdmin):
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
