"""The SCB register follow-up page for admins: the cohort list and the extract upload."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from followup.models import RegisterOutcome
from tests.factories import (
    AdminFactory,
    ConsentFactory,
    ParticipantFactory,
    PlacementFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def admin_user():
    return AdminFactory()


@pytest.fixture
def cohort():
    """Two participants whose placements ended in 2021: one with SCB consent, one without."""
    consenting = ParticipantFactory(enrolled_on=D(2020, 1, 1))
    ConsentFactory(participant=consenting, flow="scb", given=True)
    refusing = ParticipantFactory(enrolled_on=D(2020, 1, 1))
    ConsentFactory(participant=refusing, flow="scb", given=False)
    for participant in (consenting, refusing):
        PlacementFactory(participant=participant, start_date=D(2021, 1, 1), end_date=D(2021, 9, 30))
    return consenting, refusing


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("scb.csv", text.encode("utf-8"), content_type="text/csv")


def test_only_admins_reach_the_page(client, coach, manager, admin_user):
    url = reverse("annual:scb")
    assert client.get(url).status_code == 302
    for user in (coach, manager):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(reverse("annual:scb_cohort"), {"cohort_year": 2021}).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_the_cohort_list_holds_the_consenting_and_is_logged(client, admin_user, cohort):
    consenting, refusing = cohort
    client.force_login(admin_user)

    page = client.get(reverse("annual:scb"))
    response = client.post(reverse("annual:scb_cohort"), {"cohort_year": "2021"})

    assert 'value="2021"' in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scb-kohort-2021.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "personnummer,cohort_year,measure_years",
        f"{consenting.personnummer},2021,2019;2022;2023",
    ]
    assert refusing.personnummer not in response.content.decode()
    export = AccessLogEntry.objects.get(action=Action.EXPORT)
    assert export.user == admin_user and "1 personnummer, 1 without consent" in export.detail


def test_a_cohort_year_without_placements_is_refused(client, admin_user, cohort):
    client.force_login(admin_user)

    response = client.post(reverse("annual:scb_cohort"), {"cohort_year": "1999"})

    assert response.status_code == 400
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_an_uploaded_extract_is_stored_for_the_consenting_and_counted(client, admin_user, cohort):
    consenting, refusing = cohort
    client.force_login(admin_user)
    text = (
        "personnummer;year;income_source\n"
        f"{consenting.personnummer};2022;forvarvsarbete\n"
        f"{refusing.personnummer};2022;studier\n"
    )

    response = client.post(reverse("annual:scb_import"), {"file": upload(text)}, follow=True)

    assert response.redirect_chain == [(reverse("annual:scb"), 302)]
    assert list(RegisterOutcome.objects.values_list("participant_id", "year", "income_source")) == [
        (consenting.pk, 2022, "forvarvsarbete")
    ]
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("1 ")
    assert '<td class="text-end">1</td>' in response.content.decode()


def test_a_bad_extract_lists_its_rows_and_stores_nothing(client, admin_user, cohort):
    consenting, _ = cohort
    client.force_login(admin_user)
    text = (
        "personnummer,year,income_source\n"
        f"{consenting.personnummer},2022,forvarvsarbete\n"
        f"{consenting.personnummer},2022,lotteri\n"
    )

    response = client.post(reverse("annual:scb_import"), {"file": upload(text)})

    assert response.status_code == 400
    # In Swedish, the page's language; the "row N: column:" prefix is the contract's.
    assert response.context["import_errors"] == [
        "row 3: income_source: okänd kod ”lotteri”; använd en av forvarvsarbete, studier, "
        "arbetsloshet, ekonomiskt_bistand, arbetsmarknadspolitisk_atgard, ovrigt"
    ]
    assert 'id="import-errors"' in response.content.decode()
    assert not RegisterOutcome.objects.exists()
