"""The request being answered, for code that logs without being handed one.

``participant_for_user(user, pk)`` is called by every view of case data but
takes no request; the access log still wants the path, the method and the
client's address. ``AccessLogMiddleware`` keeps the request in a context
variable for the length of the request; outside a request (management
commands, Celery tasks, the shell) there is none.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass
class RequestState:
    request: HttpRequest
    # Set when a refusal has been logged with more detail than its status (the
    # participant asked for), so that the response is not logged twice.
    refusal_logged: bool = False
    # Refusals logged inside a transaction that the view may roll back: the
    # middleware writes them once the response is made (``audit.services.log_refused``).
    pending_refusals: list[dict] = field(default_factory=list)
    # The participant the access helper found within the user's reach: a refusal
    # later in the request (a 403, a 404 for something of theirs) names them.
    participant_id: int | None = None
    # A POST's rows about the records it was about to change: "change" if
    # anything was saved by the end of the request, else "view" (it was read).
    pending_changes: list[dict] = field(default_factory=list)
    # Set when a row of the case was saved or deleted during the request.
    wrote: bool = False


_current: ContextVar[RequestState | None] = ContextVar("audit_request", default=None)


def current_request_state() -> RequestState | None:
    return _current.get()


def current_request() -> HttpRequest | None:
    state = _current.get()
    return state.request if state is not None else None


@contextmanager
def request_context(request: HttpRequest) -> Iterator[RequestState]:
    state = RequestState(request)
    token = _current.set(state)
    try:
        yield state
    finally:
        _current.reset(token)
