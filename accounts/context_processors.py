from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


def navigation(request: HttpRequest) -> dict:
    """The menu a user sees: only the places their role may go."""
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    # Until the second factor is entered, every page but the 2FA ones is closed.
    verified = not settings.REQUIRE_2FA or getattr(user, "is_verified", lambda: False)()
    if user is not None and user.is_authenticated and verified:
        if user.has_role(Role.COACH) or user.has_role(Role.MANAGER):
            items.append((reverse("participants:caseload"), _("Caseload")))
            items.append((reverse("followup:followups"), _("Follow-ups")))
        if user.has_role(Role.MANAGER) or user.has_role(Role.ADMIN):
            items.append((reverse("transfers:list"), _("Transfer requests")))
        if any(user.has_role(role) for role in (Role.COACH, Role.MANAGER, Role.ADMIN)):
            items.append((reverse("placements:workplace_list"), _("Workplaces")))
            items.append((reverse("reports:dashboard"), _("Dashboard")))
            items.append((reverse("survey:index"), _("Survey")))
        if user.has_role(Role.ADMIN):
            items.append((reverse("annual:index"), _("Annual report")))
            items.append((reverse("audit:review"), _("Access log")))
        if user.has_role(Role.ADMIN) or user.is_staff:
            items.append((reverse("admin:index"), _("Administration")))
    return {
        "nav_items": items,
        "demo_banner": settings.DEMO_BANNER,
        "two_factor_off": not settings.REQUIRE_2FA,
    }
