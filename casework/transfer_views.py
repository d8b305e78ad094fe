"""Transfer between units: a coach asks to take a person over, the owning unit decides.

The asking page answers every valid request with the same words, the same
status and after the same time, whatever the number: unknown, in the
asker's own unit, or registered in another unit (the one case where a
request is stored). Nothing on it, and nothing anywhere else for the asker,
lists their requests: they learn of an approval when the person appears in
their caseload.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import log_access, log_refused
from casework.forms import APPROVE, TransferAskForm, TransferDecisionForm, add_service_errors
from core.ratelimit import count
from core.timing import at_least
from participants.selectors import transfer_for_user, transfers_waiting_for
from participants.services import TRANSFER_OBJECT, transfer_approve, transfer_ask, transfer_decline

# Every valid request is answered after at least this long: storing a request
# (a lookup, two inserts) takes longer than finding nothing, and the time must
# not tell which it was. Far above that work's time, well below a user's patience.
ANSWER_SECONDS = 0.5
# A coach asks a few times a month; a script asking for number after number
# would fill other units' lists (and is an account to look into).
REQUESTS_PER_HOUR = 20
PAGE_SIZE = 25

TOO_MANY = gettext_lazy(
    "You have sent many requests in a short time. Try again in an hour, or contact the "
    "system administrator."
)
RECORDED = gettext_lazy(
    "Your request is recorded. If the person is registered in another unit, that unit's "
    "manager decides; once approved, the person appears in your caseload."
)


@role_required(Role.COACH, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def take_over(request: HttpRequest) -> HttpResponse:
    # POST only: a personnummer never travels in an address.
    form = TransferAskForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # Counted per user, whatever the number: the limit says nothing about anyone.
        asked = count("transfer_ask", f"user:{request.user.pk}", window_seconds=3600)
        if asked > REQUESTS_PER_HOUR:
            log_refused(status=429, user=request.user)
            form.add_error(None, TOO_MANY)
            return render(request, "participants/take_over.html", {"form": form}, status=429)
        with at_least(ANSWER_SECONDS):
            try:
                transfer_ask(
                    personnummer=form.cleaned_data["personnummer"],
                    to_unit=form.to_unit(),
                    requested_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                # About the unit asked for (closed), never about the person.
                add_service_errors(form, error)
        if not form.errors:
            messages.success(request, RECORDED)
            return redirect("participants:take_over")
    return render(request, "participants/take_over.html", {"form": form})


@role_required(Role.MANAGER, Role.ADMIN)
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(transfers_waiting_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Names and the askers' reasons, like an admin list of case records: one row per page.
    log_access(
        action=Action.VIEW,
        object_type=TRANSFER_OBJECT,
        detail=f"transfer requests, page {page.number}, {len(page.object_list)} rows",
    )
    return render(
        request,
        "participants/transfers.html",
        {"page": page, "show_unit": request.user.has_role(Role.ADMIN)},
    )


@role_required(Role.MANAGER, Role.ADMIN)
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfer_for_user(request.user, pk)
    form = TransferDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to approve or decline the request."))
        return redirect("transfers:list")
    approve = form.cleaned_data["decision"] == APPROVE
    try:
        if approve:
            transfer_approve(transfer=transfer, decided_by=request.user)
        else:
            transfer_decline(transfer=transfer, decided_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if approve:
            message = _("%(name)s has been moved to %(unit)s.")
        else:
            message = _("The request from %(unit)s to take over %(name)s has been declined.")
        messages.success(
            request, message % {"name": transfer.participant, "unit": transfer.to_unit}
        )
    return redirect("transfers:list")
