"""Pages of the service itself, not of any kind of record: the accessibility statement."""

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

# When the service was last assessed and the statement written or reviewed
# (lagen (2018:1937) asks for the date; DIGG's template shows both).
STATEMENT_MADE_ON = datetime.date(2026, 12, 6)
STATEMENT_REVIEWED_ON = datetime.date(2026, 12, 6)


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (tillgänglighetsredogörelse): public, no login."""
    return render(
        request,
        "accessibility.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "made_on": STATEMENT_MADE_ON,
            "reviewed_on": STATEMENT_REVIEWED_ON,
        },
    )
