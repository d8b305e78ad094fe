import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role, User
from audit.services import log_refused
from followup.forms import OVERDUE_ONLY, FollowUpListFilterForm, NotReachedForm
from followup.models import FollowUp
from followup.selectors import followup_window_start
from followup.services import followups_log_refused, followups_mark_not_reached
from participants.models import Participant
from participants.selectors import participants_for_user

PAGE_SIZE = 25
# How far ahead the list looks; 30 days unless the coach asks for another horizon.
HORIZONS = (7, 30, 90)
DEFAULT_HORIZON = 30
SOON_DAYS = 7
# The list's own parameters: what a redirect back to it may carry.
LIST_PARAMETERS = ("scope", "within", "coach", "unit", "page")


def _list_state(request: HttpRequest, params: QueryDict) -> dict:
    """Scope, horizon and filters of the list, read from ``params`` (its query string)."""
    is_coach = request.user.has_role(Role.COACH)
    filters = FollowUpListFilterForm(
        {key: params[key] for key in ("coach", "unit") if params.get(key)}, user=request.user
    )
    scope = params.get("scope")
    if not is_coach or scope not in {"mine", "unit"}:
        scope = "mine" if is_coach else "unit"
    if filters.narrowing and filters.cleaned_data["coach"]:
        # Another coach's list is part of the unit's.
        scope = "unit"
    overdue_only = params.get("within") == OVERDUE_ONLY
    try:
        horizon_days = int(params.get("within", DEFAULT_HORIZON))
    except ValueError:
        horizon_days = DEFAULT_HORIZON
    if horizon_days not in HORIZONS:
        horizon_days = DEFAULT_HORIZON
    return {
        "scope": scope,
        "horizon_days": None if overdue_only else horizon_days,
        "filters": filters,
    }


def _readable(user: User, *, scope: str, filters: FollowUpListFilterForm) -> QuerySet[Participant]:
    """The participants whose follow-ups the list shows: within reach, then narrowed."""
    readable = participants_for_user(user)
    if scope == "mine":
        readable = readable.filter(coach=user)
    if filters.is_valid():
        if filters.cleaned_data["coach"]:
            readable = readable.filter(coach=filters.cleaned_data["coach"])
        if filters.cleaned_data["unit"]:
            readable = readable.filter(unit=filters.cleaned_data["unit"])
    else:
        readable = readable.none()
    return readable


def _log_refused_filters(user: User, filters: FollowUpListFilterForm) -> None:
    """A coach or unit outside the user's reach asked for is a refusal in the access log.

    One row per filter refused, naming the coach (a user) or the unit asked
    for when the value is an id; the page still says only which field to change.
    """
    for name, object_type in (("coach", "user"), ("unit", "unit")):
        if name in filters.errors:
            value = str(filters.data.get(name, ""))
            object_id = int(value) if value.isascii() and value.isdigit() else None
            log_refused(status=400, object_type=object_type, object_id=object_id, user=user)


def _list_query(params: QueryDict) -> str:
    kept = {key: params[key] for key in LIST_PARAMETERS if params.get(key)}
    return urlencode(kept)


@role_required(Role.COACH, Role.MANAGER, Role.ADMIN)
def followups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups that are overdue or due within the horizon, oldest first.

    ``?coach=`` and ``?unit=`` narrow the list within what the user may read.
    Overdue follow-ups past their window can be chosen and closed out as not
    reached (:func:`mark_not_reached`).
    """
    return _followups_page(request, request.GET, bulk_form=None)


def _followups_page(
    request: HttpRequest, params: QueryDict, *, bulk_form: NotReachedForm | None
) -> HttpResponse:
    today = timezone.localdate()
    state = _list_state(request, params)
    filters = state["filters"]
    if not filters.is_valid():
        _log_refused_filters(request.user, filters)
    readable = _readable(request.user, scope=state["scope"], filters=filters)
    if state["horizon_days"] is None:
        due = {"due_date__lt": today}
    else:
        due = {"due_date__lte": today + datetime.timedelta(days=state["horizon_days"])}
    open_followups = (
        FollowUp.objects.filter(
            performed_on__isnull=True,
            **due,
            placement__participant__in=readable.values("pk"),
        )
        .select_related("placement__participant__coach", "placement__job_type")
        .order_by("due_date", "pk")
    )
    page = Paginator(open_followups, PAGE_SIZE).get_page(params.get("page"))
    window_start = followup_window_start(today)
    # Managers read; coaches and admins close out follow-ups nobody could reach.
    can_close = request.user.has_role(Role.COACH) or request.user.has_role(Role.ADMIN)
    closable = [f.pk for f in page if f.placement.end_date < window_start] if can_close else []
    chosen = set(bulk_form.cleaned_data.get("followups") or []) if bulk_form else set()
    if bulk_form is None:
        bulk_form = NotReachedForm()
    return render(
        request,
        "followup/followups.html",
        {
            "page": page,
            "scope": state["scope"],
            "today": today,
            "soon": today + datetime.timedelta(days=SOON_DAYS),
            "horizon_days": state["horizon_days"],
            "horizons": HORIZONS,
            "overdue": OVERDUE_ONLY,
            "filters": filters,
            "show_unit_filter": request.user.has_role(Role.ADMIN),
            "window_start": window_start,
            "closable": closable,
            "chosen": chosen,
            "bulk_form": bulk_form,
            "list_query": _list_query(params),
        },
        status=400 if not filters.is_valid() or (bulk_form.is_bound and bulk_form.errors) else 200,
    )


def _back_to_list(return_query: str) -> str:
    params = QueryDict(return_query)
    query = _list_query(params)
    url = reverse("followup:followups")
    return f"{url}?{query}" if query else url


@require_POST
@role_required(Role.COACH, Role.ADMIN)
def mark_not_reached(request: HttpRequest) -> HttpResponse:
    """Close out chosen follow-ups as not reached: choose, give a reason, confirm.

    The first post shows what will be closed and asks to confirm; the second,
    with ``confirmed``, saves through the service, which refuses anything
    outside the user's reach or still within its follow-up window.
    """
    return_query = request.POST.get("return_query", "")
    params = QueryDict(return_query)
    form = NotReachedForm(request.POST)
    if not form.is_valid():
        return _followups_page(request, params, bulk_form=form)
    chosen = form.cleaned_data["chosen"]
    reason = form.cleaned_data["reason"]
    if not form.cleaned_data["confirmed"]:
        readable = participants_for_user(request.user).values("pk")
        followups = list(
            FollowUp.objects.filter(pk__in=chosen, placement__participant__in=readable)
            .select_related("placement__participant", "placement__job_type")
            .order_by("due_date", "pk")
        )
        missing = set(chosen) - {followup.pk for followup in followups}
        # Refused as the confirmed step refuses them: logged, and not named to the user.
        followups_log_refused(followup_ids=missing, user=request.user)
        if not followups:
            messages.error(request, _("Some of the chosen follow-ups are not yours to change."))
            return redirect(_back_to_list(return_query))
        return render(
            request,
            "followup/not_reached_confirm.html",
            {
                "followups": followups,
                # Ids the user may not read are not listed; the service refuses them.
                "missing": len(missing),
                "not_closable": [
                    f
                    for f in followups
                    if f.is_done
                    or f.placement.end_date >= followup_window_start(timezone.localdate())
                ],
                "chosen": chosen,
                "reason": reason,
                "return_query": _list_query(params),
                "back_url": _back_to_list(return_query),
            },
        )
    try:
        closed = followups_mark_not_reached(
            followup_ids=chosen, reason=reason, performed_by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(_back_to_list(return_query))
    messages.success(
        request,
        ngettext(
            "%(count)d follow-up registered as not reached.",
            "%(count)d follow-ups registered as not reached.",
            len(closed),
        )
        % {"count": len(closed)},
    )
    return redirect(_back_to_list(return_query))
