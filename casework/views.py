from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.decorators import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import log_access, log_refused
from casework.filters import (
    CaseloadFilter,
    CaseloadSearchForm,
    CaseStatus,
    case_status_conditions,
    caseload_columns,
    caseload_page,
    with_case_figures,
)
from casework.forms import (
    CANNOT_REGISTER,
    CaseloadReassignFilter,
    CaseloadReassignForm,
    ParticipantRegistrationForm,
    add_service_errors,
    reassignable_participants,
    registered_elsewhere,
)
from casework.selectors import CaseState, cases_in_state
from participants.models import CaseNote, Participant, SupportActivity
from participants.personnummer import mask
from participants.selectors import participants_for_user
from participants.services import caseload_reassign, participant_create

PAGE_SIZE = 25
CASELOAD_ROLES = (Role.COACH, Role.MANAGER, Role.ADMIN)
# A personnummer searched for is kept here, never in a URL, a log line or the history.
SEARCH_SESSION_KEY = "caseload_personnummer"
# And a name: in an address it would reach proxies' logs and the browser's history.
NAME_SESSION_KEY = "caseload_name"


def _caseload_scope(request: HttpRequest) -> str:
    # A coach starts on their own caseload; "the whole unit" is one click away.
    if not request.user.has_role(Role.COACH):
        return "unit"
    scope = request.GET.get("scope")
    return scope if scope in {"mine", "unit"} else "mine"


def _caseload_search_redirect(request: HttpRequest, form: CaseloadSearchForm) -> HttpResponse:
    """After a search: the filters stay; the searched name or number stays out of the address."""
    params = request.GET.copy()
    for key in ("q", "page", "search"):
        params.pop(key, None)
    if form.personnummer:
        request.session[SEARCH_SESSION_KEY] = form.personnummer
        # Looking a person up by number is about the whole unit, not one coach's list.
        params["search"] = "pnr"
        params["scope"] = "unit"
    elif form.cleaned_data["q"]:
        request.session[NAME_SESSION_KEY] = form.cleaned_data["q"]
        params["search"] = "name"
    url = reverse("participants:caseload")
    return redirect(f"{url}?{urlencode(params, doseq=True)}" if params else url)


@role_required(*CASELOAD_ROLES)
def caseload(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        search_form = CaseloadSearchForm(request.POST)
        if search_form.is_valid():
            return _caseload_search_redirect(request, search_form)
    elif request.GET.get("q", "").strip():
        # A name or number typed into the address bar (or an old bookmark): out of the URL.
        search_form = CaseloadSearchForm({"q": request.GET["q"]})
        if search_form.is_valid():
            return _caseload_search_redirect(request, search_form)
        messages.error(request, search_form.errors["q"][0])
        return redirect("participants:caseload")

    personnummer = name = None
    if request.GET.get("search") == "pnr":
        personnummer = request.session.get(SEARCH_SESSION_KEY)
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
    if request.GET.get("search") == "name":
        name = request.session.get(NAME_SESSION_KEY)
    else:
        request.session.pop(NAME_SESSION_KEY, None)
    if request.method != "POST":
        search_form = CaseloadSearchForm(initial={"q": name or ""})

    scope = _caseload_scope(request)
    participants = participants_for_user(request.user)
    data = request.GET.copy()
    if name:
        data["q"] = name
    if scope == "mine":
        participants = participants.filter(coach=request.user)
        data.pop("coach", None)
    if personnummer:
        participants = participants.filter(personnummer=personnummer)
        # That someone looked a person up by number, never the number.
        log_access(action=Action.SEARCH, object_type="participant", detail="personnummer search")
    filtering = (
        any(data.get(key) for key in ("status", "job_type", "coach", "followup_due"))
        or (data.get("case") or CaseState.ACTIVE) != CaseState.ACTIVE
    )
    if not data.get("case"):
        # The caseload is the active cases; a search looks for a person in every case.
        data["case"] = CaseState.ALL if personnummer or name else CaseState.ACTIVE
    today = timezone.localdate()
    filterset = CaseloadFilter(
        data, queryset=with_case_figures(participants, today=today), request=request
    )
    page = caseload_page(
        filterset.qs,
        participants,
        today=today,
        number=request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    show_unit = request.user.has_role(Role.ADMIN)
    return render(
        request,
        "participants/caseload.html",
        {
            "page": page,
            "scope": scope,
            "query": name or "",
            "search_form": search_form,
            "searched_number": mask(personnummer) if personnummer else None,
            "filterset": filterset,
            "filter_fields": filterset.visible_fields(with_coach=scope == "unit"),
            "filtering": filtering,
            "case_state": data["case"],
            "columns": caseload_columns(filterset.current_sort(), show_unit=show_unit),
            "show_unit": show_unit,
            "today": today,
            "can_register": request.user.has_role(Role.COACH) or show_unit,
            "can_reassign": request.user.has_role(Role.MANAGER) or show_unit,
        },
    )


@role_required(Role.COACH, Role.ADMIN)
def register(request: HttpRequest) -> HttpResponse:
    form = ParticipantRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            participant = participant_create(**form.service_arguments())
        except ValidationError as error:
            # Registered meanwhile (by another request): said as the form says it.
            form.elsewhere = registered_elsewhere(
                user=request.user, personnummer=form.cleaned_data["personnummer"]
            )
            if form.elsewhere is None:
                add_service_errors(form, error)
            else:
                form.add_error("personnummer", CANNOT_REGISTER)
        else:
            log_access(
                action=Action.CREATE,
                participant_id=participant.pk,
                object_type="participant",
                object_id=participant.pk,
            )
            messages.success(request, _("%(name)s has been registered.") % {"name": participant})
            return redirect("participants:detail", pk=participant.pk)
    if request.method == "POST" and form.elsewhere is not None:
        # A number registered outside the user's reach: said neutrally, and logged
        # for the review (flagged), naming the participant it concerns.
        log_access(
            action=Action.COLLISION,
            participant_id=form.elsewhere.pk,
            object_type="participant",
            object_id=form.elsewhere.pk,
            detail="registration of a personnummer registered in another unit",
        )
    return render(request, "participants/register.html", {"form": form})


# The reassignment list, a page at a time: "select all shown" ticks at most this many.
REASSIGN_PAGE_SIZE = 50
# The access-log detail of a ticked participant outside the user's reach.
REASSIGN_REFUSED_DETAIL = "participant out of reach (caseload reassignment)"


def _with_last_activity(cases: QuerySet[Participant]) -> QuerySet[Participant]:
    """Cases with the time of their latest note and the date of their latest support
    activity: correlated subqueries, computed for the page's rows only."""
    notes = CaseNote.objects.filter(participant=OuterRef("pk")).order_by("-created_at")
    activities = SupportActivity.objects.filter(participant=OuterRef("pk")).order_by("-date")
    return cases.annotate(
        last_note_at=Subquery(notes.values("created_at")[:1]),
        last_activity_on=Subquery(activities.values("date")[:1]),
    )


@role_required(Role.MANAGER, Role.ADMIN)
def reassign(request: HttpRequest) -> HttpResponse:
    """Give chosen cases another coach: a list of the active cases (or, when chosen, those
    followed up long ago), filtered by coach and status, with each case's status shown,
    nothing ticked to start with, one page at a time."""
    today = timezone.localdate()
    # The list's filters stay in the address, the POST's too: a refusal shows the same list.
    filters = {key: request.GET.get(key, "") for key in ("case", "coach", "status", "page")}
    filter_form = CaseloadReassignFilter(
        {key: filters[key] for key in ("case", "coach", "status")},
        user=request.user,
        statuses=CaseStatus.choices,
    )
    form = CaseloadReassignForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["participants"])
        to_coach = form.cleaned_data["to_coach"]
        before = {participant.coach for participant in chosen}
        try:
            moved = caseload_reassign(participants=chosen, to_coach=to_coach, by_user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = {"count": moved, "to": to_coach.get_full_name() or to_coach.get_username()}
            if len(before) == 1 and None not in before:
                (from_coach,) = before
                names["from"] = from_coach.get_full_name() or from_coach.get_username()
                message = ngettext(
                    "%(count)d participant moved from %(from)s to %(to)s.",
                    "%(count)d participants moved from %(from)s to %(to)s.",
                    moved,
                )
            else:
                message = ngettext(
                    "%(count)d participant moved to %(to)s.",
                    "%(count)d participants moved to %(to)s.",
                    moved,
                )
            messages.success(request, message % names)
            url = reverse("participants:reassign")
            kept = {key: value for key, value in filters.items() if value and key != "page"}
            return redirect(f"{url}?{urlencode(kept)}" if kept else url)
    elif request.method == "POST":
        # The page says only that some cannot be moved; the log names those outside reach.
        for participant_id in form.ids_out_of_reach():
            log_refused(
                detail=REASSIGN_REFUSED_DETAIL, participant_id=participant_id, user=request.user
            )
    case_state, coach, status = filter_form.chosen()
    cases = cases_in_state(reassignable_participants(request.user), case_state, today=today)
    if coach is not None:
        cases = cases.filter(coach=coach)
    if status:
        cases = cases.filter(case_status_conditions(today)[status])
    page = caseload_page(
        cases.order_by("last_name", "first_name", "pk"),
        _with_last_activity(cases),
        today=today,
        number=filters["page"],
        per_page=REASSIGN_PAGE_SIZE,
    )
    statuses = dict(CaseStatus.choices)
    for case in page.object_list:
        case.status_label = statuses.get(case.case_status, "")
        noted = timezone.localdate(case.last_note_at) if case.last_note_at else None
        case.last_activity = max(filter(None, (noted, case.last_activity_on)), default=None)
    return render(
        request,
        "participants/reassign.html",
        {
            "form": form,
            "filter_form": filter_form,
            "page": page,
            "chosen_ids": form.chosen_ids(),
            "case_state": case_state,
        },
    )
