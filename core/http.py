"""What a view needs to know about how it was asked."""

from django.http import HttpRequest


def is_htmx(request: HttpRequest) -> bool:
    """A request htmx made for a fragment of a page.

    A history restore asks for the whole page, not a fragment.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
