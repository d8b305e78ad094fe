"""The admin of participants and placements: the records whose inlines span the case.

A participant's page in the admin edits their placements, studies, goals,
internships and wage subsidies in inlines, and a placement's page its
follow-up: every row is saved through the service of its kind
(``save_model``/``save_formset``), so a rule holds here as on the coach's
pages and in the import.
"""

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.admin import AccessLoggedAdminMixin
from casework.services import placement_save
from core.admin_tools import ReadOnlyInlineMixin, ServiceCheckedModelForm
from followup.models import FollowUp
from followup.services import followup_save, followup_validate
from participants.admin_search import PersonnummerSearchMixin
from participants.models import (
    CaseNote,
    CaseStatusChange,
    Consent,
    LearningGoal,
    Participant,
    ParticipantChange,
    Study,
    SupportActivity,
)
from participants.personnummer import PersonnummerError, parse
from participants.selectors import can_see_sensitive
from participants.services import (
    case_record_check,
    case_record_save,
    participant_create,
    participant_set_sensitive,
    participant_update,
    social_assistance_check,
)
from placements.forms import InternshipRowForm
from placements.models import Internship, Placement, WageSubsidyCase
from placements.services import (
    internship_save,
    internship_validate,
    placement_check,
    wage_subsidy_save,
    wage_subsidy_validate,
)

# Special-category fields; who may see them is participants.selectors.can_see_sensitive.
SENSITIVE_FIELDS = Participant.SENSITIVE_FIELDS

# Text areas in tabular inlines: a full-size textarea per row makes the
# participant page unreadable.
COMPACT_TEXT = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


def _without_sensitive(fields: Sequence[str]) -> list[str]:
    return [field for field in fields if field not in SENSITIVE_FIELDS]


class ServiceCheckedFormSet(BaseInlineFormSet):
    """Each changed row is checked by its service's rules before anything is saved.

    The services check again when ``save_formset`` calls them; checking here
    puts a broken rule next to its row instead of failing the whole save.
    """

    def check_row(self, instance: models.Model, rows: list[models.Model]) -> None:
        """Raise ValidationError for a row that breaks a rule; `rows` are all kept rows."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        rows = [form.instance for form in kept]
        for form in kept:
            if form.has_changed():
                try:
                    self.check_row(form.instance, rows)
                except ValidationError as error:
                    form.add_error(None, error.messages)


class PlacementRowsFormSet(ServiceCheckedFormSet):
    def check_row(self, instance: Placement, rows: list[Placement]) -> None:
        placement_check(instance, others=rows)


class FollowUpRowsFormSet(ServiceCheckedFormSet):
    def check_row(self, instance: FollowUp, rows: list[FollowUp]) -> None:
        # The placement as this form submits it (its end may change in the same save).
        instance.placement = self.instance
        followup_validate(instance)


class WageSubsidyRowsFormSet(ServiceCheckedFormSet):
    def check_row(self, instance: WageSubsidyCase, rows: list[WageSubsidyCase]) -> None:
        wage_subsidy_validate(instance)


class CaseRecordRowsFormSet(ServiceCheckedFormSet):
    """Studies, goals and activities: the rules of ``case_record_save``."""

    def check_row(self, instance: Any, rows: list[Any]) -> None:
        case_record_check(instance, others=rows)


class InternshipRowsFormSet(ServiceCheckedFormSet):
    def check_row(self, instance: Internship, rows: list[Internship]) -> None:
        internship_validate(instance)


def save_case_rows(request: HttpRequest, formset: BaseInlineFormSet) -> None:
    """Save an inline's rows, each kind through its service."""
    instances = formset.save(commit=False)
    for instance in formset.deleted_objects:
        instance.delete()
    placements = [form.instance for form in formset.forms if isinstance(form.instance, Placement)]
    for instance in instances:
        if isinstance(instance, Placement):
            placement_save(placement=instance, others=placements)
        elif isinstance(instance, Internship):
            internship_save(internship=instance)
        elif isinstance(instance, FollowUp):
            followup_save(followup=instance)
        elif isinstance(instance, WageSubsidyCase):
            wage_subsidy_save(case=instance)
        elif isinstance(instance, Study | LearningGoal | SupportActivity):
            if isinstance(instance, SupportActivity) and instance.pk is None:
                instance.recorded_by = request.user
            case_record_save(record=instance)
        else:
            raise TypeError(f"No service saves a {type(instance).__name__} from an inline")
    formset.save_m2m()


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
            "gender_self_described",
            "unit",
            "coach",
            "district",
            "enrolled_on",
            "foreign_born",
            "education_level",
            "months_social_assistance_before",
            "months_unemployed_before",
            "disability",
            "phone",
            "email",
            "street_address",
            "postal_code",
            "city",
            "preferred_language",
            "interpreter_needed",
        )

    def clean_personnummer(self) -> str:
        try:
            number = parse(self.cleaned_data["personnummer"])
        except PersonnummerError as error:
            raise forms.ValidationError(error.message, code="invalid_personnummer") from error
        # Birth date and legal gender come with the number, before the model's checks run.
        self.instance.set_personnummer(number)
        return number.number

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
    formset = PlacementRowsFormSet
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
    formset = CaseRecordRowsFormSet
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
    formset = CaseRecordRowsFormSet
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
    form = InternshipRowForm
    formset = InternshipRowsFormSet
    fields = ("employer", "occupation", "start_date", "end_date", "placement")
    extra = 0


class WageSubsidyCaseInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = WageSubsidyCase
    formset = WageSubsidyRowsFormSet
    fields = ("kind", "employer", "applied_on", "decided_on", "outcome", "placement")
    extra = 0


class SupportActivityInline(ParticipantPlacementChoiceMixin, admin.TabularInline):
    model = SupportActivity
    formset = CaseRecordRowsFormSet
    fields = ("date", "phase", "kind", "note", "placement", "recorded_by")
    readonly_fields = ("recorded_by",)
    formfield_overrides = COMPACT_TEXT
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class ConsentInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Consent decisions, read-only: a decision is recorded, never edited or deleted."""

    model = Consent
    fields = ("flow", "given", "decided_on", "recorded_by", "recorded_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("recorded_by")


class ParticipantChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The history of the participant's data, read-only: written by the services that
    change it. A sensitive field's changes only for users who may see the field."""

    model = ParticipantChange
    fields = ("changed_at", "field", "old_value", "new_value", "reason", "changed_by")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        rows = super().get_queryset(request).select_related("changed_by")
        if not can_see_sensitive(request.user):
            rows = rows.exclude(field__in=SENSITIVE_FIELDS)
        return rows


class CaseStatusChangeInline(ReadOnlyInlineMixin, admin.TabularInline):
    """Closings and reopenings, read-only: made on the participant page (case_close,
    case_reopen)."""

    model = CaseStatusChange
    fields = ("date", "kind", "reason", "changed_by", "changed_at")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("changed_by")


class CaseNoteInline(ReadOnlyInlineMixin, admin.TabularInline):
    """The journal, read-only: notes are append-only and never edited in place."""

    model = CaseNote
    fk_name = "participant"
    fields = ("created_at", "author", "text", "corrects")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("author")


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
    readonly_fields = (
        "birth_date",
        "gender",
        "closed_on",
        "closed_reason",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "personnummer",
                    "birth_date",
                    "gender",
                    "first_name",
                    "last_name",
                    "gender_self_described",
                )
            },
        ),
        (
            _("Case"),
            {"fields": ("unit", "coach", "district", "enrolled_on", "closed_on", "closed_reason")},
        ),
        (
            _("Contact details"),
            {
                "fields": (
                    "phone",
                    "email",
                    "street_address",
                    "postal_code",
                    "city",
                    "preferred_language",
                    "interpreter_needed",
                )
            },
        ),
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
        CaseStatusChangeInline,
        ParticipantChangeInline,
    )
    list_per_page = 50
    show_full_result_count = False

    @admin.display(description=_("personal identity number"), ordering="personnummer")
    def personnummer_masked(self, obj: Participant) -> str:
        return obj.masked_personnummer

    @admin.display(description=_("personal identity number"))
    def personnummer_on_record(self, obj: Participant) -> str:
        """Masked, as everywhere: the full number is shown on the participant's page,
        on request, where each showing is an access-log row of its own
        (``participants.selectors.personnummer_for_user``)."""
        return format_html(
            '{} <a href="{}#participant-summary">{}</a>',
            obj.masked_personnummer,
            reverse("participants:detail", args=[obj.pk]),
            _("Show the full number on the participant's page (logged)"),
        )

    def audit_participant_id(self, obj: Participant) -> int:
        return obj.pk

    def _sees_sensitive(self, request: HttpRequest) -> bool:
        return can_see_sensitive(request.user)

    def _shown(self, request: HttpRequest, obj: Participant | None, fields: Sequence[str]) -> list:
        """The fields a page shows: a recorded number masked, the sensitive ones to those
        who may see them."""
        if obj is not None:
            fields = ["personnummer_on_record" if f == "personnummer" else f for f in fields]
        return list(fields) if self._sees_sensitive(request) else _without_sensitive(fields)

    def get_fields(self, request: HttpRequest, obj: Participant | None = None) -> list[str]:
        return self._shown(request, obj, super().get_fields(request, obj))

    def get_fieldsets(self, request: HttpRequest, obj: Participant | None = None) -> list:
        return [
            (name, {**options, "fields": self._shown(request, obj, options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
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
        # extracts): it is set when the participant is registered. Once set it
        # is shown masked (``personnummer_on_record``), never in full here.
        if obj is None:
            return readonly
        return (*readonly, "personnummer", "personnummer_on_record")

    def get_inlines(self, request: HttpRequest, obj: Participant | None) -> tuple:
        # A participant being registered has no journal, consents or history yet.
        if obj is None:
            return tuple(inline for inline in self.inlines if inline not in HISTORY_INLINES)
        return self.inlines

    def save_model(
        self, request: HttpRequest, obj: Participant, form: forms.ModelForm, change: bool
    ) -> None:
        """Through the services, as on the participant page: registration, or each
        change with its history row (the sensitive fields through their own)."""
        values = {
            name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data
        }
        if not change:
            values.pop("personnummer", None)
            saved = participant_create(
                personnummer=obj.personnummer, registered_by=request.user, **values
            )
            # The admin goes on with this instance: its inlines, message and redirect.
            obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at
            obj._state.adding = False
            return
        changed = {name: values[name] for name in form.changed_data if name in values}
        sensitive = {name: value for name, value in changed.items() if name in SENSITIVE_FIELDS}
        saved = participant_update(
            participant=obj,
            changed_by=request.user,
            **{name: value for name, value in changed.items() if name not in SENSITIVE_FIELDS},
        )
        if sensitive:
            saved = participant_set_sensitive(participant=obj, changed_by=request.user, **sensitive)
        obj.updated_at = saved.updated_at

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        save_case_rows(request, formset)


# Shown once the participant exists.
HISTORY_INLINES = (CaseNoteInline, ConsentInline, CaseStatusChangeInline, ParticipantChangeInline)


# --- Placements ------------------------------------------------------------------------


class FollowUpInline(admin.StackedInline):
    model = FollowUp
    formset = FollowUpRowsFormSet
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


class ParticipantFromPlacementFormSet(ServiceCheckedFormSet):
    """A child row added on a placement belongs to the placement's participant."""

    def _construct_form(self, i: int, **kwargs: Any) -> forms.ModelForm:
        form = super()._construct_form(i, **kwargs)
        # Before validation, so that the rules see whose row it is.
        form.instance.participant_id = self.instance.participant_id
        return form


class PlacementInternshipFormSet(ParticipantFromPlacementFormSet, InternshipRowsFormSet):
    pass


class PlacementStudyFormSet(ParticipantFromPlacementFormSet, CaseRecordRowsFormSet):
    pass


class PlacementInternshipInline(admin.TabularInline):
    model = Internship
    form = InternshipRowForm
    formset = PlacementInternshipFormSet
    fields = ("employer", "occupation", "start_date", "end_date")
    extra = 0


class PlacementStudyInline(admin.TabularInline):
    model = Study
    formset = PlacementStudyFormSet
    fields = ("kind", "course", "provider", "start_date", "end_date", "extent_percent", "completed")
    extra = 0


class PlacementAdminForm(ServiceCheckedModelForm):
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

    def check_instance(self, instance: Placement) -> None:
        placement_check(instance)


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

    def save_model(
        self, request: HttpRequest, obj: Placement, form: forms.ModelForm, change: bool
    ) -> None:
        placement_save(placement=obj)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        save_case_rows(request, formset)

    @admin.display(description=_("personal identity number"), ordering="participant__personnummer")
    def participant_personnummer(self, obj: Placement) -> str:
        return obj.participant.masked_personnummer

    @admin.display(description=_("follow-up due"))
    def follow_up_due(self, obj: Placement) -> datetime.date | None:
        return obj.follow_up_due
