"""The survey's pages: the public answer page, and the staff's rounds and links to hand out.

The answer page (``respond``) is public: the link's token is the only key.
It shows nothing about the person, is never cached or indexed, and answers
an unknown link, a used one and one whose round is not open with the same
page and status, so a visitor learns nothing about which links exist.
"""

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.middleware import client_ip_address
from accounts.models import Role
from core.ratelimit import count
from survey.forms import SurveyAnswerForm
from survey.models import SurveyRound
from survey.selectors import coaches_with_invitations, invitations_for_user, usable_invitation
from survey.services import (
    InvitationUnavailable,
    invitation_links_make,
    survey_answer_submit,
    survey_round_check_printable,
)

LINKS_PAGE_SIZE = 200
# The status of every refused link. Not 404: the access log records a
# logged-in user's 404s with the path, and the path here holds a token.
REFUSED_STATUS = 410


# --- The public page --------------------------------------------------------------------


def _public(response: HttpResponse) -> HttpResponse:
    """Headers of every public survey answer: never stored, never indexed."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # The page's own requests (styles) would carry its address, the token, as Referer.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _refused(request: HttpRequest) -> HttpResponse:
    response = render(request, "survey/refused.html", status=REFUSED_STATUS)
    # Django would log "Gone: <path>"; the path holds the token.
    response._has_been_logged = True
    return _public(response)


# The token in the address is the key, and a forged request would need it: no
# CSRF token, whose failure would also log the path. Other methods are refused
# here, not by a decorator, whose 405 would be logged with the path too.
@csrf_exempt
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The survey, for whoever holds the link. No login; nothing about the person."""
    if request.method not in ("GET", "HEAD", "POST"):
        return _refused(request)
    address = client_ip_address(request) or ""
    if count("survey", address, window_seconds=60) > settings.SURVEY_REQUESTS_PER_MINUTE:
        # Guessing tokens, or a script: slow it down, and say nothing about the link.
        response = HttpResponse(
            _("Too many requests. Wait a minute and try again."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response._has_been_logged = True  # Django would log the path: it holds the token
        return _public(response)
    invitation = usable_invitation(token)
    if invitation is None:
        return _refused(request)
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer_submit(
                token=token,
                answers=form.cleaned_data,
                link_to_participant=form.cleaned_data["link_to_me"],
            )
        except InvitationUnavailable:
            # The other tab was quicker, or the round closed at midnight.
            return _refused(request)
        return _public(redirect("survey:thanks"))
    return _public(
        render(
            request,
            "survey/respond.html",
            {"form": form, "closes_on": invitation.survey_round.closes_on},
        )
    )


@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return _public(render(request, "survey/thanks.html"))


# --- Staff: rounds, links to print ----------------------------------------------------


@role_required(Role.COACH, Role.MANAGER, Role.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    """The rounds, newest first, with the way to their links and results."""
    user = request.user
    return render(
        request,
        "survey/index.html",
        {
            "rounds": SurveyRound.objects.order_by("-opens_on", "-id")[:50],
            "can_print": user.has_role(Role.COACH) or user.has_role(Role.ADMIN),
            "can_see_results": user.has_role(Role.MANAGER) or user.has_role(Role.ADMIN),
            "can_manage_rounds": user.has_role(Role.ADMIN),
        },
    )


def _coach_choice(request: HttpRequest, coaches: list[dict]) -> str:
    """Whose participants the page shows: a coach's id, "none" (no coach) or "all"."""
    ids = {str(row["participant__coach_id"] or "none") for row in coaches}
    wanted = request.GET.get("coach", "")
    if wanted in ids or wanted == "all":
        return wanted
    return str(request.user.pk) if str(request.user.pk) in ids else "all"


@role_required(Role.COACH, Role.ADMIN)
def links(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's invitations of the user's readable participants; POST prints new links.

    Every invitation comes through ``participants_for_user`` (the access
    helper's scope): a coach sees their own unit's participants only. The
    printout is the one time a link is shown, so it is the POST's answer,
    not a page to come back to; each participant printed is an access-log row.
    """
    survey_round = get_object_or_404(SurveyRound, pk=pk)
    readable = invitations_for_user(request.user, survey_round)
    if request.method == "POST":
        try:
            wanted = {int(value) for value in request.POST.getlist("invitation")}
        except ValueError:
            raise Http404("No such invitation.") from None
        chosen = list(readable.filter(pk__in=wanted))
        if len(chosen) != len(wanted):
            # Someone else's participant, or no such invitation: the same answer.
            raise Http404("No such invitation.")
        if not chosen:
            messages.warning(request, _("Choose at least one participant to print a link for."))
            return redirect(request.get_full_path())
        try:
            printed = invitation_links_make(invitations=chosen, made_by=request.user)
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
            return redirect(request.get_full_path())
        slips = [
            {
                "invitation": link.invitation,
                "url": link.url,
                "qr_code": mark_safe(  # noqa: S308 - segno's markup: modules and our title only
                    segno.make(link.url, error="m").svg_inline(
                        scale=3, svgclass="qr-code", title=_("QR code for the survey")
                    )
                ),
            }
            for link in printed
        ]
        return render(
            request,
            "survey/print.html",
            {
                "survey_round": survey_round,
                "slips": slips,
                "skipped": len(chosen) - len(printed),
            },
        )
    coaches = coaches_with_invitations(request.user, survey_round)
    coach = _coach_choice(request, coaches)
    shown = readable
    if coach == "none":
        shown = shown.filter(participant__coach__isnull=True)
    elif coach != "all":
        shown = shown.filter(participant__coach_id=int(coach))
    page = Paginator(shown, LINKS_PAGE_SIZE).get_page(request.GET.get("page"))
    try:
        survey_round_check_printable(survey_round, today=timezone.localdate())
        not_printable = ""
    except ValidationError as refused:
        not_printable = " ".join(refused.messages)
    return render(
        request,
        "survey/links.html",
        {
            "survey_round": survey_round,
            "coaches": coaches,
            "coach": coach,
            "page": page,
            "not_printable": not_printable,
        },
    )
