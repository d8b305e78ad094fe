from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class NavLink(NamedTuple):
    """A place in the menu; one with ``children`` is a drop-down menu of them.

    A drop-down's own ``url`` is its first child's: where its name leads
    without JavaScript.
    """

    url: str
    label: Promise | str
    active: bool = False
    children: tuple["NavLink", ...] = ()


def _menu(user) -> list[NavLink]:
    """The places the user's roles may go, the report pages gathered under "Reports".

    It has to fit one line at 1366 px in Swedish for someone with every role:
    the Django admin sits under an administrator's desk, which links to it too.
    """
    coach, manager, admin = (user.has_role(role) for role in (Role.COACH, Role.MANAGER, Role.ADMIN))
    menu: list[NavLink] = []
    reports: list[NavLink] = []
    if coach:
        menu.append(NavLink(reverse("home"), _("My week")))
    if admin:
        desk = (
            NavLink(reverse("desk:index"), _("Desk")),
            NavLink(reverse("admin:index"), _("Administration")),
        )
        menu.append(NavLink(desk[0].url, _("Desk"), children=desk))
    if coach or manager:
        menu.append(NavLink(reverse("participants:caseload"), _("Caseload")))
        menu.append(NavLink(reverse("followup:followups"), _("Follow-ups")))
    if manager or admin:
        menu.append(NavLink(reverse("transfers:list"), _("Transfer requests")))
    if coach or manager or admin:
        menu.append(NavLink(reverse("placements:workplace_list"), _("Workplaces")))
        menu.append(NavLink(reverse("survey:index"), _("Survey")))
        reports.append(NavLink(reverse("reports:dashboard"), _("Dashboard")))
    if manager or admin:
        reports.append(NavLink(reverse("survey_results:index"), _("Survey results")))
    if admin:
        reports.append(NavLink(reverse("annual:index"), _("Annual report")))
        reports.append(NavLink(reverse("annual:scb"), _("SCB follow-up")))
        reports.append(NavLink(reverse("audit:review"), _("Access log")))
    if reports:
        menu.append(NavLink(reports[0].url, _("Reports"), children=tuple(reports)))
    if user.is_staff and not admin:
        menu.append(NavLink(reverse("admin:index"), _("Administration")))
    return menu


def _places(menu: list[NavLink]) -> list[NavLink]:
    return [place for link in menu for place in (link.children or (link,))]


def _active_url(path: str, urls: list[str]) -> str | None:
    """The link the page belongs to: the longest one the path starts with.

    "/" (a coach's week) is only itself, and /survey/results/ belongs to the
    results, not to /survey/.
    """
    matching = [url for url in urls if path == url or (url != "/" and path.startswith(url))]
    return max(matching, key=len, default=None)


def _mark_active(link: NavLink, active: str | None) -> NavLink:
    if link.children:
        children = tuple(_mark_active(child, active) for child in link.children)
        return link._replace(active=any(child.active for child in children), children=children)
    return link._replace(active=link.url == active)


def navigation(request: HttpRequest) -> dict:
    """The menu a user sees: only the places their role may go.

    ``nav_menu`` is what the bar draws: ``NavLink``s that know whether the page
    is theirs. ``nav_items`` lists every place, flat, as (url, label).
    """
    user = getattr(request, "user", None)
    menu: list[NavLink] = []
    # Until the second factor is entered, every page but the 2FA ones is closed.
    verified = not settings.REQUIRE_2FA or getattr(user, "is_verified", lambda: False)()
    if user is not None and user.is_authenticated and verified:
        menu = _menu(user)
    places = _places(menu)
    active = _active_url(request.path, [place.url for place in places])
    return {
        "nav_items": [(place.url, place.label) for place in places],
        "nav_menu": [_mark_active(link, active) for link in menu],
        "demo_banner": settings.DEMO_BANNER,
        "two_factor_off": not settings.REQUIRE_2FA,
    }
