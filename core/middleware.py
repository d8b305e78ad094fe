"""Middleware that knows nothing of the programme."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

from core.forms import upload_limit_bytes


class RefuseUnusableQueriesMiddleware:
    """Answer 400 to a query string the database or the admin cannot take.

    - A NUL character: PostgreSQL cannot take NUL in a text value, so a filter
      or a search given one (``?q=a%00b``) would end in a server error. Forms
      already refuse NUL in what they read (Django's
      ProhibitNullCharactersValidator); query strings reach list filters and
      searches without a form.
    - A date part (the admin's date hierarchy: ``?start_date__year=``,
      ``__month``, ``__day``) that is not a number of at most four digits:
      Django makes a date of it unguarded, and a number past any year is an
      OverflowError, a server error.
    """

    DATE_PARTS = ("__year", "__month", "__day")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("A NUL character is not allowed in a request.")
        if any(
            not (value.isascii() and value.isdigit() and len(value) <= 4)
            for key, values in request.GET.lists()
            if key.endswith(self.DATE_PARTS)
            for value in values
        ):
            return HttpResponseBadRequest("A year, month or day must be a number.")
        return self.get_response(request)


class RefuseOversizedBodiesMiddleware:
    """Answer 413 to a request body far over the upload limit, before anything reads it.

    Placed before the CSRF check, which would otherwise parse the whole body
    (a 200 MB upload grew a worker to 3 GB). The upload forms say the limit
    themselves (``core.forms.LimitedFileField``); this is the backstop.
    """

    # The form's own fields and the multipart framing.
    MARGIN = 1024 * 1024

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > upload_limit_bytes() + self.MARGIN:
            return HttpResponse(
                _("The file is larger than %(limit)d MB. Split it into smaller files.")
                % {"limit": settings.UPLOAD_MAX_MEGABYTES},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
