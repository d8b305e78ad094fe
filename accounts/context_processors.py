from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


def navigation(request: HttpRequest) -> dict:
    """The menu a user sees: only the places their role may go."""
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated:
        if user.has_role(Role.COACH) or user.has_role(Role.MANAGER):
            items.append((reverse("participants:caseload"), _("Caseload")))
        if any(user.has_role(role) for role in (Role.COACH, Role.MANAGER, Role.ADMIN)):
            items.append((reverse("reports:dashboard"), _("Dashboard")))
        if user.has_role(Role.ADMIN) or user.is_staff:
            items.append((reverse("admin:index"), _("Administration")))
    return {"nav_items": items, "demo_banner": settings.DEMO_BANNER}
