"""Updating or ending a study from the participant page, under /participants/<pk>/studies/."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from casework.case_views import _case_form, _inline_spec
from casework.study_forms import StudyUpdateForm
from participants.models import Study
from participants.selectors import participant_for_user
from participants.services import study_update


@login_required
@require_http_methods(["GET", "POST"])
def study_update_view(request: HttpRequest, pk: int, study_pk: int) -> HttpResponse:
    """The study's course, school, extent and end; whether it was completed, once ended."""
    participant = participant_for_user(request.user, pk)
    study = get_object_or_404(Study, pk=study_pk, participant=participant)
    spec = _inline_spec(
        participant,
        f"update-study-{study.pk}",
        "participants:study_update",
        {"study_pk": study.pk},
        _("Update or end the study"),
        _("Save study"),
        f"study-{study.pk}",
        context=str(study),
    )

    def build(data: QueryDict | None, record: Study) -> forms.BaseForm:
        return StudyUpdateForm(data, instance=record, auto_id=spec.auto_id)

    def save(form: forms.BaseForm) -> tuple[str, str]:
        data = form.cleaned_data
        updated = study_update(
            study=study,
            course=data["course"],
            provider=data["provider"],
            end_date=data["end_date"],
            extent_percent=data["extent_percent"],
            completed=data["completed"],
            loaded_version=data["version"] or None,
        )
        if updated.completed is not None:
            return f"study-{study.pk}", _("The study is ended.")
        return f"study-{study.pk}", _("The study is updated.")

    return _case_form(request, participant, spec, build, save, record=study)
