"""Deny by default: every route of the URL configuration, for every role.

The routes are not listed here: they are read from the URL configuration
(`get_resolver().url_patterns`, recursively: the admin and included apps
too), so a page added later is checked the day it is added. Each route gets a
concrete URL, its converters filled with the ids of real rows made here: a
participant of unit A with everything hanging off it. A parameter nobody has
described yet gets the id of A's participant, the most sensitive guess. Each
URL is requested with GET and POST (a view that takes no POST answers 405)
as five users:

- anonymous: sent to a login page (or 404/405), except the PUBLIC routes;
- coach of unit A, manager of A, admin: never a server error;
- coach of unit B: 404 for anything touching A's participant, never a 200,
  and for every route, A's name and personnummer appear in no answer.

`matrix_failures` returns what broke; the test of the test shows that it
reports a route added without protection.
"""

import datetime
import re
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from accounts.models import User
from audit.models import AccessLogEntry, Action
from casework.models import PlacementImport
from followup.models import RegisterOutcome, SurveyResponse
from participants.models import (
    CaseNote,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
    TransferRequest,
)
from placements.models import Internship, Placement, WageSubsidyCase
from reports.models import OutcomeSnapshot, SnapshotStatus
from survey.models import SurveyInvitation, SurveyRound, hash_token
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    CoachFactory,
    FollowUpFactory,
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    TransferRequestFactory,
    UnitFactory,
    WorkplaceFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "coach_a", "coach_b", "manager_a", "admin")
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
SECRET_SURNAME = "Hemligsson"
BIRTH = datetime.date(1983, 8, 17)
NUMBER = make_personnummer(BIRTH, 611)
SURVEY_TOKEN = "matrix-survey-token-of-participant-a"

# Routes anyone may open without logging in (by URL name). Everything else
# must send an anonymous visitor to a login page.
PUBLIC = {
    "login",  # the login form itself
    "logout",  # logging out ends a session; without one it only redirects
    "set_language",  # the language switch on the login page
    "admin:login",  # the admin's own login form
    "admin:logout",  # as "logout"; without a session it redirects to the admin's index
    # The participant survey: the link's one-time token is the only key, and the
    # page shows nothing about the person (the matrix gives it a real token of
    # A's participant, so a name on it would be caught).
    "survey:respond",
    "survey:thanks",  # where an answer lands: a thank-you text, nothing else
    "accessibility",  # the accessibility statement the law requires to be public
}

# Answers that differ from the general rule, with the reason. Keyed by
# (URL name, role, method); the value is the set of statuses accepted.
EXPECTED_OVERRIDES: dict[tuple[str, str, str], set[int]] = {
    # The admin's "view on site" shortcut: Participant has no page address of
    # its own (get_absolute_url), so even the admin gets a 404.
    ("admin:view_on_site", "admin", "GET"): {404},
}


# --- The routes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    segments: tuple  # RoutePattern / RegexPattern, from the root to the view
    name: str | None  # with namespaces: "participants:detail"
    callback: Callable

    @property
    def pattern(self) -> str:
        return "".join(str(segment) for segment in self.segments)

    @property
    def is_admin(self) -> bool:
        return bool(self.name and self.name.startswith("admin:")) or self.pattern.startswith(
            "admin/"
        )

    def __str__(self) -> str:
        return f"{self.pattern} ({self.name or 'unnamed'})"


def all_routes(urlconf: str | None = None) -> list[Route]:
    return list(_walk(get_resolver(urlconf).url_patterns, (), ()))


def _walk(patterns: Iterable, segments: tuple, namespaces: tuple) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, (*segments, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Route((*segments, entry.pattern), name, entry.callback)


# --- The data every URL points at -----------------------------------------------------------


@dataclass
class World:
    participant: Participant  # of unit A: the record coach B must never reach
    users: dict[str, User]
    # Rows of A's participant, by model: the admin's change pages open these.
    rows_of_a: dict[type[Model], Model] = field(default_factory=dict)
    # Rows of nobody's case, by route name and parameter.
    others: dict[tuple[str, str], str] = field(default_factory=dict)

    def admin_row(self, model: type[Model]) -> tuple[str, bool]:
        row = self.rows_of_a.get(model)
        if row is not None:
            return str(row.pk), True
        row = model._default_manager.order_by("pk").first()
        return (str(row.pk), False) if row is not None else ("0", False)


def build_world() -> World:
    unit_a, unit_b = UnitFactory(name="Enhet A"), UnitFactory(name="Enhet B")
    coach_a = CoachFactory(username="coach_a", unit=unit_a)
    participant = ParticipantFactory(
        unit=unit_a,
        coach=coach_a,
        first_name="Saga",
        last_name=SECRET_SURNAME,
        personnummer=NUMBER,
        birth_date=BIRTH,
        disability=True,
    )
    # Ended, so it has a follow-up to register; the same placement is extended and ended.
    followup = FollowUpFactory(
        placement__participant=participant, placement__workplace=WorkplaceFactory()
    )
    placement = followup.placement
    note = CaseNoteFactory(participant=participant, author=coach_a)
    goal = LearningGoal.objects.create(
        participant=participant, description="Truckkort", target_date=datetime.date(2021, 6, 1)
    )
    subsidy = WageSubsidyCase.objects.create(
        participant=participant, employer="Lager AB", applied_on=datetime.date(2021, 2, 1)
    )
    study = Study.objects.create(
        participant=participant,
        kind="sfi",
        course="Sfi D",
        start_date=datetime.date(2020, 3, 1),
        extent_percent=25,
    )
    internship = Internship.objects.create(
        participant=participant,
        employer="Butiken",
        start_date=datetime.date(2020, 3, 2),
        end_date=datetime.date(2020, 3, 13),
    )
    activity = SupportActivity.objects.create(
        participant=participant,
        phase="before",
        kind="mapping",
        date=datetime.date(2020, 1, 20),
        recorded_by=coach_a,
    )
    outcome = RegisterOutcome.objects.create(
        participant=participant, year=2021, income_source="studier"
    )
    today = datetime.date.today()
    survey_round = SurveyRound.objects.create(
        name="Matrix round",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    survey = SurveyResponse.objects.create(
        survey_round=survey_round, job_type=placement.job_type, participant=participant
    )
    # A's participant's live survey link: the public page must not name them.
    SurveyInvitation.objects.create(
        survey_round=survey_round,
        participant=participant,
        job_type=placement.job_type,
        token_hash=hash_token(SURVEY_TOKEN),
    )
    # Coach B's own participant: B reaches it, A's stays out of reach.
    coach_b = CoachFactory(username="coach_b", unit=unit_b)
    # Coach B has asked to take A's participant over: until A's manager approves,
    # B must see nothing of them, the request included.
    transfer = TransferRequestFactory(participant=participant, to_unit=unit_b, requested_by=coach_b)
    placement_b = PlacementFactory(participant=ParticipantFactory(unit=unit_b, coach=coach_b))
    SurveyInvitation.objects.create(
        survey_round=survey_round,
        participant=placement_b.participant,
        job_type=placement_b.job_type,
    )
    users = {
        "coach_a": coach_a,
        "coach_b": coach_b,
        "manager_a": ManagerFactory(username="manager_a", unit=unit_a),
        "admin": AdminFactory(username="admin_x"),
    }
    snapshot = OutcomeSnapshot.objects.create(status=SnapshotStatus.DONE)
    # A checked placements file waiting for the admin's confirmation (no file: a POST
    # that confirms it must fail in words, not with a server error).
    placement_import = PlacementImport.objects.create(rows=1)
    entry = AccessLogEntry.objects.create(
        action=Action.VIEW, username="coach_a", participant_id=participant.pk
    )
    return World(
        participant=participant,
        users=users,
        rows_of_a={
            Participant: participant,
            Placement: placement,
            type(followup): followup,
            CaseNote: note,
            LearningGoal: goal,
            WageSubsidyCase: subsidy,
            Study: study,
            Internship: internship,
            SupportActivity: activity,
            RegisterOutcome: outcome,
            SurveyResponse: survey,
            AccessLogEntry: entry,
            TransferRequest: transfer,
        },
        others={
            ("placements:workplace_detail", "pk"): str(placement.workplace_id),
            ("reports:snapshot_status", "pk"): str(snapshot.pk),
            ("reports:dashboard_csv", "table"): "overdue",
            ("survey:links", "pk"): str(survey_round.pk),
            ("desk:survey_round_invite", "pk"): str(survey_round.pk),
            ("desk:survey_round_close", "pk"): str(survey_round.pk),
            **{
                (f"placement_import:{name}", "pk"): str(placement_import.pk)
                for name in ("detail", "status", "start", "cancel")
            },
            ("survey_results:paper_import", "pk"): str(survey_round.pk),
            ("survey:respond", "token"): SURVEY_TOKEN,
            # A request about A's participant; the decision page is for managers and
            # admins only (B, a coach, is refused by role whatever the id).
            ("transfers:decide", "pk"): str(transfer.pk),
        },
    )


# --- A concrete URL for each route ----------------------------------------------------------


def _case_values(world: World) -> dict[str, int]:
    """Parameters of the participant's page and forms, by name."""
    rows = world.rows_of_a
    return {
        "pk": world.participant.pk,
        "note_pk": rows[CaseNote].pk,
        "goal_pk": rows[LearningGoal].pk,
        "placement_pk": rows[Placement].pk,
        "subsidy_pk": rows[WageSubsidyCase].pk,
        "study_pk": rows[Study].pk,
    }


def value_for(route: Route, parameter: str, converter: str, world: World) -> tuple[str, bool]:
    """The value for one parameter, and whether it points into A's participant's case."""
    if (route.name, parameter) in world.others:
        return world.others[route.name, parameter], False
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is not None and parameter in ("object_id", "id"):
        return world.admin_row(model_admin.model)
    if parameter == "content_type_id":
        return str(ContentType.objects.get_for_model(Participant).pk), True
    if parameter == "object_id":  # the admin's "view on site" shortcut
        return str(world.participant.pk), True
    if parameter == "app_label":
        return "participants", False
    if parameter == "url":  # the admin's catch-all
        return "no-such-page/", False
    case_values = _case_values(world)
    if parameter in case_values:
        return str(case_values[parameter]), True
    if converter in ("int", "") or parameter.endswith(("pk", "id")):
        # Deny by default: an unknown id is taken to be A's participant.
        return str(world.participant.pk), True
    return "x", False


_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>")


def _fill_regex(regex: str, route: Route, world: World) -> tuple[str, bool]:
    regex = regex.removeprefix("^").removesuffix("\\Z").removesuffix("$")
    touches = False
    while match := _REGEX_GROUP.search(regex):
        depth, end = 0, match.start()
        for end in range(match.start(), len(regex)):
            depth += {"(": 1, ")": -1}.get(regex[end], 0)
            if depth == 0:
                break
        value, touched = value_for(route, match["parameter"], "", world)
        touches |= touched
        regex = regex[: match.start()] + value + regex[end + 1 :]
    text = re.sub(r"\\(.)", r"\1", regex)
    if re.search(r"[\^$*+?()\[\]{}|]", text):
        raise ValueError(f"cannot build a URL for {route}: describe its parameters")
    return text, touches


def url_for(route: Route, world: World) -> tuple[str, bool]:
    """The route's URL with real ids, and whether it touches A's participant."""
    parts, touches = [], False
    for segment in route.segments:
        if isinstance(segment, RoutePattern):
            text = str(segment)
            for match in _ROUTE_PARAMETER.finditer(text):
                value, touched = value_for(
                    route, match["parameter"], match["converter"] or "str", world
                )
                touches |= touched
                text = text.replace(match[0], value, 1)
        elif isinstance(segment, RegexPattern):
            text, touched = _fill_regex(segment._regex, route, world)
            touches |= touched
        else:
            raise TypeError(f"unknown pattern type {type(segment)} in {route}")
        parts.append(text)
    return "/" + "".join(parts), touches


# --- The check ---------------------------------------------------------------------------------


def _leaks(response: HttpResponse) -> bool:
    body = getattr(response, "content", b"").decode("utf-8", "replace")
    number_forms = (NUMBER, f"{NUMBER[:8]}-{NUMBER[8:]}", f"{NUMBER[2:8]}-{NUMBER[8:]}")
    return SECRET_SURNAME in body or any(form in body for form in number_forms)


def _to_login(response: HttpResponse) -> bool:
    return response.status_code in (301, 302) and urlsplit(response.get("Location", "")).path in (
        LOGIN_PATHS
    )


def judge(route: Route, role: str, method: str, touches_a: bool, response: HttpResponse) -> str:
    """What is wrong with this answer, or "" when it is as expected."""
    status = response.status_code
    override = EXPECTED_OVERRIDES.get((route.name or route.pattern, role, method))
    if override is not None:
        return "" if status in override else f"expected {sorted(override)}"
    if status >= 500:
        return "server error"
    if role in ("anonymous", "coach_b") and _leaks(response):
        return "shows A's participant's name or personnummer"
    denied = _to_login(response) or status in (404, 405)
    if role == "anonymous" and route.name not in PUBLIC and not denied:
        return "not sent to log in"
    # 405 is decided by the method before any row is read, the same for every
    # id. The admin sends users who are not staff to its own login page before
    # it looks at any row. Neither discloses anything.
    refused = status in (404, 405) or (route.is_admin and _to_login(response))
    if role == "coach_b" and touches_a and not refused:
        return "another unit's participant must be a 404"
    if role == "coach_a" and touches_a and method == "GET" and not route.is_admin and status == 404:
        return "coach of A cannot reach A's records: the matrix fills in wrong ids"
    return ""


@dataclass
class Failure:
    route: Route
    role: str
    method: str
    url: str
    status: int
    problem: str

    def __str__(self) -> str:
        return (
            f"{self.role} {self.method} {self.url} [{self.route}] → {self.status}: {self.problem}"
        )


HTMX = {"HX-Request": "true"}


def matrix_failures(
    world: World, roles: Iterable[str], routes: Iterable[Route], urlconf: str | None = None
) -> list[Failure]:
    failures = []
    client = Client(raise_request_exception=False)
    for role in roles:
        for route in routes:
            url, touches_a = url_for(route, world)
            match = resolve(urlsplit(url).path, urlconf)
            if match.func is not route.callback:
                failures.append(Failure(route, role, "-", url, 0, "URL reaches another view"))
                continue
            requests = [("GET", {}), ("POST", {})]
            if role == "coach_b" and touches_a:
                requests.append(("GET", HTMX))  # fragments are refused alike
            for method, headers in requests:
                # Every request starts as the role: a POST may have logged out.
                client.logout()
                if role != "anonymous":
                    client.force_login(world.users[role])
                send = client.get if method == "GET" else client.post
                response = send(url, headers=headers)
                problem = judge(route, role, method, touches_a, response)
                if problem:
                    failures.append(
                        Failure(route, role, method, url, response.status_code, problem)
                    )
    return failures


# --- The tests ---------------------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    return build_world()


def test_every_route_is_found_including_the_admin_and_included_apps():
    names = {route.name for route in all_routes()}
    assert {
        "home",
        "login",
        "set_language",
        "accounts:two_factor_setup",
        "participants:detail",
        "participants:followup_register",
        "placements:workplace_detail",
        "reports:dashboard_csv",
        "audit:review",
        "admin:participants_participant_change",
        "admin:audit_accesslogentry_changelist",
        "admin:app_list",
    } <= names
    assert len(all_routes()) > 100


def test_every_route_gets_a_url_that_reaches_it(world):
    for route in all_routes():
        url, _touches = url_for(route, world)
        assert resolve(urlsplit(url).path).func is route.callback, route


def test_the_overrides_and_public_routes_name_existing_routes():
    names = {route.name for route in all_routes()}
    assert names >= PUBLIC
    assert names >= {name for name, _role, _method in EXPECTED_OVERRIDES}


@pytest.mark.parametrize("role", ROLES)
def test_role_url_matrix(world, role):
    failures = matrix_failures(world, [role], all_routes())
    assert not failures, "\n".join(str(failure) for failure in failures)


# --- The test of the test ----------------------------------------------------------------------


def leak(request: HttpRequest, pk: int) -> HttpResponse:
    """What a careless new view might do: fetch by id, no login, no access helper."""
    return HttpResponse(Participant.objects.get(pk=pk).last_name)


def test_the_matrix_reports_a_route_added_without_protection(world):
    leaky = types.ModuleType("tests.leaky_urls")
    leaky.urlpatterns = [
        path("leak/<int:pk>/", leak, name="leak"),
        *get_resolver("stockholmsjobb.urls").url_patterns,
    ]
    sys.modules[leaky.__name__] = leaky
    try:
        with override_settings(ROOT_URLCONF=leaky.__name__):
            routes = [route for route in all_routes() if route.name == "leak"]
            assert [route.pattern for route in routes] == ["leak/<int:pk>/"]

            failures = matrix_failures(world, ["anonymous", "coach_b"], routes)
    finally:
        del sys.modules[leaky.__name__]

    assert {(failure.role, failure.route.name) for failure in failures} == {
        ("anonymous", "leak"),
        ("coach_b", "leak"),
    }
    problems = {failure.problem for failure in failures}
    assert "shows A's participant's name or personnummer" in problems


# --- The registration form is no oracle --------------------------------------------------------


def registration_answer(
    client: Client, user: User, number: str, last_name: str, first_name: str = "Kim"
) -> tuple:
    """What a coach sees after registering this number and name: status, target, words."""
    response = client.post(
        "/participants/new/",
        {
            "personnummer": number,
            "first_name": first_name,
            "last_name": last_name,
            "unit": user.unit_id,
            "coach": user.pk,
            "enrolled_on": "2021-02-01",
            "foreign_born": "unknown",
            "education_level": "gymnasial",
        },
    )
    body = response.content.decode()
    body = re.sub(r'(csrfmiddlewaretoken" value|csrf-token" content)="[^"]*"', "", body)
    body = body.replace(number, "<number>").replace(last_name, "<name>")
    target = re.sub(r"\d+", "<id>", response.get("Location", ""))
    return response.status_code, target, body


def test_registration_tells_a_coach_nothing_about_another_unit(world):
    """Coach B learns nothing of A's participant: the answer is the one for anyone elsewhere."""
    coach_b = world.users["coach_b"]
    client = Client()
    client.force_login(coach_b)
    elsewhere = ParticipantFactory(unit=UnitFactory(name="Enhet C"), last_name="Annansson")

    of_a = registration_answer(client, coach_b, world.participant.personnummer, "Nyström")
    of_c = registration_answer(client, coach_b, elsewhere.personnummer, "Nyström")

    assert of_a == of_c
    assert of_a[0] == 200
    for secret in (SECRET_SURNAME, "Saga", "Enhet A", f"/participants/{world.participant.pk}/"):
        assert secret not in of_a[2]
    collisions = AccessLogEntry.objects.filter(action=Action.COLLISION, username="coach_b")
    assert sorted(collisions.values_list("participant_id", flat=True)) == sorted(
        [world.participant.pk, elsewhere.pk]
    )

    # A's participant's birth date and surname with another number: registered as
    # if nobody matched, exactly as a surname nobody has.
    like_a = registration_answer(client, coach_b, make_personnummer(BIRTH, 622), SECRET_SURNAME)
    like_nobody = registration_answer(
        client, coach_b, make_personnummer(BIRTH, 633), "Ingen", first_name="Alex"
    )

    assert like_a[:2] == like_nobody[:2] == (302, "/participants/<id>/")
    assert Participant.objects.filter(unit=coach_b.unit, birth_date=BIRTH).count() == 2
