"""The participant page and the forms that add to it without leaving it.

Every view fetches the participant through `participant_for_user` (404 for
anyone outside the unit) and, to change anything, checks
`can_edit_participant` (403 for managers, who only read).

Each form view answers htmx and plain requests alike:

- GET: the form (a fragment for htmx, a page of its own without JavaScript);
- POST, valid: the service saves; htmx gets the refreshed timeline (plus an
  empty form, the summary and a status line, swapped out of band), a plain
  request is redirected back to the page;
- POST, invalid: the form again, each error next to its field.
"""

import dataclasses
import datetime
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from casework import case_forms
from casework.services import placement_end
from casework.timeline import KINDS, participant_timeline
from core.http import is_htmx
from core.locking import RecordChanged
from followup.models import FollowUp
from followup.services import followup_register
from participants.models import CaseNote, LearningGoal, Participant
from participants.selectors import (
    can_correct_personnummer,
    can_edit_participant,
    can_see_sensitive,
    consent_overview,
    participant_for_user,
    participant_history,
    personnummer_for_user,
)
from participants.services import (
    case_close,
    case_note_add,
    case_reopen,
    consent_record,
    learning_goal_create,
    learning_goal_update,
    participant_set_sensitive,
    participant_update,
    personnummer_correct,
    study_create,
    support_activity_add,
)
from placements.models import Placement, WageSubsidyCase, follow_up_due_date
from placements.services import (
    PlacementNeedsConfirmation,
    internship_create,
    placement_create,
    placement_extend,
    wage_subsidy_create,
    wage_subsidy_decide,
)

# What a coach can add from the panel above the timeline: key, link label, URL name.
ADD_FORMS = [
    ("note", gettext_lazy("Note"), "participants:note_add"),
    ("activity", gettext_lazy("Support activity"), "participants:activity_add"),
    ("goal", gettext_lazy("Learning goal"), "participants:goal_add"),
    ("study", gettext_lazy("Study"), "participants:study_add"),
    ("placement", gettext_lazy("Placement"), "participants:placement_add"),
    ("internship", gettext_lazy("Internship"), "participants:internship_add"),
    ("subsidy", gettext_lazy("Wage subsidy"), "participants:subsidy_add"),
]


def _detail_url(participant: Participant) -> str:
    return reverse("participants:detail", kwargs={"pk": participant.pk})


# The hidden field carrying a form's one-time token, and how long a save is remembered.
ONCE_FIELD = "once"
ONCE_SECONDS = 60 * 60


@dataclasses.dataclass(frozen=True)
class FormSpec:
    """How one form is shown: its ids, heading, button and where it posts."""

    key: str  # unique on the page: the form's id and its fields' id prefix
    title: str
    submit: str
    url: str
    participant: Participant
    # Inline forms open inside a timeline entry and can be closed again;
    # the others live in the "add" panel.
    inline: bool = False
    # An open follow-up's form stays in place: there is nothing to go back to.
    keep_open: bool = False
    cancel_anchor: str = ""
    context: str = ""  # text shown above the fields (the note being corrected)
    # A token per rendering: a form rendered once is saved once (a double click, a
    # resent POST), see _case_form.
    once: str = dataclasses.field(default_factory=lambda: secrets.token_urlsafe(16))
    once_field = ONCE_FIELD

    @property
    def auto_id(self) -> str:
        return f"{self.key}-%s"

    @property
    def form_id(self) -> str:
        return f"{self.key}-form"

    @property
    def cancellable(self) -> bool:
        return self.inline and not self.keep_open

    @property
    def cancel_url(self) -> str:
        return f"{_detail_url(self.participant)}#{self.cancel_anchor}"


# Builds the form: unbound (data None) or bound; `record` is the row as it is
# now (an edit form's instance, refreshed after a conflicting save).
FormBuilder = Callable[[QueryDict | None, Any], forms.BaseForm]
# Saves through a service; returns the anchor of the saved entry and a message.
FormSaver = Callable[[forms.BaseForm], tuple[str, str]]


# --- Page and timeline --------------------------------------------------------------


def _summary_context(request: HttpRequest, participant: Participant) -> dict:
    """The summary, details, history and consent cards: also swapped in after every save."""
    today = timezone.localdate()
    current = (
        participant.placements.active_on(today)
        .select_related("job_type", "workplace")
        .order_by("-start_date")
        .first()
    )
    return {
        "participant": participant,
        "age": relativedelta(today, participant.birth_date).years,
        "current_placement": current,
        # Without the permission the page carries no trace of disability.
        "sees_sensitive": can_see_sensitive(request.user),
        "consents": consent_overview(participant),
        "can_edit": can_edit_participant(request.user, participant),
        "can_correct_personnummer": can_correct_personnummer(request.user),
        "history": list(participant_history(request.user, participant)),
    }


def _timeline_context(request: HttpRequest, participant: Participant, show: str | None) -> dict:
    today = timezone.localdate()
    show = show if show in KINDS else None
    entries = participant_timeline(participant, today=today, kinds=[show] if show else None)
    can_edit = can_edit_participant(request.user, participant)
    if can_edit:
        # An open follow-up is registered where it is shown.
        for entry in entries:
            if entry.kind == "followups" and not entry.item.is_done:
                spec = _followup_spec(participant, entry.item.placement, keep_open=True)
                entry.form = case_forms.FollowUpForm(
                    placement=entry.item.placement,
                    instance=entry.item.followup,
                    auto_id=spec.auto_id,
                )
                entry.form_spec = spec
    return {
        "participant": participant,
        "entries": entries,
        "show": show,
        "kinds": KINDS,
        "can_edit": can_edit,
        "today": today,
        "detail_url": _detail_url(participant),
        "timeline_url": reverse("participants:timeline", kwargs={"pk": participant.pk}),
    }


def _detail_context(request: HttpRequest, participant: Participant, show: str | None) -> dict:
    context = {
        **_summary_context(request, participant),
        **_timeline_context(request, participant, show),
    }
    if context["can_edit"]:
        spec = _add_spec(participant, "note")
        context["add_links"] = [
            (key, label, reverse(name, kwargs={"pk": participant.pk}))
            for key, label, name in ADD_FORMS
        ]
        context["add_form"] = case_forms.CaseNoteForm(auto_id=spec.auto_id)
        context["add_spec"] = spec
    # The register extract (GDPR art. 15) holds disability: admins with the permission.
    context["can_extract"] = request.user.has_role(Role.ADMIN) and can_see_sensitive(request.user)
    return context


@login_required
@require_GET
def participant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    context = _detail_context(request, participant, request.GET.get("show"))
    return render(request, "participants/detail.html", context)


@login_required
@require_POST
def personnummer_show(request: HttpRequest, pk: int) -> HttpResponse:
    """The full personnummer, once, on request: a POST, so that it is never a link that
    a browser prefetches or a history replays, and an access-log row each time."""
    participant = participant_for_user(request.user, pk)
    number = personnummer_for_user(request.user, participant)
    if is_htmx(request):
        return render(
            request,
            "participants/_personnummer_shown.html",
            {"participant": participant, "full_personnummer": number},
        )
    context = _detail_context(request, participant, None)
    context["full_personnummer"] = number
    return render(request, "participants/detail.html", context)


@login_required
@require_GET
def participant_timeline_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline alone, filtered by kind: the filter chips load it."""
    participant = participant_for_user(request.user, pk)
    show = request.GET.get("show")
    if not is_htmx(request):
        query = f"?{urlencode({'show': show})}" if show in KINDS else ""
        return redirect(f"{_detail_url(participant)}{query}#timeline")
    return render(
        request, "participants/_timeline.html", _timeline_context(request, participant, show)
    )


# --- The one flow every form follows ---------------------------------------------------


def _case_form(
    request: HttpRequest,
    participant: Participant,
    spec: FormSpec,
    build: FormBuilder,
    save: FormSaver,
    record: Any = None,
) -> HttpResponse:
    editable = can_edit_participant(request.user, participant)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = build(request.POST, record)
        once = _once_key(request)
        if once is not None and not cache.add(once, None, ONCE_SECONDS):
            # This very form was sent before: answer with what that save did.
            anchor, message = cache.get(once) or ("timeline", _("Saved."))
            return _saved(request, participant, spec, build, anchor, message)
        if form.is_valid():
            try:
                anchor, message = save(form)
            except RecordChanged as changed:
                submitted = _submitted_values(form)
                form = build(None, changed.current)
                form.show_conflict(changed.message, submitted)
            except PlacementNeedsConfirmation as warning:
                form.ask_to_confirm(warning.warnings)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if once is not None:
                    cache.set(once, (anchor, message), ONCE_SECONDS)
                return _saved(request, participant, spec, build, anchor, message)
        if once is not None:
            # Not saved: the corrected form may be sent again.
            cache.delete(once)
        return _render_form(request, participant, spec, form, clear_status=True)
    if request.GET.get("cancel") and is_htmx(request):
        return HttpResponse("")
    return _render_form(request, participant, spec, build(None, record) if editable else None)


def _once_key(request: HttpRequest) -> str | None:
    """The cache key of the form's one-time token, or None for a form without one."""
    token = request.POST.get(ONCE_FIELD, "")
    if not token or len(token) > 64:
        return None
    return f"case-form-once:{request.user.pk}:{token}"


def _render_form(
    request: HttpRequest,
    participant: Participant,
    spec: FormSpec,
    form: forms.BaseForm | None,
    *,
    clear_status: bool = False,
) -> HttpResponse:
    context = {"participant": participant, "spec": spec, "form": form, "clear_status": clear_status}
    if is_htmx(request):
        return render(request, "participants/_form.html", context)
    return render(request, "participants/case_form_page.html", context)


def _saved(
    request: HttpRequest,
    participant: Participant,
    spec: FormSpec,
    build: FormBuilder,
    anchor: str,
    message: str,
) -> HttpResponse:
    if not is_htmx(request):
        messages.success(request, message)
        return redirect(f"{_detail_url(participant)}#{anchor}")
    # As saved: the cards swapped in carry the participant's new version (the
    # forms opened from them check it) and their new values.
    participant.refresh_from_db()
    context = {
        **_summary_context(request, participant),
        **_timeline_context(request, participant, None),
        "message": message,
        "anchor": anchor,
    }
    if not spec.inline:
        # The panel gets an empty form of the same kind, ready for the next one.
        context["add_spec"] = spec
        context["add_form"] = build(None, None)
    response = render(request, "participants/_saved.html", context)
    response["HX-Retarget"] = "#timeline"
    response["HX-Reswap"] = "outerHTML"
    # The timeline comes back unfiltered, so that the new entry is visible.
    response["HX-Replace-Url"] = _detail_url(participant)
    return response


def _submitted_values(form: forms.BaseForm) -> list[tuple[str, str]]:
    """What the user tried to save, in words, to show beside the current version."""
    values = []
    for field in form.visible_fields():
        value = form.cleaned_data.get(field.name)
        if value in (None, ""):
            continue
        if isinstance(field.field, forms.ChoiceField) and not isinstance(
            field.field, forms.ModelChoiceField
        ):
            value = dict(field.field.choices).get(value, value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        values.append((str(field.label), str(value)))
    return values


def _with_confirmation(form: forms.BaseForm, call: Callable[[bool], Any]) -> Any:
    """Save without confirming; if the service warns, save again only if the coach
    confirmed exactly these warnings (the first attempt rolled back, nothing kept)."""
    try:
        return call(False)
    except PlacementNeedsConfirmation as warning:
        if form.confirmed(warning.warnings):
            return call(True)
        raise


def _add_spec(participant: Participant, key: str) -> FormSpec:
    titles = {
        "note": (_("New note"), _("Save note")),
        "activity": (_("New support activity"), _("Save activity")),
        "goal": (_("New learning goal"), _("Save goal")),
        "study": (_("New study"), _("Save study")),
        "placement": (_("New placement"), _("Save placement")),
        "internship": (_("New internship"), _("Save internship")),
        "subsidy": (_("New wage-subsidy application"), _("Save application")),
    }
    title, submit = titles[key]
    url_name = {k: name for k, _label, name in ADD_FORMS}[key]
    return FormSpec(
        key=f"add-{key}",
        title=title,
        submit=submit,
        url=reverse(url_name, kwargs={"pk": participant.pk}),
        participant=participant,
    )


def _inline_spec(
    participant: Participant,
    key: str,
    url_name: str,
    url_kwargs: dict,
    title: str,
    submit: str,
    anchor: str,
    context: str = "",
) -> FormSpec:
    return FormSpec(
        key=key,
        title=title,
        submit=submit,
        url=reverse(url_name, kwargs={"pk": participant.pk, **url_kwargs}),
        participant=participant,
        inline=True,
        cancel_anchor=anchor,
        context=context,
    )


# --- The summary: sensitive data and consents -------------------------------------------------


# Each sensitive field of the summary: (form title, message after saving).
# Lazy: the words are chosen in the language of the request that shows them.
SENSITIVE_EDITS = {
    "disability": (
        gettext_lazy("Disability"),
        gettext_lazy("The disability information is saved."),
    ),
    "gender_self_described": (
        gettext_lazy("Gender, own description"),
        gettext_lazy("The participant's own description of their gender is saved."),
    ),
}


def _sensitive_edit(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """Sensitive data: only users with the permission reach the form at all."""
    participant = participant_for_user(request.user, pk)
    if not can_see_sensitive(request.user):
        raise PermissionDenied
    title, saved = SENSITIVE_EDITS[field]
    spec = _inline_spec(
        participant,
        field,
        f"participants:{field}_edit",
        {},
        title,
        _("Save"),
        "participant-summary",
    )

    def build(data: QueryDict | None, record: Participant) -> forms.BaseForm:
        form_class = case_forms.sensitive_form(field)
        return form_class(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        participant_set_sensitive(
            participant=participant,
            changed_by=request.user,
            loaded_at=form.cleaned_data["loaded_at"],
            **{field: form.cleaned_data[field]},
        )
        return "participant-summary", str(saved)

    return _case_form(request, participant, spec, build, save, record=participant)


@login_required
@require_http_methods(["GET", "POST"])
def disability_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _sensitive_edit(request, pk, "disability")


@login_required
@require_http_methods(["GET", "POST"])
def gender_self_described_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _sensitive_edit(request, pk, "gender_self_described")


# --- The participant's own data, the personnummer, closing and reopening ---------------


@login_required
@require_http_methods(["GET", "POST"])
def details_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Names, district, contact details and background; each change kept in the history."""
    participant = participant_for_user(request.user, pk)
    spec = _inline_spec(
        participant,
        "details",
        "participants:details_edit",
        {},
        _("Change the participant's details"),
        _("Save details"),
        "participant-details",
    )

    def build(data: QueryDict | None, record: Participant) -> forms.BaseForm:
        return case_forms.ParticipantDetailsForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        saved = participant_update(
            participant=participant,
            changed_by=request.user,
            loaded_at=data["loaded_at"],
            **{field: data[field] for field in Participant.DETAIL_FIELDS},
        )
        # The same version as loaded: no value differed, nothing was saved.
        if saved.updated_at == data["loaded_at"]:
            return "participant-details", _("Nothing was changed.")
        return "participant-history", _("The participant's details are saved.")

    return _case_form(request, participant, spec, build, save, record=participant)


@login_required
@require_http_methods(["GET", "POST"])
def personnummer_correct_view(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator corrects a number typed wrong; a page of its own, logged."""
    participant = participant_for_user(request.user, pk)
    if not can_correct_personnummer(request.user):
        raise PermissionDenied
    spec = FormSpec(
        key="personnummer",
        title=_("Correct the personal identity number"),
        submit=_("Save correction"),
        url=reverse("participants:personnummer_correct", kwargs={"pk": participant.pk}),
        participant=participant,
        inline=True,
        keep_open=True,
        cancel_anchor="participant-summary",
        context=_(
            "Recorded now: %(number)s. The birth date and the legal gender follow the "
            "corrected number."
        )
        % {"number": participant.masked_personnummer},
    )

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.PersonnummerCorrectionForm(data, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        personnummer_correct(
            participant=participant,
            new_number=form.cleaned_data["personnummer"],
            reason=form.cleaned_data["reason"],
            by_user=request.user,
        )
        return "participant-history", _("The personal identity number is corrected.")

    return _case_form(request, participant, spec, build, save)


@login_required
@require_http_methods(["GET", "POST"])
def case_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End the enrolment ("avsluta inskrivning") with a date and a reason."""
    participant = participant_for_user(request.user, pk)
    spec = _inline_spec(
        participant,
        "case-close",
        "participants:case_close",
        {},
        _("Close the case"),
        _("Close the case"),
        "participant-summary",
    )

    def build(data: QueryDict | None, record: Participant) -> forms.BaseForm:
        return case_forms.CaseCloseForm(data, participant=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        case_close(
            participant=participant,
            closed_on=data["closed_on"],
            reason=data["reason"],
            by_user=request.user,
            loaded_at=data["loaded_at"],
        )
        return "participant-summary", _("The case is closed.")

    return _case_form(request, participant, spec, build, save, record=participant)


@login_required
@require_http_methods(["GET", "POST"])
def case_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a closed case again: the closing stays in the timeline."""
    participant = participant_for_user(request.user, pk)
    spec = _inline_spec(
        participant,
        "case-reopen",
        "participants:case_reopen",
        {},
        _("Reopen the case"),
        _("Reopen the case"),
        "participant-summary",
    )

    def build(data: QueryDict | None, record: Participant) -> forms.BaseForm:
        return case_forms.CaseReopenForm(data, participant=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        case_reopen(
            participant=participant,
            on=data["on"],
            by_user=request.user,
            loaded_at=data["loaded_at"],
        )
        return "participant-summary", _("The case is reopened.")

    return _case_form(request, participant, spec, build, save, record=participant)


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the participant's decision about a data flow; earlier decisions stay."""
    participant = participant_for_user(request.user, pk)
    spec = _inline_spec(
        participant,
        "consent",
        "participants:consent_add",
        {},
        _("Record a consent decision"),
        _("Save decision"),
        "consents",
    )
    flow = request.GET.get("flow")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.ConsentForm(data, flow=flow, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        consent_record(
            participant=participant,
            flow=data["flow"],
            given=form.given,
            decided_on=data["decided_on"],
            recorded_by=request.user,
        )
        return "consents", _("The consent decision is saved.")

    return _case_form(request, participant, spec, build, save)


# --- Case notes -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "note")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.CaseNoteForm(data, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        note = case_note_add(
            participant=participant, author=request.user, text=form.cleaned_data["text"]
        )
        return f"note-{note.pk}", _("The note is saved.")

    return _case_form(request, participant, spec, build, save)


@login_required
@require_http_methods(["GET", "POST"])
def note_correct(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """A correction is a new note pointing at the old one; the old one stays as it was."""
    participant = participant_for_user(request.user, pk)
    original = get_object_or_404(CaseNote, pk=note_pk, participant=participant)
    spec = _inline_spec(
        participant,
        f"correct-{original.pk}",
        "participants:note_correct",
        {"note_pk": original.pk},
        _("Correct the note of %(date)s")
        % {"date": timezone.localtime(original.created_at).strftime("%Y-%m-%d %H:%M")},
        _("Save correction"),
        f"note-{original.pk}",
        context=original.text,
    )

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.CaseNoteCorrectionForm(data, corrects=original, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        note = case_note_add(
            participant=participant,
            author=request.user,
            text=form.cleaned_data["text"],
            corrects=original,
        )
        return f"note-{note.pk}", _("The correction is saved; the original note is kept.")

    return _case_form(request, participant, spec, build, save)


# --- Support activities, learning goals, studies ---------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "activity")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.SupportActivityForm(data, participant=participant, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        activity = support_activity_add(
            participant=participant, recorded_by=request.user, **form.cleaned_data
        )
        return f"activity-{activity.pk}", _("The support activity is saved.")

    return _case_form(request, participant, spec, build, save)


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "goal")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.LearningGoalForm(data, participant=participant, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        goal = learning_goal_create(participant=participant, **form.cleaned_data)
        return f"goal-{goal.pk}", _("The learning goal is saved.")

    return _case_form(request, participant, spec, build, save)


@login_required
@require_http_methods(["GET", "POST"])
def goal_update(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    goal = get_object_or_404(LearningGoal, pk=goal_pk, participant=participant)
    spec = _inline_spec(
        participant,
        f"review-goal-{goal.pk}",
        "participants:goal_update",
        {"goal_pk": goal.pk},
        _("Review the learning goal"),
        _("Save review"),
        f"goal-{goal.pk}",
        context=goal.description,
    )

    def build(data: QueryDict | None, record: LearningGoal) -> forms.BaseForm:
        return case_forms.LearningGoalReviewForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        learning_goal_update(
            goal=goal,
            status=data["status"],
            reviewed_on=data["reviewed_on"],
            next_review_on=data["next_review_on"],
            target_date=data["target_date"],
            loaded_at=data["loaded_at"],
        )
        return f"goal-{goal.pk}", _("The learning goal is updated.")

    return _case_form(request, participant, spec, build, save, record=goal)


@login_required
@require_http_methods(["GET", "POST"])
def study_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "study")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.StudyForm(data, participant=participant, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        study = study_create(participant=participant, **form.cleaned_data)
        return f"study-{study.pk}", _("The study is saved.")

    return _case_form(request, participant, spec, build, save)


# --- Placements and internships ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def placement_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "placement")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.PlacementForm(data, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        placement = _with_confirmation(
            form,
            lambda confirmed: placement_create(
                participant=participant, confirm_warnings=confirmed, **form.cleaned_data
            ),
        )
        return f"placement-{placement.pk}", _("The placement is saved.")

    return _case_form(request, participant, spec, build, save)


def _participants_placement(participant: Participant, placement_pk: int) -> Placement:
    return get_object_or_404(
        Placement.objects.select_related("job_type", "workplace"),
        pk=placement_pk,
        participant=participant,
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_extend_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    placement = _participants_placement(participant, placement_pk)
    spec = _inline_spec(
        participant,
        f"extend-placement-{placement.pk}",
        "participants:placement_extend",
        {"placement_pk": placement.pk},
        _("Extend the placement"),
        _("Save extension"),
        f"placement-{placement.pk}",
    )

    def build(data: QueryDict | None, record: Placement) -> forms.BaseForm:
        return case_forms.PlacementExtendForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        _with_confirmation(
            form,
            lambda confirmed: placement_extend(
                placement=placement,
                planned_end_date=data["planned_end_date"],
                extended_on=data["extended_on"],
                confirm_warnings=confirmed,
                loaded_at=data["loaded_at"],
            ),
        )
        return f"placement-{placement.pk}", _("The placement is extended.")

    return _case_form(request, participant, spec, build, save, record=placement)


@login_required
@require_http_methods(["GET", "POST"])
def placement_end_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    placement = _participants_placement(participant, placement_pk)
    spec = _inline_spec(
        participant,
        f"end-placement-{placement.pk}",
        "participants:placement_end",
        {"placement_pk": placement.pk},
        _("Change the end of the placement") if placement.end_date else _("End the placement"),
        _("Save end"),
        f"placement-{placement.pk}",
    )

    def build(data: QueryDict | None, record: Placement) -> forms.BaseForm:
        return case_forms.PlacementEndForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        placement_end(
            placement=placement,
            end_date=data["end_date"],
            end_reason=data["end_reason"],
            loaded_at=data["loaded_at"],
        )
        due = follow_up_due_date(data["end_date"])
        message = _("The placement is ended; its three-month follow-up is due %(date)s.")
        return f"followup-{placement.pk}", message % {"date": due.isoformat()}

    return _case_form(request, participant, spec, build, save, record=placement)


@login_required
@require_http_methods(["GET", "POST"])
def internship_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "internship")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.InternshipForm(data, participant=participant, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        internship = internship_create(participant=participant, **form.cleaned_data)
        return f"internship-{internship.pk}", _("The internship is saved.")

    return _case_form(request, participant, spec, build, save)


# --- Wage subsidies ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def subsidy_add(request: HttpRequest, pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    spec = _add_spec(participant, "subsidy")

    def build(data: QueryDict | None, record: Any) -> forms.BaseForm:
        return case_forms.WageSubsidyForm(data, participant=participant, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        case = wage_subsidy_create(participant=participant, **form.cleaned_data)
        return f"subsidy-{case.pk}", _("The wage-subsidy application is saved.")

    return _case_form(request, participant, spec, build, save)


@login_required
@require_http_methods(["GET", "POST"])
def subsidy_decide(request: HttpRequest, pk: int, subsidy_pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    case = get_object_or_404(WageSubsidyCase, pk=subsidy_pk, participant=participant)
    spec = _inline_spec(
        participant,
        f"decide-subsidy-{case.pk}",
        "participants:subsidy_decide",
        {"subsidy_pk": case.pk},
        _("Record the decision"),
        _("Save decision"),
        f"subsidy-{case.pk}",
    )

    def build(data: QueryDict | None, record: WageSubsidyCase) -> forms.BaseForm:
        return case_forms.WageSubsidyDecisionForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        wage_subsidy_decide(
            case=case,
            outcome=data["outcome"],
            decided_on=data["decided_on"],
            loaded_at=data["loaded_at"],
        )
        return f"subsidy-{case.pk}", _("The decision is saved.")

    return _case_form(request, participant, spec, build, save, record=case)


# --- The three-month follow-up -----------------------------------------------------------


def _followup_spec(participant: Participant, placement: Placement, *, keep_open: bool) -> FormSpec:
    return FormSpec(
        key=f"register-followup-{placement.pk}",
        title=_("Register the follow-up"),
        submit=_("Save follow-up"),
        url=reverse(
            "participants:followup_register",
            kwargs={"pk": participant.pk, "placement_pk": placement.pk},
        ),
        participant=participant,
        inline=True,
        keep_open=keep_open,
        cancel_anchor=f"followup-{placement.pk}",
    )


@transaction.atomic
@login_required
@require_http_methods(["GET", "POST"])
def followup_register_view(request: HttpRequest, pk: int, placement_pk: int) -> HttpResponse:
    participant = participant_for_user(request.user, pk)
    placement = _participants_placement(participant, placement_pk)
    followup = FollowUp.objects.filter(placement=placement).first()
    # A registered follow-up is changed from a form opened on demand; an open
    # one's form is always shown.
    spec = _followup_spec(participant, placement, keep_open=not (followup and followup.is_done))

    def build(data: QueryDict | None, record: FollowUp | None) -> forms.BaseForm:
        return case_forms.FollowUpForm(
            data, placement=placement, instance=record, auto_id=spec.auto_id
        )

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        followup_register(
            placement=placement,
            loaded_at=data["loaded_at"],
            outcome=data["outcome"],
            performed_on=data["performed_on"],
            performed_by=request.user,
            employer_or_school=data["employer_or_school"],
            note=data["note"],
        )
        return f"followup-{placement.pk}", _("The follow-up is registered.")

    return _case_form(request, participant, spec, build, save, record=followup)
