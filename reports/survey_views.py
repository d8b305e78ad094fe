"""The survey's results page, under /survey/results/: every statement's answers and shares;
and the admin's survey rounds, on the desk (/desk/survey-rounds/).

Managers and administrators see the results; an administrator also adds a
round's paper answers there. The figures are ``reports.survey_results``',
small cells hidden as on every published table (DESIGN §4). The rounds page
lists every round with its response rate, creates a round with its
invitations in one step and closes a round, through ``survey.services``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from reports.survey_results import response_rates, round_results
from survey.forms import PaperImportForm, RoundChoiceForm, SurveyRoundForm
from survey.importing import ImportFailed, import_paper_responses
from survey.models import SurveyRound
from survey.services import (
    invitations_issue,
    survey_round_closable,
    survey_round_close,
    survey_round_create,
)

# The rounds the desk's page lists, newest first.
ROUNDS_SHOWN = 50


def _results_page(
    request: HttpRequest,
    survey_round: SurveyRound | None,
    *,
    choice: RoundChoiceForm,
    import_form: PaperImportForm | None = None,
    import_errors: list | None = None,
    more_errors: int = 0,
    status: int = 200,
) -> HttpResponse:
    results = round_results(survey_round) if survey_round is not None else None
    statements = []
    if results is not None:
        for code, result in results.statements.items():
            statements.append(
                {
                    "group": result.group,
                    "all": result.as_dict(suppress=True),
                    "studied": results.split_as_dict(code, True),
                    "not_studied": results.split_as_dict(code, False),
                }
            )
    is_admin = request.user.has_role(Role.ADMIN)
    return render(
        request,
        "reports/survey/results.html",
        {
            "choice": choice,
            "survey_round": survey_round,
            "results": results,
            "summary": results.as_dict(suppress=True) if results is not None else None,
            "staff_rows": [row for row in statements if row["group"] == "staff"],
            "job_rows": [row for row in statements if row["group"] == "job"],
            "import_form": (import_form or PaperImportForm()) if is_admin else None,
            "import_errors": import_errors or [],
            "more_errors": more_errors,
        },
        status=status,
    )


@role_required(Role.MANAGER, Role.ADMIN)
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    """A round's results: every statement's answers and shares, split by studies.

    Managers and administrators only. Coaches do not: the statements rate the
    staff themselves, and the results are the managers' to present.
    """
    latest = SurveyRound.objects.order_by("-opens_on", "-id").first()
    choice = RoundChoiceForm(request.GET if "survey_round" in request.GET else None)
    survey_round = latest
    if choice.is_bound:
        if not choice.is_valid():
            raise Http404("No such survey round.")
        survey_round = choice.cleaned_data["survey_round"]
    elif latest is not None:
        choice = RoundChoiceForm(initial={"survey_round": latest.pk})
    return _results_page(request, survey_round, choice=choice)


@role_required(Role.ADMIN)
@require_POST
def paper_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a round's paper answers (the CSV of ``import_survey_responses``)."""
    survey_round = get_object_or_404(SurveyRound, pk=pk)
    form = PaperImportForm(request.POST, request.FILES)
    choice = RoundChoiceForm(initial={"survey_round": survey_round.pk})
    if not form.is_valid():
        return _results_page(request, survey_round, choice=choice, import_form=form, status=400)
    try:
        result = import_paper_responses(
            form.cleaned_data["file"], survey_round=survey_round, imported_by=request.user
        )
    except ImportFailed as failure:
        return _results_page(
            request,
            survey_round,
            choice=choice,
            import_form=form,
            import_errors=failure.shown,
            more_errors=failure.not_shown,
            status=400,
        )
    messages.success(
        request,
        _("%(count)d paper responses imported.") % {"count": result.responses},
    )
    return redirect(reverse("survey_results:index") + f"?survey_round={survey_round.pk}")


# --- The admin's rounds (on the desk) ---------------------------------------------------


def _rounds_page(request: HttpRequest, form: SurveyRoundForm, *, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for rate in response_rates()[:ROUNDS_SHOWN]:
        survey_round = rate.survey_round
        try:
            survey_round_closable(survey_round, today=today)
            closable = True
        except ValidationError:
            closable = False
        rows.append(
            {
                "rate": rate,
                "round": survey_round,
                "is_open": survey_round.is_open_on(today),
                "is_upcoming": today < survey_round.opens_on,
                "closable": closable,
            }
        )
    return render(request, "desk/survey_rounds.html", {"form": form, "rows": rows}, status=status)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    """GET: every round with its response rate. POST: a new round and its invitations at once."""
    if request.method == "GET":
        return _rounds_page(request, SurveyRoundForm())
    form = SurveyRoundForm(request.POST)
    if not form.is_valid():
        return _rounds_page(request, form, status=400)
    survey_round, invited = survey_round_create(
        name=form.cleaned_data["name"],
        opens_on=form.cleaned_data["opens_on"],
        closes_on=form.cleaned_data["closes_on"],
        created_by=request.user,
    )
    messages.success(
        request,
        ngettext(
            "The round %(round)s was created and %(count)d participant invited.",
            "The round %(round)s was created and %(count)d participants invited.",
            invited,
        )
        % {"round": survey_round.name, "count": invited},
    )
    return redirect("desk:survey_rounds")


@role_required(Role.ADMIN)
@require_POST
def round_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite those who joined since: the service of the round's creation and the admin's action."""
    survey_round = get_object_or_404(SurveyRound, pk=pk)
    invited = invitations_issue(survey_round=survey_round, issued_by=request.user)
    messages.success(
        request,
        ngettext(
            "%(round)s: %(count)d more participant invited.",
            "%(round)s: %(count)d more participants invited.",
            invited,
        )
        % {"round": survey_round.name, "count": invited},
    )
    return redirect("desk:survey_rounds")


@role_required(Role.ADMIN)
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey_round = get_object_or_404(SurveyRound, pk=pk)
    try:
        closed = survey_round_close(survey_round=survey_round, today=timezone.localdate())
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            _("%(round)s is closed: its links stopped working; %(date)s was its last day.")
            % {"round": closed.name, "date": closed.closes_on.isoformat()},
        )
    return redirect("desk:survey_rounds")
