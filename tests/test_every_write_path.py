"""Every rule of the case record holds on every path that writes it.

Each invalid write of the issue's list (an overlapping placement, an actual
end after today, a follow-up before the end, after today or on a placement
that has not ended, an internship on another participant's placement or over
four weeks, studies over half of the working time together) is tried through
every path that writes its kind of record: the coach's form by htmx and as a
plain page, the Django admin's own form and every inline that holds the
record, and the placements CSV import. Each is refused, with the rule's own
message where a person reads it, and nothing is stored.

The paths are not listed by hand: they are read from the admin's registry
(every ModelAdmin and inline of the guarded models) and from the participant
page's URLs. A new path fails ``test_every_path_is_covered`` until a rule
case covers it or it is declared here, with a reason, as unable to express
the rule.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Model
from django.urls import URLPattern, reverse

from casework import case_urls
from casework.placement_csv import COLUMNS
from followup.models import FollowUp
from participants.models import Participant, Study
from placements.models import Internship, Placement
from tests.factories import (
    AdminFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
)
from tests.helpers import admin_url, change_page_data

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)
GUARDED = (Placement, FollowUp, Internship, Study)
HTMX = {"HX-Request": "true"}
NOT_A_CHOICE = "Select a valid choice."

# The participant page's URLs, by what they write. A new URL must be added here.
COACH_URLS: dict[str, type[Model] | None] = {
    "detail": None,
    "timeline": None,
    "disability_edit": None,
    "gender_self_described_edit": None,
    "consent_add": None,
    "details_edit": None,
    "personnummer_show": None,
    "personnummer_correct": None,
    "case_close": None,
    "case_reopen": None,
    "note_add": None,
    "note_correct": None,
    "activity_add": None,
    "goal_add": None,
    "goal_update": None,
    "study_add": Study,
    "study_update": Study,
    "placement_add": Placement,
    "placement_extend": Placement,
    "placement_end": Placement,
    "internship_add": Internship,
    "subsidy_add": None,
    "subsidy_decide": None,
    "followup_register": FollowUp,
}

# Coach forms of a guarded model that no rule of the list can break, and why.
NO_RULE_APPLIES = {
    "placement_extend": "it changes the planned end only, which may be in the future"
}


# --- The situations -------------------------------------------------------------------------


@dataclass
class Case:
    """The records a rule is tried against."""

    participant: Participant
    other: Participant  # another participant of the same unit
    ongoing: Placement  # started 2021-01-04, not ended
    ended: Placement  # 2020-06-01..2021-03-31, its follow-up open
    extra: dict[str, Any] = field(default_factory=dict)

    def parent(self, model: type[Model]) -> Model:
        """The record an inline of ``model`` is shown on."""
        if model is Participant:
            return self.participant
        if model is Placement:
            return self.extra.get("placement", self.ongoing)
        raise AssertionError(f"no parent record of {model.__name__} for an inline")


def make_case(unit) -> Case:
    participant = ParticipantFactory(unit=unit, birth_date=D(1980, 6, 15))
    other = ParticipantFactory(unit=unit, birth_date=D(1981, 3, 3))
    ended = PlacementFactory(
        participant=participant,
        start_date=D(2020, 6, 1),
        planned_end_date=D(2021, 3, 31),
        end_date=D(2021, 3, 31),
        end_reason="completed",
    )
    FollowUpFactory(placement=ended, outcome="", performed_on=None)
    ongoing = PlacementFactory(
        participant=participant, start_date=D(2021, 4, 5), planned_end_date=D(2022, 4, 4)
    )
    return Case(participant=participant, other=other, ongoing=ongoing, ended=ended)


@dataclass
class Rule:
    """One invalid write: the record it makes, as each kind of path says it."""

    name: str
    model: type[Model]
    # The message a person reads (English), any one of them.
    messages: tuple[str, ...]
    # The bad record's fields as form values (admin and inline rows).
    row: Callable[[Case], dict[str, str]]
    # An existing record the write changes (None: the write adds one).
    existing: Callable[[Case], Model | None] = lambda case: None
    # The coach's form: its URL name, and its URL kwargs and the values it posts.
    coach_url: str = ""
    coach: Callable[[Case], tuple[dict, dict]] | None = None
    # The import's row (None: the format has no such record) and its bad column.
    csv_row: Callable[[Case], dict[str, str]] | None = None
    csv_column: str = ""
    # Paths that cannot express the rule, with the reason.
    cannot: dict[tuple, str] = field(default_factory=dict)
    setup: Callable[[Case], None] = lambda case: None


def _placement_values(start: str, end: str = "", reason: str = "") -> dict[str, str]:
    return {
        "job_type": str(job_type().pk),
        "workplace": str(WorkplaceFactory(name="Biblioteket Kista").pk),
        "funding": "sdf",
        "start_date": start,
        "planned_end_date": "",
        "end_date": end,
        "end_reason": reason,
    }


def _csv(case: Case, placement: Placement | None = None, **values: str) -> dict[str, str]:
    participant = case.participant
    row = {
        "personnummer": participant.personnummer,
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "job_type": job_type().code,
        "workplace": "Biblioteket Kista",
    }
    if placement is not None:
        row.update(
            job_type=placement.job_type.code,
            workplace=placement.workplace.name,
            start_date=placement.start_date.isoformat(),
            end_date=placement.end_date.isoformat() if placement.end_date else "",
            end_reason=placement.end_reason,
        )
    row.update(values)
    return row


def _internship(case: Case, placement: Placement, start: str, end: str) -> dict[str, str]:
    return {
        "participant": str(case.participant.pk),
        "placement": str(placement.pk),
        "employer": "Kista bibliotek",
        "occupation": "Biblioteksassistent",
        "start_date": start,
        "end_date": end,
    }


def _study(case: Case, start: str, end: str, extent: str) -> dict[str, str]:
    return {
        "participant": str(case.participant.pk),
        "placement": str(case.ongoing.pk),
        "kind": "sfi",
        "course": "Sfi kurs C",
        "provider": "Komvux Kista",
        "start_date": start,
        "end_date": end,
        "extent_percent": extent,
        "completed": "",
    }


def _followup(case: Case, performed_on: str, placement: Placement | None = None) -> dict:
    placement = placement or case.ended
    return {
        "placement": str(placement.pk),
        "due_date": "2021-06-30",
        "performed_on": performed_on,
        "outcome": "studier",
        "employer_or_school": "",
        "note": "",
        "performed_by": "",
    }


def _with_existing_study(case: Case) -> None:
    Study.objects.create(
        participant=case.participant,
        placement=case.ongoing,
        kind="sfi",
        course="Sfi kurs B",
        provider="Komvux Kista",
        start_date=D(2021, 4, 12),
        end_date=D(2021, 9, 30),
        extent_percent=40,
    )


def _with_study_before_another(case: Case) -> None:
    """A study at 20 % ending before another at 40 % starts: moving its end overlaps them."""
    _with_existing_study(case)
    case.extra["study"] = Study.objects.create(
        participant=case.participant,
        placement=case.ongoing,
        kind="grundlaggande_vux",
        course="Matematik 1",
        provider="Komvux Kista",
        start_date=D(2021, 1, 11),
        end_date=D(2021, 4, 9),
        extent_percent=20,
    )


def _with_others_placement(case: Case) -> None:
    case.extra["others"] = PlacementFactory(
        participant=case.other, start_date=D(2021, 2, 1), planned_end_date=D(2022, 1, 31)
    )


FUTURE_END = "The end date cannot be after today"
NOT_ENDED = "The placement has not ended; there is nothing to follow up yet."

RULES = [
    Rule(
        name="overlapping placement",
        model=Placement,
        messages=("The participant already has a placement in this period.",),
        row=lambda case: {
            "participant": str(case.participant.pk),
            **_placement_values("2021-05-03"),
        },
        coach_url="placement_add",
        coach=lambda case: (
            {},
            {**_placement_values("2021-05-03"), "planned_end_date": "2021-12-31"},
        ),
        csv_row=lambda case: _csv(case, start_date="2021-05-03"),
        csv_column="start_date",
    ),
    Rule(
        name="actual end after today",
        model=Placement,
        messages=(FUTURE_END,),
        existing=lambda case: case.ongoing,
        row=lambda case: {"end_date": "2021-06-20", "end_reason": "completed"},
        coach_url="placement_end",
        coach=lambda case: (
            {"placement_pk": case.ongoing.pk},
            {"end_date": "2021-06-20", "end_reason": "completed"},
        ),
        csv_row=lambda case: _csv(case, case.ongoing, end_date="2021-06-20"),
        csv_column="end_date",
    ),
    Rule(
        name="follow-up before the end",
        model=FollowUp,
        messages=("The follow-up cannot be before the placement ended (2021-03-31).",),
        existing=lambda case: case.ended.followup,
        row=lambda case: _followup(case, "2021-03-30"),
        coach_url="followup_register",
        coach=lambda case: (
            {"placement_pk": case.ended.pk},
            {"outcome": "studier", "performed_on": "2021-03-30"},
        ),
        csv_row=lambda case: _csv(
            case, case.ended, followup_date="2021-03-30", followup_outcome="studier"
        ),
        csv_column="followup_date",
        setup=lambda case: case.extra.update(placement=case.ended),
    ),
    Rule(
        name="follow-up after today",
        model=FollowUp,
        messages=("The follow-up cannot be dated after today.",),
        existing=lambda case: case.ended.followup,
        row=lambda case: _followup(case, "2021-06-20"),
        coach_url="followup_register",
        coach=lambda case: (
            {"placement_pk": case.ended.pk},
            {"outcome": "studier", "performed_on": "2021-06-20"},
        ),
        csv_row=lambda case: _csv(
            case, case.ended, followup_date="2021-06-20", followup_outcome="studier"
        ),
        csv_column="followup_date",
        setup=lambda case: case.extra.update(placement=case.ended),
    ),
    Rule(
        name="follow-up on a placement that has not ended",
        model=FollowUp,
        messages=(NOT_ENDED,),
        row=lambda case: _followup(case, "2021-06-01", case.ongoing),
        coach_url="followup_register",
        coach=lambda case: (
            {"placement_pk": case.ongoing.pk},
            {"outcome": "studier", "performed_on": "2021-06-01"},
        ),
        csv_row=lambda case: _csv(
            case, case.ongoing, followup_date="2021-06-01", followup_outcome="studier"
        ),
        csv_column="followup_outcome",
    ),
    Rule(
        name="internship on another participant's placement",
        model=Internship,
        messages=("The placement belongs to another participant.", NOT_A_CHOICE),
        row=lambda case: _internship(case, case.extra["others"], "2021-05-03", "2021-05-14"),
        coach_url="internship_add",
        coach=lambda case: (
            {},
            _internship(case, case.extra["others"], "2021-05-03", "2021-05-14"),
        ),
        setup=_with_others_placement,
        cannot={
            ("inline", Placement): "the internship's participant is the placement's own",
        },
    ),
    Rule(
        name="internship over four weeks",
        model=Internship,
        messages=(
            "An internship lasts at most four weeks (28 days): "
            "the last day can be 2021-05-09 at the latest.",
        ),
        row=lambda case: _internship(case, case.ongoing, "2021-04-12", "2021-05-31"),
        coach_url="internship_add",
        coach=lambda case: (
            {},
            _internship(case, case.ongoing, "2021-04-12", "2021-05-31"),
        ),
    ),
    Rule(
        name="studies over half of the working time together",
        model=Study,
        messages=("Studies at the same time would take 80",),
        row=lambda case: _study(case, "2021-05-03", "2021-06-11", "40"),
        coach_url="study_add",
        coach=lambda case: ({}, _study(case, "2021-05-03", "2021-06-11", "40")),
        setup=_with_existing_study,
    ),
    Rule(
        name="a study's later end running into another, over half together",
        model=Study,
        messages=("Studies at the same time would take 60",),
        existing=lambda case: case.extra["study"],
        row=lambda case: {"end_date": "2021-05-31"},
        coach_url="study_update",
        coach=lambda case: (
            {"study_pk": case.extra["study"].pk},
            {
                "course": "Matematik 1",
                "provider": "Komvux Kista",
                "end_date": "2021-05-31",
                "extent_percent": "20",
                "completed": "",
            },
        ),
        setup=_with_study_before_another,
    ),
]


# --- The paths ----------------------------------------------------------------------------


def admin_paths() -> set[tuple]:
    """Every admin form and inline that writes a guarded model, read from the registry."""
    import stockholmsjobb.urls  # noqa: F401 - the admin's registrations

    paths = set()
    for model, model_admin in admin.site._registry.items():
        if model in GUARDED:
            paths.add(("admin", model))
        for inline in model_admin.inlines:
            if inline.model in GUARDED:
                paths.add(("inline", model, inline.model))
    return paths


def coach_paths() -> set[tuple]:
    paths = set()
    for pattern in case_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        model = COACH_URLS.get(pattern.name, "unknown")
        assert model != "unknown", f"say what participants:{pattern.name} writes (COACH_URLS)"
        if model is not None:
            paths.add(("htmx", model, pattern.name))
            paths.add(("page", model, pattern.name))
    return paths


def _model_of(path: tuple) -> type[Model]:
    return path[2] if path[0] == "inline" else path[1]


def _applies(rule: Rule, path: tuple) -> bool:
    """Whether ``path`` can express ``rule`` (else the rule says why not, or the form is
    one no rule applies to)."""
    if _model_of(path) is not rule.model:
        return False
    if path[0] == "inline":
        return (path[0], path[1]) not in rule.cannot
    if path[0] in ("htmx", "page"):
        return path[2] == rule.coach_url
    return True


def cases() -> list[tuple[Rule, tuple]]:
    """Every rule on every path of its model that can express it."""
    matrix = []
    for rule in RULES:
        for path in sorted(admin_paths() | coach_paths(), key=repr):
            if _applies(rule, path):
                matrix.append((rule, path))
        if rule.model in (Placement, FollowUp):
            matrix.append((rule, ("import", rule.model)))
    return matrix


def _case_id(value: object) -> str:
    if isinstance(value, Rule):
        return value.name
    return "-".join(part if isinstance(part, str) else part.__name__ for part in value)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2021, 6, 15, 12, 0), tick=False):
        yield


def stored() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in GUARDED}


# --- Trying a write -------------------------------------------------------------------------


def _english(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _text(response) -> str:
    import html

    return html.unescape(response.content.decode())


def try_admin(client, rule: Rule, case: Case) -> Any:
    existing = rule.existing(case)
    model = rule.model
    url = (
        admin_url(model, "change", existing.pk) if existing is not None else admin_url(model, "add")
    )
    page = client.get(url)
    assert page.status_code == 200, url
    data = change_page_data(page)
    data.update(rule.row(case))
    return client.post(url, data)


def try_inline(client, rule: Rule, case: Case, parent_model: type[Model]) -> Any:
    parent = case.parent(parent_model)
    url = admin_url(parent_model, "change", parent.pk)
    page = client.get(url)
    assert page.status_code == 200, url
    data = change_page_data(page)
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is rule.model
    )
    existing = rule.existing(case)
    row = {
        name: value for name, value in rule.row(case).items() if name in formset.form.base_fields
    }
    if existing is not None:
        index = next(i for i, form in enumerate(formset.initial_forms) if form.instance == existing)
    else:
        index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in row.items():
        data[f"{formset.prefix}-{index}-{name}"] = value
    return client.post(url, data)


def try_coach(client, rule: Rule, case: Case, kind: str) -> Any:
    kwargs, values = rule.coach(case)
    url = reverse(f"participants:{rule.coach_url}", kwargs={"pk": case.participant.pk, **kwargs})
    headers = HTMX if kind == "htmx" else {}
    form = client.get(url, headers=headers)
    assert form.status_code == 200, url
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', _text(form)))
    data.update(values)
    return client.post(url, data, headers=headers)


def try_import(tmp_path, rule: Rule, case: Case) -> list[str]:
    path = tmp_path / "placements.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({column: rule.csv_row(case).get(column, "") for column in COLUMNS})
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_placements", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


# --- The tests ------------------------------------------------------------------------------


def test_every_path_is_covered():
    covered = {(rule.name, path) for rule, path in cases()}
    for rule in RULES:
        for path in admin_paths():
            if _model_of(path) is rule.model:
                # Tried, or the rule says why the path cannot express it.
                assert (rule.name, path) in covered or (path[0], path[1]) in rule.cannot, (
                    rule.name,
                    path,
                )
        if rule.coach_url:
            assert (rule.name, ("htmx", rule.model, rule.coach_url)) in covered
            assert (rule.name, ("page", rule.model, rule.coach_url)) in covered
    # Each coach form of a guarded model is tried by some rule, or no rule applies to it.
    for path in coach_paths():
        assert path[2] in NO_RULE_APPLIES or any((rule.name, path) in covered for rule in RULES), (
            path
        )
    # The matrix is the real one: every guarded model has an admin, an inline and a form.
    kinds = {(path[0], path[-1] if path[0] == "inline" else path[1]) for path in admin_paths()}
    for model in GUARDED:
        assert ("admin", model) in kinds
        assert ("inline", model) in kinds


@pytest.mark.parametrize(("rule", "path"), cases(), ids=_case_id)
def test_the_rule_holds_on_the_path(client, unit, tmp_path, rule: Rule, path: tuple):
    case = make_case(unit)
    rule.setup(case)
    kind = path[0]
    before = stored()

    if kind == "import":
        errors = try_import(tmp_path, rule, case)
        assert any(f": {rule.csv_column}: " in error for error in errors), errors
    else:
        if kind in ("admin", "inline"):
            client.force_login(AdminFactory(is_superuser=True))
        else:
            client.force_login(CoachFactory(unit=unit))
        _english(client)
        if kind == "admin":
            response = try_admin(client, rule, case)
        elif kind == "inline":
            response = try_inline(client, rule, case, path[1])
        else:
            response = try_coach(client, rule, case, kind)
        # Refused: the form again (never a redirect to a saved page), with the rule's words.
        assert response.status_code in (200, 422), response.status_code
        text = _text(response)
        assert any(message in text for message in rule.messages), (
            rule.name,
            path,
            re.findall(
                r"invalid-feedback[^>]*>([^<]*)<|alert-danger[^>]*>([^<]*)<|errorlist[^>]*><li>([^<]*)<",
                text,
            ),
        )

    assert stored() == before
