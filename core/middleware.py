"""Middleware that knows nothing of the programme."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RefuseNulCharactersMiddleware:
    """Answer 400 to a query string holding a NUL character.

    PostgreSQL cannot take NUL in a text value, so a filter or a search
    given one (``?q=a%00b``) would end in a server error. Forms already
    refuse NUL in what they read (Django's ProhibitNullCharactersValidator);
    query strings reach list filters and searches without a form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return HttpResponseBadRequest("A NUL character is not allowed in a request.")
        return self.get_response(request)
