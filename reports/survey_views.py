"""The survey's results page, under /survey/results/: every statement's answers and shares.

Managers and administrators only; an administrator also adds a round's paper
answers here. The figures are ``reports.survey_results``', small cells
hidden as on every published table (DESIGN §4).
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from reports.survey_results import round_results
from survey.forms import PaperImportForm, RoundChoiceForm
from survey.importing import ImportFailed, import_paper_responses
from survey.models import SurveyRound


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
