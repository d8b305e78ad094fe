"""The register extract (GDPR art. 15): one participant's data in one HTML file."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.decorators import role_required
from accounts.models import Role
from audit.models import Action
from audit.services import log_refused
from participants.selectors import (
    can_see_sensitive,
    participant_for_user,
    participants_for_user,
)
from privacy.selectors import register_extract

EXTRACT_DETAIL = "register extract"


def _others_participant_is_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Before the role check: a participant the user cannot read is a 404, as everywhere.

    ``role_required`` answers 403 to a coach or manager whatever the id; for
    a participant outside their unit the project's rule is a 404 (SECURITY.md,
    tests/test_url_matrix.py), so that no page answers differently for
    another unit's records. The check reads nothing but the id and logs the
    refusal like the access helper does.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.has_role(Role.ADMIN)
            and not participants_for_user(user).filter(pk=pk).exists()
        ):
            log_refused(status=404, participant_id=pk, user=user)
            raise Http404("No such participant.")
        return view(request, pk)

    return wrapper


@_others_participant_is_404
@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def participant_extract(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the extract is, and a button. POST: the file, logged as an export."""
    # The extract shows disability: special-category data (GDPR art. 9).
    if not can_see_sensitive(request.user):
        log_refused(status=403, participant_id=pk)
        return render(request, "privacy/needs_permission.html", status=403)
    if request.method != "POST":
        participant = participant_for_user(request.user, pk)
        return render(request, "privacy/extract_confirm.html", {"participant": participant})
    return _extract_file(request, pk)


def _extract_file(request: HttpRequest, pk: int) -> HttpResponse:
    # One transaction: no export is logged that did not happen, and the
    # extract lists its own production.
    with transaction.atomic():
        participant = participant_for_user(
            request.user, pk, action=Action.EXPORT, detail=EXTRACT_DETAIL
        )
        document = render_to_string(
            "privacy/extract.html",
            {"extract": register_extract(participant), "retention_years": settings.RETENTION_YEARS},
        )
    response = HttpResponse(document, content_type="text/html; charset=utf-8")
    # The id and the date only: no name or personnummer in a file name.
    filename = f"registerutdrag-{participant.pk}-{timezone.localdate():%Y-%m-%d}.html"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
