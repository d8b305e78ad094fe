"""Disability (special-category data, GDPR art. 9) needs an explicit permission everywhere.

Pages render Swedish and the catalogue may not hold the new strings yet, so
these tests look at ids, names, data attributes and the database.
"""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from casework.admin import ParticipantAdmin
from casework.placement_csv import COLUMNS
from casework.placement_export import export_placements
from participants.models import Participant
from participants.selectors import can_see_sensitive
from tests.factories import (
    AdminFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def grant_sensitive(user):
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename="view_sensitive")
    )
    # has_perm caches per instance: hand back a fresh one.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, disability=True)


@pytest.fixture
def sensitive_coach(unit):
    return grant_sensitive(CoachFactory(username="sensitive_coach", unit=unit))


def detail(client: Client, participant: Participant) -> str:
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    return response.content.decode()


def disability_url(participant: Participant) -> str:
    return reverse("participants:disability_edit", args=[participant.pk])


def loaded_at(html: str) -> str:
    return re.search(r'name="loaded_at"(?: value="([^"]*)")?', html).group(1) or ""


# --- The rule ------------------------------------------------------------------------------


def test_the_permission_names_what_it_shows():
    permission = Permission.objects.get(
        content_type__app_label="participants", codename="view_sensitive"
    )
    assert permission.name == "Can see sensitive data (disability, self-described gender)"


def test_only_an_explicit_permission_lets_a_user_see_sensitive_data(unit):
    coach = CoachFactory(unit=unit)
    admin = AdminFactory()
    inactive = grant_sensitive(CoachFactory(unit=unit))
    inactive.is_active = False

    assert not can_see_sensitive(coach)
    assert not can_see_sensitive(admin)  # a role alone is not enough
    assert can_see_sensitive(grant_sensitive(coach))
    assert not can_see_sensitive(inactive)


def test_the_admin_asks_the_same_helper(rf, monkeypatch, unit):
    request = rf.get("/")
    request.user = CoachFactory(unit=unit)
    asked = []
    monkeypatch.setattr("casework.admin.can_see_sensitive", lambda user: asked.append(user) or True)

    assert ParticipantAdmin(Participant, None)._sees_sensitive(request)
    assert asked == [request.user]


# --- The participant page --------------------------------------------------------------------


def test_coach_without_permission_sees_no_trace_of_disability(client, coach, person):
    client.force_login(coach)

    html = detail(client, person)

    assert 'id="summary-disability' not in html
    assert "disability" not in html.lower()


def test_coach_with_permission_sees_disability_and_a_way_to_change_it(
    client, sensitive_coach, person
):
    client.force_login(sensitive_coach)

    html = detail(client, person)

    assert 'id="summary-disability" data-value="yes"' in html
    assert f'href="{disability_url(person)}"' in html


@pytest.mark.parametrize(("value", "shown"), [(False, "no"), (None, "unknown")])
def test_summary_shows_no_and_unknown_too(client, sensitive_coach, unit, value, shown):
    participant = ParticipantFactory(unit=unit, disability=value)
    client.force_login(sensitive_coach)

    assert f'id="summary-disability" data-value="{shown}"' in detail(client, participant)


def test_manager_with_permission_reads_disability_but_cannot_change_it(client, unit, person):
    manager = grant_sensitive(ManagerFactory(unit=unit))
    client.force_login(manager)

    html = detail(client, person)
    response = client.post(disability_url(person), {"disability": "false"})

    assert 'id="summary-disability" data-value="yes"' in html
    assert f'href="{disability_url(person)}"' not in html
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.disability is True


def test_disability_form_is_refused_without_permission_and_the_value_is_kept(client, coach, person):
    client.force_login(coach)

    shown = client.get(disability_url(person))
    posted = client.post(disability_url(person), {"disability": "false"})

    assert shown.status_code == 403
    assert posted.status_code == 403
    assert "disability" not in shown.content.decode().lower()
    person.refresh_from_db()
    assert person.disability is True


def test_another_units_coach_gets_404_even_with_the_permission(client, other_unit, person):
    client.force_login(grant_sensitive(CoachFactory(unit=other_unit)))

    assert client.get(disability_url(person)).status_code == 404
    assert client.post(disability_url(person), {"disability": "false"}).status_code == 404
    person.refresh_from_db()
    assert person.disability is True


def test_coach_with_permission_changes_disability_by_plain_post(client, sensitive_coach, person):
    client.force_login(sensitive_coach)
    form = client.get(disability_url(person)).content.decode()

    response = client.post(
        disability_url(person), {"disability": "false", "loaded_at": loaded_at(form)}
    )

    assert response.status_code == 302
    assert response.url.endswith("#participant-summary")
    person.refresh_from_db()
    assert person.disability is False


def test_coach_with_permission_changes_disability_by_htmx_and_gets_the_summary_back(
    client, sensitive_coach, person
):
    client.force_login(sensitive_coach)
    form = client.get(disability_url(person), headers=HTMX).content.decode()

    response = client.post(
        disability_url(person),
        {"disability": "unknown", "loaded_at": loaded_at(form)},
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="participant-summary"' in html
    assert 'id="summary-disability" data-value="unknown"' in html
    person.refresh_from_db()
    assert person.disability is None


def test_a_stale_disability_form_does_not_overwrite_a_newer_save(client, sensitive_coach, person):
    client.force_login(sensitive_coach)
    stale = loaded_at(client.get(disability_url(person)).content.decode())
    Participant.objects.get(pk=person.pk).save()  # someone else saves in between

    response = client.post(disability_url(person), {"disability": "false", "loaded_at": stale})

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.disability is True


# --- Registration ------------------------------------------------------------------------------

REGISTER = "/participants/new/"
NUMBER = make_personnummer(datetime.date(1991, 5, 6), 234)


def registration(unit, coach, **overrides) -> dict:
    data = {
        "personnummer": NUMBER,
        "first_name": "Sara",
        "last_name": "Lind",
        "unit": unit.pk,
        "coach": coach.pk,
        "enrolled_on": "2021-02-01",
        "foreign_born": "unknown",
        "education_level": "gymnasial",
    }
    data.update(overrides)
    return data


def test_registration_form_has_disability_only_with_permission(client, coach, sensitive_coach):
    client.force_login(coach)
    without = client.get(REGISTER)
    client.force_login(sensitive_coach)
    with_permission = client.get(REGISTER)

    assert "disability" not in without.context["form"].fields
    assert 'name="disability"' not in without.content.decode()
    assert "disability" in with_permission.context["form"].fields
    assert 'name="disability"' in with_permission.content.decode()


def test_a_disability_posted_by_a_user_without_permission_is_ignored(client, coach, unit):
    client.force_login(coach)

    response = client.post(REGISTER, registration(unit, coach, disability="true"))

    assert response.status_code == 302
    assert Participant.objects.get(personnummer=NUMBER).disability is None


def test_a_user_with_permission_registers_disability(client, sensitive_coach, unit):
    client.force_login(sensitive_coach)

    response = client.post(REGISTER, registration(unit, sensitive_coach, disability="true"))

    assert response.status_code == 302
    assert Participant.objects.get(personnummer=NUMBER).disability is True


def test_the_service_drops_a_disability_from_a_user_without_permission(coach, unit):
    from participants.services import participant_create

    participant = participant_create(
        personnummer=NUMBER,
        first_name="Sara",
        last_name="Lind",
        unit=unit,
        enrolled_on=datetime.date(2021, 2, 1),
        registered_by=coach,
        disability=True,
    )

    assert participant.disability is None


# --- A self-described gender -------------------------------------------------------------------


def gender_url(participant: Participant) -> str:
    return reverse("participants:gender_self_described_edit", args=[participant.pk])


@pytest.fixture
def described(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, gender_self_described="Icke-binär")


def test_without_permission_a_self_described_gender_is_nowhere_and_cannot_be_set(
    client, coach, described
):
    client.force_login(coach)

    html = detail(client, described)
    shown = client.get(gender_url(described))
    posted = client.post(gender_url(described), {"gender_self_described": "Annat"})

    assert "Icke-binär" not in html
    assert "summary-gender-self-described" not in html
    assert shown.status_code == posted.status_code == 403
    described.refresh_from_db()
    assert described.gender_self_described == "Icke-binär"


def test_with_permission_a_coach_reads_and_changes_a_self_described_gender(
    client, sensitive_coach, described
):
    client.force_login(sensitive_coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = detail(client, described)
    assert "Icke-binär" in html
    form = client.get(gender_url(described), headers=HTMX).content.decode()

    response = client.post(
        gender_url(described),
        {"gender_self_described": "  Vill inte ange  ", "loaded_at": loaded_at(form)},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "Vill inte ange" in response.content.decode()
    # Said in the language of the page.
    saved = "The participant's own description of their gender is saved."
    assert saved in unescape(response.content.decode())
    described.refresh_from_db()
    assert described.gender_self_described == "Vill inte ange"
    assert described.gender == "kvinna"  # the legal gender is not touched


def test_a_self_described_gender_is_registered_only_by_a_user_with_permission(
    client, coach, sensitive_coach, unit
):
    client.force_login(coach)
    assert 'name="gender_self_described"' not in client.get(REGISTER).content.decode()
    client.post(REGISTER, registration(unit, coach, gender_self_described="Annat"))
    assert Participant.objects.get(personnummer=NUMBER).gender_self_described == ""
    Participant.objects.all().delete()

    client.force_login(sensitive_coach)
    assert 'name="gender_self_described"' in client.get(REGISTER).content.decode()
    client.post(REGISTER, registration(unit, sensitive_coach, gender_self_described="Annat"))

    registered = Participant.objects.get(personnummer=NUMBER)
    assert registered.gender_self_described == "Annat"
    assert registered.gender == "kvinna"  # from the personnummer


def test_the_admin_hides_a_self_described_gender_without_permission(client, described):
    url = reverse("admin:participants_participant_change", args=[described.pk])
    changelist = reverse("admin:participants_participant_changelist")
    client.force_login(AdminFactory())

    html = client.get(url).content.decode()
    filtered = client.get(changelist, {"gender_self_described__exact": "Icke-binär"})

    assert "Icke-binär" not in html
    assert 'name="gender_self_described"' not in html
    # A hand-made filter would list exactly the people who described themselves so.
    assert filtered.status_code == 400
    client.force_login(grant_sensitive(AdminFactory()))
    assert 'name="gender_self_described"' in client.get(url).content.decode()


# --- Exports -----------------------------------------------------------------------------------


def test_the_placements_export_has_no_sensitive_column_or_value(unit):
    participant = ParticipantFactory(unit=unit, disability=True, gender_self_described="Icke-binär")
    PlacementFactory(participant=participant)

    def export() -> str:
        stream = io.StringIO(newline="")
        export_placements(stream)
        return stream.getvalue()

    with_values = export()
    Participant.objects.filter(pk=participant.pk).update(disability=False, gender_self_described="")
    without_values = export()

    header = next(csv.reader(io.StringIO(with_values.lstrip("\ufeff"))))
    assert "disability" not in [column.lower() for column in header]
    assert set(header) <= set(COLUMNS)
    # Nothing in the file depends on the values.
    assert with_values == without_values


# --- The admin's history ------------------------------------------------------------------------


@pytest.mark.parametrize("also_renamed", [True, False], ids=["with-name", "disability-only"])
def test_the_admin_history_never_mentions_a_disability_change(client, unit, also_renamed):
    from django.contrib.admin.models import LogEntry

    from tests.helpers import change_page_data

    participant = ParticipantFactory(unit=unit, disability=True)
    client.force_login(grant_sensitive(AdminFactory()))
    url = reverse("admin:participants_participant_change", args=[participant.pk])
    data = change_page_data(client.get(url))
    data["disability"] = "false"
    if also_renamed:
        data["first_name"] = "Omdöpt"

    response = client.post(url, data)

    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.disability is False
    entry = LogEntry.objects.get(object_id=str(participant.pk))
    assert "isabilit" not in entry.change_message
    assert ("First name" in entry.change_message) is also_renamed
