"""Consent per data flow: the append-only history, the current state, and the flows it blocks.

Pages render Swedish and the catalogue may not hold the new strings yet, so
page tests look at ids, names, data attributes and the database.
"""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from followup.models import RegisterOutcome
from followup.services import register_outcome_save
from participants.models import Consent, ConsentFlow, Participant
from participants.selectors import consent_state, has_consent, participants_with_consent
from participants.services import consent_record, participant_create
from tests.factories import (
    AdminFactory,
    ConsentFactory,
    ManagerFactory,
    ParticipantFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)
HTMX = {"HX-Request": "true"}
DISTRICT, SCB = ConsentFlow.DISTRICT, ConsentFlow.SCB


@pytest.fixture(autouse=True)
def frozen_today():
    noon = datetime.datetime(2021, 6, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm"))
    with time_machine.travel(noon, tick=False):
        yield


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, enrolled_on=D(2021, 1, 10))


def consent_url(participant: Participant) -> str:
    return reverse("participants:consent_add", args=[participant.pk])


def detail_html(client, participant: Participant) -> str:
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The current state ---------------------------------------------------------------------


def test_no_decision_means_not_asked_and_no_consent(person):
    assert consent_state(person) == {DISTRICT: None, SCB: None}
    assert not has_consent(person, SCB)
    assert list(participants_with_consent(SCB)) == []


def test_the_current_state_is_the_latest_decision_by_date_then_id(person):
    ConsentFactory(participant=person, flow=SCB, given=True, decided_on=D(2021, 1, 10))
    withdrawn = ConsentFactory(participant=person, flow=SCB, given=False, decided_on=D(2021, 3, 1))
    ConsentFactory(participant=person, flow=DISTRICT, given=False, decided_on=D(2021, 2, 1))
    # Two decisions on one day: the one recorded last counts.
    same_day = ConsentFactory(
        participant=person, flow=DISTRICT, given=True, decided_on=D(2021, 2, 1)
    )

    assert consent_state(person) == {DISTRICT: same_day, SCB: withdrawn}
    assert has_consent(person, DISTRICT)
    assert not has_consent(person, SCB)


def test_participants_with_consent_is_one_database_query(unit):
    given = ParticipantFactory(unit=unit)
    ConsentFactory(participant=given, flow=SCB, given=True)
    withdrawn = ParticipantFactory(unit=unit)
    ConsentFactory(participant=withdrawn, flow=SCB, given=True, decided_on=D(2020, 1, 1))
    ConsentFactory(participant=withdrawn, flow=SCB, given=False, decided_on=D(2021, 1, 1))
    refused = ParticipantFactory(unit=unit)
    ConsentFactory(participant=refused, flow=SCB, given=False)
    given_again = ParticipantFactory(unit=unit)
    ConsentFactory(participant=given_again, flow=SCB, given=False, decided_on=D(2020, 1, 1))
    ConsentFactory(participant=given_again, flow=SCB, given=True, decided_on=D(2021, 1, 1))
    other_flow = ParticipantFactory(unit=unit)
    ConsentFactory(participant=other_flow, flow=DISTRICT, given=True)
    ParticipantFactory(unit=unit)  # never asked

    with CaptureQueriesContext(connection) as queries:
        found = set(participants_with_consent(SCB))

    assert found == {given, given_again}
    assert len(queries) == 1
    assert "consent" in queries[0]["sql"].lower()


def test_participants_with_consent_narrows_a_given_queryset(unit, other_unit):
    mine = ParticipantFactory(unit=unit)
    theirs = ParticipantFactory(unit=other_unit)
    for participant in (mine, theirs):
        ConsentFactory(participant=participant, flow=DISTRICT)

    assert list(participants_with_consent(DISTRICT, Participant.objects.filter(unit=unit))) == [
        mine
    ]
    with pytest.raises(ValueError, match="unknown data flow"):
        participants_with_consent("police")


# --- Recording a decision --------------------------------------------------------------------


def test_a_withdrawal_is_a_new_row_and_earlier_decisions_stay(person, coach):
    first = consent_record(
        participant=person, flow=SCB, given=True, decided_on=D(2021, 1, 10), recorded_by=coach
    )
    second = consent_record(
        participant=person, flow=SCB, given=False, decided_on=D(2021, 5, 1), recorded_by=coach
    )

    assert list(Consent.objects.filter(participant=person)) == [second, first]
    first.refresh_from_db()
    assert first.given is True
    assert consent_state(person)[SCB] == second
    assert second.recorded_by == coach
    assert second.recorded_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decided_on": D(2021, 6, 16)}, "decided_on"),  # tomorrow
        ({"decided_on": D(1999, 12, 31)}, "decided_on"),
        ({"flow": "police"}, "flow"),
    ],
    ids=["future", "before-2000", "unknown-flow"],
)
def test_a_decision_breaking_a_rule_is_refused_and_nothing_is_saved(person, coach, changes, field):
    arguments = {"participant": person, "flow": SCB, "given": True, "decided_on": TODAY}
    arguments.update(changes)

    with pytest.raises(ValidationError) as refused:
        consent_record(recorded_by=coach, **arguments)

    assert field in refused.value.message_dict
    assert not Consent.objects.exists()


def test_a_decision_dated_before_the_current_one_is_refused(person, coach):
    ConsentFactory(participant=person, flow=SCB, given=True, decided_on=D(2021, 3, 1))

    with pytest.raises(ValidationError) as refused:
        consent_record(
            participant=person, flow=SCB, given=False, decided_on=D(2021, 2, 1), recorded_by=coach
        )

    assert "decided_on" in refused.value.message_dict
    assert Consent.objects.count() == 1


def test_the_database_refuses_an_unknown_flow(person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(participant=person, flow="police", given=True, decided_on=TODAY)


# --- The consent card on the participant page ---------------------------------------------


def test_the_card_shows_each_flows_state(client, coach, person):
    ConsentFactory(participant=person, flow=SCB, given=True, decided_on=D(2021, 1, 10))
    withdrawal = ConsentFactory(participant=person, flow=SCB, given=False, decided_on=D(2021, 4, 1))
    client.force_login(coach)

    html = detail_html(client, person)

    assert 'id="consents"' in html
    assert 'id="consent-district" data-flow="district" data-state="not_asked"' in html
    assert 'id="consent-scb" data-flow="scb" data-state="withdrawn"' in html
    assert 'data-decided-on="2021-04-01"' in html
    assert f'id="consent-row-{withdrawal.pk}" data-given="false"' in html
    assert f'href="{consent_url(person)}?flow=scb"' in html


def test_a_refusal_never_given_shows_as_refused(client, coach, person):
    ConsentFactory(participant=person, flow=DISTRICT, given=False)
    client.force_login(coach)

    assert 'data-flow="district" data-state="refused"' in detail_html(client, person)


def test_coach_records_a_decision_without_javascript(client, coach, person):
    client.force_login(coach)
    assert client.get(consent_url(person)).status_code == 200

    response = client.post(
        consent_url(person), {"flow": "scb", "decision": "given", "decided_on": "2021-06-01"}
    )

    assert response.status_code == 302
    assert response.url.endswith("#consents")
    consent = Consent.objects.get()
    assert (consent.participant, consent.flow, consent.given, consent.decided_on) == (
        person,
        SCB,
        True,
        D(2021, 6, 1),
    )
    assert consent.recorded_by == coach


def test_coach_records_a_withdrawal_with_htmx_and_gets_the_card_back(client, coach, person):
    ConsentFactory(participant=person, flow=DISTRICT, given=True)
    client.force_login(coach)
    form = client.get(f"{consent_url(person)}?flow=district", headers=HTMX)
    assert 'value="district" selected' in form.content.decode()

    response = client.post(
        consent_url(person),
        {"flow": "district", "decision": "not_given", "decided_on": "2021-06-15"},
        headers=HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="consents" aria-labelledby="consents-heading" hx-swap-oob="true"' in html
    assert 'data-flow="district" data-state="withdrawn"' in html
    assert not has_consent(person, DISTRICT)


@pytest.mark.parametrize(
    "data",
    [
        {"flow": "scb", "decision": "given", "decided_on": "2021-06-16"},
        {"flow": "scb", "decision": "", "decided_on": "2021-06-01"},
        {"flow": "police", "decision": "given", "decided_on": "2021-06-01"},
    ],
    ids=["future", "no-decision", "unknown-flow"],
)
def test_a_bad_decision_is_shown_again_and_nothing_is_saved(client, coach, person, data):
    client.force_login(coach)

    response = client.post(consent_url(person), data, headers=HTMX)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Consent.objects.exists()


def test_a_decision_before_the_current_one_is_shown_next_to_the_date(client, coach, person):
    ConsentFactory(participant=person, flow=SCB, given=True, decided_on=D(2021, 5, 1))
    client.force_login(coach)

    response = client.post(
        consent_url(person), {"flow": "scb", "decision": "not_given", "decided_on": "2021-04-01"}
    )

    assert response.status_code == 200
    assert "decided_on" in response.context["form"].errors
    assert Consent.objects.count() == 1


def test_manager_reads_the_consents_but_cannot_record_one(client, unit, person):
    ConsentFactory(participant=person, flow=SCB, given=True)
    client.force_login(ManagerFactory(unit=unit))

    html = detail_html(client, person)
    response = client.post(
        consent_url(person), {"flow": "scb", "decision": "not_given", "decided_on": "2021-06-01"}
    )

    assert 'data-flow="scb" data-state="given"' in html
    assert consent_url(person) not in html
    assert response.status_code == 403
    assert Consent.objects.count() == 1


def test_another_units_coach_gets_404(client, other_coach, person):
    client.force_login(other_coach)

    assert client.get(consent_url(person)).status_code == 404
    response = client.post(
        consent_url(person), {"flow": "scb", "decision": "given", "decided_on": "2021-06-01"}
    )
    assert response.status_code == 404
    assert not Consent.objects.exists()


def test_recording_a_decision_is_logged_as_a_change(client, coach, person):
    client.force_login(coach)

    client.post(
        consent_url(person), {"flow": "scb", "decision": "given", "decided_on": "2021-06-01"}
    )

    [entry] = AccessLogEntry.objects.filter(action=Action.CHANGE)
    assert (entry.user, entry.participant_id, entry.path, entry.method) == (
        coach,
        person.pk,
        consent_url(person),
        "POST",
    )


# --- Registration ------------------------------------------------------------------------------

REGISTER = "/participants/new/"
NUMBER = make_personnummer(D(1992, 3, 4), 345)


def registration(unit, coach, **overrides) -> dict:
    data = {
        "personnummer": NUMBER,
        "first_name": "Sara",
        "last_name": "Lind",
        "unit": unit.pk,
        "coach": coach.pk,
        "enrolled_on": "2021-06-01",
        "foreign_born": "unknown",
        "education_level": "gymnasial",
    }
    data.update(overrides)
    return data


def test_registration_records_each_decision_with_the_date_and_the_registering_user(
    client, coach, unit
):
    client.force_login(coach)

    response = client.post(
        REGISTER, registration(unit, coach, consent_district="given", consent_scb="not_given")
    )

    assert response.status_code == 302
    participant = Participant.objects.get(personnummer=NUMBER)
    decisions = {(c.flow, c.given, c.decided_on, c.recorded_by) for c in participant.consents.all()}
    assert decisions == {(DISTRICT, True, TODAY, coach), (SCB, False, TODAY, coach)}


def test_registration_not_asked_yet_records_nothing(client, coach, unit):
    client.force_login(coach)

    response = client.post(REGISTER, registration(unit, coach, consent_district="", consent_scb=""))

    assert response.status_code == 302
    assert not Consent.objects.exists()


@pytest.mark.parametrize("district", ["", "not_given"], ids=["not-asked", "not-given"])
def test_registration_refuses_social_assistance_months_without_district_consent(
    client, coach, unit, district
):
    client.force_login(coach)

    response = client.post(
        REGISTER,
        registration(unit, coach, months_social_assistance_before="12", consent_district=district),
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["months_social_assistance_before"]
    assert not Participant.objects.exists()
    assert not Consent.objects.exists()


def test_registration_keeps_social_assistance_months_given_district_consent(client, coach, unit):
    client.force_login(coach)

    response = client.post(
        REGISTER,
        registration(unit, coach, months_social_assistance_before="12", consent_district="given"),
    )

    assert response.status_code == 302
    participant = Participant.objects.get()
    assert participant.months_social_assistance_before == 12
    assert has_consent(participant, DISTRICT)


def test_the_service_refuses_social_assistance_months_without_district_consent(unit, coach):
    arguments = {
        "personnummer": NUMBER,
        "first_name": "Sara",
        "last_name": "Lind",
        "unit": unit,
        "enrolled_on": D(2021, 6, 1),
        "registered_by": coach,
        "months_social_assistance_before": 12,
    }

    with pytest.raises(ValidationError) as refused:
        participant_create(consents={SCB: True}, **arguments)
    assert "months_social_assistance_before" in refused.value.message_dict
    assert not Participant.objects.exists()

    participant = participant_create(consents={DISTRICT: True}, **arguments)
    assert participant.months_social_assistance_before == 12


# --- The admin ----------------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory(username="systemadmin"))
    return client


def participant_change_data(client, participant: Participant) -> dict:
    from tests.helpers import change_page_data

    return change_page_data(client.get(admin_url(Participant, "change", participant.pk)))


def test_admin_refuses_social_assistance_months_without_district_consent(admin_client, person):
    data = participant_change_data(admin_client, person)
    data["months_social_assistance_before"] = "12"

    response = admin_client.post(admin_url(Participant, "change", person.pk), data)

    assert response.status_code == 200
    assert "months_social_assistance_before" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.months_social_assistance_before is None


def test_admin_saves_social_assistance_months_with_district_consent(admin_client, person):
    ConsentFactory(participant=person, flow=DISTRICT, given=True)
    data = participant_change_data(admin_client, person)
    data["months_social_assistance_before"] = "12"

    response = admin_client.post(admin_url(Participant, "change", person.pk), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.months_social_assistance_before == 12


def test_admin_keeps_months_recorded_before_a_withdrawal(admin_client, unit):
    participant = ParticipantFactory(unit=unit, months_social_assistance_before=8)
    ConsentFactory(participant=participant, flow=DISTRICT, given=True, decided_on=D(2020, 1, 1))
    ConsentFactory(participant=participant, flow=DISTRICT, given=False, decided_on=D(2021, 1, 1))
    data = participant_change_data(admin_client, participant)
    data["first_name"] = "Omdöpt"
    changed = dict(data, months_social_assistance_before="9")

    kept = admin_client.post(admin_url(Participant, "change", participant.pk), data)
    refused = admin_client.post(admin_url(Participant, "change", participant.pk), changed)

    assert kept.status_code == 302
    assert refused.status_code == 200
    participant.refresh_from_db()
    assert (participant.first_name, participant.months_social_assistance_before) == ("Omdöpt", 8)


def test_consents_are_a_read_only_inline_on_the_participant_admin(admin_client, person):
    ConsentFactory(participant=person, flow=SCB)

    response = admin_client.get(admin_url(Participant, "change", person.pk))

    [inline] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Consent
    ]
    assert len(inline.formset.initial_forms) == 1
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission


def test_consent_admin_adds_a_decision_with_the_recording_user(admin_client, person):
    response = admin_client.post(
        admin_url(Consent, "add"),
        {"participant": person.pk, "flow": "scb", "given": "on", "decided_on": "2021-06-01"},
    )

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.flow, consent.given, consent.recorded_by.username) == (
        SCB,
        True,
        "systemadmin",
    )


def test_consent_admin_refuses_a_future_date_and_saves_nothing(admin_client, person):
    response = admin_client.post(
        admin_url(Consent, "add"),
        {"participant": person.pk, "flow": "scb", "given": "on", "decided_on": "2021-07-01"},
    )

    assert response.status_code == 200
    assert "decided_on" in response.context["adminform"].form.errors
    assert not Consent.objects.exists()


def test_consent_admin_never_changes_or_deletes_a_decision(admin_client, rf, person):
    consent = ConsentFactory(participant=person, flow=SCB, given=True)

    change = admin_client.post(
        admin_url(Consent, "change", consent.pk),
        {"participant": person.pk, "flow": "scb", "decided_on": "2021-06-01"},
    )
    delete = admin_client.post(admin_url(Consent, "delete", consent.pk), {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    consent.refresh_from_db()
    assert consent.given is True
    request = rf.get("/")
    request.user = AdminFactory(is_superuser=True)
    model_admin = admin_site._registry[Consent]
    assert not model_admin.has_change_permission(request, consent)
    assert not model_admin.has_delete_permission(request, consent)


# --- SCB register outcomes ----------------------------------------------------------------------


def test_register_outcome_save_refuses_a_participant_without_scb_consent(person):
    ConsentFactory(participant=person, flow=DISTRICT, given=True)

    with pytest.raises(ValidationError) as refused:
        register_outcome_save(participant=person, year=2020, income_source="studier")

    assert "participant" in refused.value.message_dict
    assert not RegisterOutcome.objects.exists()


def test_register_outcome_save_stores_and_replaces_a_year_with_scb_consent(person):
    ConsentFactory(participant=person, flow=SCB, given=True)

    register_outcome_save(participant=person, year=2020, income_source="studier")
    again = register_outcome_save(participant=person, year=2020, income_source="forvarvsarbete")

    assert list(RegisterOutcome.objects.values_list("pk", "income_source")) == [
        (again.pk, "forvarvsarbete")
    ]


def test_a_withdrawal_stops_new_rows_and_keeps_the_earlier_ones(person, coach):
    ConsentFactory(participant=person, flow=SCB, given=True, decided_on=D(2021, 1, 10))
    earlier = register_outcome_save(participant=person, year=2019, income_source="studier")
    consent_record(
        participant=person, flow=SCB, given=False, decided_on=D(2021, 5, 1), recorded_by=coach
    )

    with pytest.raises(ValidationError):
        register_outcome_save(participant=person, year=2020, income_source="studier")

    assert list(RegisterOutcome.objects.all()) == [earlier]
    assert person not in participants_with_consent(SCB)


@pytest.mark.parametrize("consent", [False, True], ids=["without-consent", "with-consent"])
def test_register_outcome_admin_stores_rows_only_with_scb_consent(admin_client, person, consent):
    if consent:
        ConsentFactory(participant=person, flow=SCB, given=True)

    response = admin_client.post(
        admin_url(RegisterOutcome, "add"),
        {"participant": person.pk, "year": "2020", "income_source": "studier"},
    )

    if consent:
        assert response.status_code == 302
        assert RegisterOutcome.objects.get().participant == person
    else:
        assert response.status_code == 200
        assert "participant" in response.context["adminform"].form.errors
        assert not RegisterOutcome.objects.exists()


# --- Demo data ----------------------------------------------------------------------------------


def test_demo_participants_mostly_consent_and_a_few_withdraw():
    call_command("seed_demo", "--per-year", "60", "--years", "2019-2020", stdout=io.StringIO())

    participants = Participant.objects.count()
    scb = participants_with_consent(SCB).count()
    district = participants_with_consent(DISTRICT).count()
    withdrawn = (
        Participant.objects.annotate(
            given=Count("consents", filter=Q(consents__given=True)),
            refused=Count("consents", filter=Q(consents__given=False)),
        )
        .filter(given__gt=0, refused__gt=0)
        .count()
    )

    assert participants > 100
    assert 0.75 < scb / participants < 0.97  # about one in ten without SCB consent
    assert district / participants > 0.75
    assert withdrawn > 0
    # Everyone with months of social assistance consented to the district flow first.
    with_figure = Participant.objects.filter(months_social_assistance_before__isnull=False)
    assert not with_figure.exclude(consents__flow=DISTRICT, consents__given=True).exists()
    assert not Consent.objects.filter(decided_on__gt=TODAY).exists()
