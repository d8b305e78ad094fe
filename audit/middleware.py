from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import request_context
from audit.services import log_pending_changes, log_pending_refusals, log_refused

# What a logged-in user is refused with: 404 for records outside their unit
# (so their existence is not disclosed), 403 for pages outside their role.
REFUSED_STATUSES = (403, 404)


class AccessLogMiddleware:
    """Keeps the request at hand for the access log, and logs refused requests.

    Placed right after AuthenticationMiddleware: `request.user` is known, and
    everything after it (views, the admin, other middleware) can log.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(request) as state:
            response = self.get_response(request)
            if (
                response.status_code in REFUSED_STATUSES
                and not state.refusal_logged
                and request.user.is_authenticated
            ):
                # Naming the participant the user could read but was then refused
                # something of (``note_participant_in_reach``), if any.
                log_refused(status=response.status_code, participant_id=state.participant_id)
            # Written here, after the view's transaction: a rollback cannot take it.
            log_pending_refusals()
            log_pending_changes()
        return response
