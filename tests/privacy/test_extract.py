"""The register extract: who may produce it, what it holds, and that it is logged."""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from audit.models import AccessLogEntry, Action
from audit.services import log_access
from participants.models import ActivityKind, ConsentFlow, Participant
from privacy.selectors import person_models
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    CoachFactory,
    ManagerFactory,
    UnitFactory,
)
from tests.helpers.privacy import Case, at, build_case

pytestmark = pytest.mark.django_db

START = datetime.date(2021, 3, 1)


@pytest.fixture
def unit():
    return UnitFactory(name="Jobbtorg Skärholmen")


@pytest.fixture
def coach(unit) -> User:
    return CoachFactory(username="coach_x", first_name="Karin", last_name="Coachsson", unit=unit)


@pytest.fixture
def case(unit, coach, frozen) -> Case:
    with frozen(at(START)):
        return build_case(
            on=START,
            unit=unit,
            coach=coach,
            first_name="Majvor",
            last_name="Utdragsson",
            birth=datetime.date(1988, 7, 4),
            serial=552,
            marker="UTDRAG-3307",
        )


@pytest.fixture
def participant(case) -> Participant:
    return case.participant


def extract_url(participant: Participant) -> str:
    return reverse("privacy:participant_extract", args=[participant.pk])


def produce(client: Client, user: User, participant: Participant):
    client.force_login(user)
    return client.post(extract_url(participant))


def exports() -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(action=Action.EXPORT))


# --- Who may produce it -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, participant, method):
    response = getattr(client, method)(extract_url(participant))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["coach", "manager"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_coaches_and_managers_of_the_unit_are_refused_with_403(
    client, participant, coach, unit, role, method
):
    user = coach if role == "coach" else ManagerFactory(unit=unit)
    client.force_login(user)

    response = getattr(client, method)(extract_url(participant))

    assert response.status_code == 403
    assert exports() == []
    assert AccessLogEntry.objects.filter(action=Action.REFUSED, user=user).exists()


def test_a_coach_of_another_unit_gets_404_as_for_any_of_its_records(client, participant):
    stranger = CoachFactory(unit=UnitFactory(name="Jobbtorg Farsta"))
    client.force_login(stranger)

    response = client.post(extract_url(participant))

    assert response.status_code == 404
    assert exports() == []
    [refused] = AccessLogEntry.objects.filter(action=Action.REFUSED, user=stranger)
    assert refused.participant_id == participant.pk


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_admin_without_the_sensitive_permission_gets_a_403_page(
    client, participant, admin_user, method
):
    client.force_login(admin_user)

    response = getattr(client, method)(extract_url(participant))

    assert response.status_code == 403
    assert response.templates[0].name == "privacy/needs_permission.html"
    assert "Content-Disposition" not in response
    assert exports() == []
    [refused] = AccessLogEntry.objects.filter(action=Action.REFUSED, user=admin_user)
    assert refused.participant_id == participant.pk
    assert refused.detail == "HTTP 403"


def test_the_admin_confirms_before_producing_for_a_participant_of_any_unit(
    client, participant, sensitive_admin
):
    assert sensitive_admin.unit_id is None
    client.force_login(sensitive_admin)

    response = client.get(extract_url(participant))

    assert response.status_code == 200
    html = response.content.decode()
    form = re.search(r'<form method="post">(.*?)</form>', html, re.DOTALL)
    assert form is not None
    assert 'type="submit"' in form.group(1)
    assert "csrfmiddlewaretoken" in form.group(1)
    # The confirmation masks the number, as every page does.
    assert participant.masked_personnummer in html
    assert participant.personnummer not in html
    assert "Content-Disposition" not in response
    assert exports() == []
    assert AccessLogEntry.objects.filter(
        action=Action.VIEW, participant_id=participant.pk, user=sensitive_admin
    ).exists()


def test_other_methods_are_refused(client, participant, sensitive_admin):
    client.force_login(sensitive_admin)

    assert client.put(extract_url(participant)).status_code == 405
    assert exports() == []


# --- The file -----------------------------------------------------------------------------------


def test_posting_returns_the_file_and_logs_an_export(client, participant, sensitive_admin, frozen):
    with frozen(at(datetime.date(2024, 2, 29), hour=10)):
        response = produce(client, sensitive_admin, participant)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="registerutdrag-{participant.pk}-2024-02-29.html"'
    )
    assert "no-store" in response["Cache-Control"]
    [export] = exports()
    assert export.participant_id == participant.pk
    assert export.user == sensitive_admin
    assert export.detail == "register extract"
    # Producing the file reads the record for an export, not a change to it.
    assert list(
        AccessLogEntry.objects.filter(participant_id=participant.pk).values_list(
            "action", flat=True
        )
    ) == [Action.EXPORT]


def test_neither_the_file_name_nor_the_address_names_the_person(client, case, sensitive_admin):
    participant = case.participant
    response = produce(client, sensitive_admin, participant)

    names = (response["Content-Disposition"], extract_url(participant))
    for needle in case.needles:
        assert all(needle not in name for name in names)


class _Resources(HTMLParser):
    """Scripts, event handlers and anything that would load from elsewhere."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "link", "img", "iframe", "object", "embed", "base", "form"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in {"src", "href", "action", "srcset"}:
                self.found.append(f"{tag} {name}={value}")


def test_the_file_is_self_contained_with_no_script_or_outside_resource(
    client, participant, sensitive_admin
):
    html = produce(client, sensitive_admin, participant).content.decode()

    parser = _Resources()
    parser.feed(html)
    assert parser.found == []
    assert "url(" not in html
    assert "@import" not in html
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="sv">' in html


def models_reaching_participants() -> set[type[Model]]:
    """Models with a chain of foreign keys to Participant, found forwards from every model.

    Independent of the extract's own walk, which goes backwards from Participant.
    """
    reaching: set[type[Model]] = {Participant}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in reaching:
                continue
            if any(
                model_field.is_relation
                and not model_field.auto_created
                and (model_field.many_to_one or model_field.one_to_one or model_field.many_to_many)
                and model_field.related_model in reaching
                for model_field in model._meta.get_fields()
            ):
                reaching.add(model)
                grew = True
    return reaching


def sections(html: str) -> dict[str, int]:
    return {
        label: int(count)
        for label, count in re.findall(r'data-model="([\w.]+)" data-records="(\d+)"', html)
    }


def test_every_model_with_a_path_to_participants_has_a_section_with_all_its_rows(
    client, case, sensitive_admin
):
    html = produce(client, sensitive_admin, case.participant).content.decode()

    found = sections(html)
    expected = {model._meta.label_lower for model in models_reaching_participants()}
    assert expected - set(found) == set()
    # The fixture fills every kind of record, so a row lost on the way shows.
    for model, rows in case.rows.items():
        assert found[model._meta.label_lower] == len(rows), model
    # The access log: the export itself (and the read through the access helper).
    assert (
        found["audit.accesslogentry"]
        == AccessLogEntry.objects.filter(participant_id=case.participant.pk).count()
    )


def test_aggregate_tables_are_not_taken_for_personal_data():
    labels = {person_model.label for person_model in person_models()}

    assert not {label for label in labels if label.startswith(("reports.", "audit."))}
    assert {
        "participants.participant",
        "participants.casenote",
        "followup.followup",
        "participants.consent",
    } <= labels


def test_the_file_shows_every_value_of_a_fully_populated_participant(
    client, case, coach, sensitive_admin
):
    participant = case.participant
    html = produce(client, sensitive_admin, participant).content.decode()

    with translation.override("sv"):
        labels = [
            str(label)
            for label in (
                ActivityKind.MAPPING.label,
                ConsentFlow.SCB.label,
                participant.get_gender_display(),
                participant.get_education_level_display(),
            )
        ]
    expected = [
        participant.personnummer,
        participant.first_name,
        participant.last_name,
        str(participant.unit),
        str(participant.district),
        coach.get_full_name(),
        "1988-07-04",  # birth date
        "2021-03-01",  # enrolled, and the consent's day before it
        "2021-03-02",
        "14",
        "22",
        "Första träffen UTDRAG-3307",
        "Rättelse: andra träffen UTDRAG-3307",
        "Kartläggning av intressen UTDRAG-3307",
        "Truckkort A UTDRAG-3307",
        "Lager och logistik",
        "Sfi kurs D",
        "Hermods Järva",
        "Lagerbolaget UTDRAG-3307",
        "Truckförare",
        "Byggbolaget UTDRAG-3307",
        "Förskolan Gläntan 552",  # the workplace (not personal: no marker)
        "Komvux Järva UTDRAG-3307",
        "Läser till undersköterska UTDRAG-3307",
        "Basanställning",
        "2022",  # the register outcome's year
        "Hösten 2021",  # the survey round
        *labels,
    ]
    missing = [value for value in expected if value not in html]
    assert missing == []


def test_the_access_log_part_names_units_not_staff(client, case, coach, sensitive_admin):
    participant = case.participant
    log_access(action=Action.VIEW, participant_id=participant.pk, user=coach)

    html = produce(client, sensitive_admin, participant).content.decode()

    log_part = html[html.index('data-model="audit.accesslogentry"') :]
    assert log_part.count("<tr>") == 1 + 2  # header, the coach's read, the export
    assert coach.unit.name in log_part
    for staff in (coach, sensitive_admin):
        assert staff.get_username() not in html
        assert staff.get_full_name() not in log_part


def test_producing_the_file_runs_a_fixed_number_of_queries(
    client, case, sensitive_admin, django_assert_max_num_queries
):
    client.force_login(sensitive_admin)
    response = client.post(extract_url(case.participant))
    assert response.status_code == 200
    for _ in range(20):
        CaseNoteFactory(participant=case.participant)
        log_access(action=Action.VIEW, participant_id=case.participant.pk)

    with django_assert_max_num_queries(40) as context:
        client.post(extract_url(case.participant))
    first = len(context.captured_queries)
    CaseNoteFactory(participant=case.participant)
    with django_assert_max_num_queries(first):
        client.post(extract_url(case.participant))


def test_the_participant_page_links_to_the_extract_only_for_admins_with_the_permission(
    client, participant, sensitive_admin
):
    url = reverse("participants:detail", args=[participant.pk])
    plain_admin = AdminFactory()

    client.force_login(sensitive_admin)
    with_permission = client.get(url).content.decode()
    client.force_login(plain_admin)
    without = client.get(url).content.decode()

    assert f'href="{extract_url(participant)}"' in with_permission
    assert 'id="register-extract-link"' not in without
