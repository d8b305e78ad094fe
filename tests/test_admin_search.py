"""No personnummer (or name) in admin URLs: the admin's searches go by POST.

The term is kept in the session under a random token and the address carries
only ``?qs=<token>``; a ``q`` in a GET is not searched.
"""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from core.admin_search import PrivateSearchMixin
from followup.models import FollowUp, RegisterOutcome
from participants.models import (
    CaseNote,
    Consent,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
)
from placements.models import Internship, Placement, WageSubsidyCase
from tests.factories import (
    AdminFactory,
    FollowUpFactory,
    ParticipantFactory,
    UserFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

NUMBER = make_personnummer(datetime.date(1985, 7, 9), 124)
NEIGHBOUR = make_personnummer(datetime.date(1985, 7, 10), 124)
# Every admin whose search reaches a participant's personal data.
PRIVATE_SEARCH_MODELS = (
    Participant,
    CaseNote,
    SupportActivity,
    LearningGoal,
    Study,
    Consent,
    Placement,
    Internship,
    WageSubsidyCase,
    FollowUp,
    RegisterOutcome,
)


def changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def number_forms(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}", number[2:]]


def search(client: Client, model: type[Model], term: str, query: str = ""):
    return client.post(f"{changelist(model)}{query}", {"q": term, "_search": "1"}, follow=True)


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def wanted() -> Participant:
    return ParticipantFactory(personnummer=NUMBER, first_name="Zelda", last_name="Ekström")


@pytest.fixture
def neighbour() -> Participant:
    return ParticipantFactory(personnummer=NEIGHBOUR, first_name="Anna", last_name="Berg")


@pytest.mark.parametrize("form", range(4), ids=["12", "12-hyphen", "10-hyphen", "10"])
def test_a_search_by_post_finds_the_participant_and_leaves_no_digit_in_the_url(
    admin_client, wanted, neighbour, form
):
    response = search(admin_client, Participant, number_forms(NUMBER)[form])

    assert list(response.context["cl"].result_list) == [wanted]
    [(url, status)] = response.redirect_chain
    assert status == 302
    assert set(parse_qs(urlsplit(url).query)) == {"qs"}
    # Not a digit anywhere in the address: the token is made of letters only.
    assert not re.search(r"\d", url)
    assert not re.search(r"\d", response.wsgi_request.get_full_path())


def test_a_search_by_name_works_by_post_too(admin_client, wanted, neighbour):
    response = search(admin_client, Participant, "Ekström")

    assert list(response.context["cl"].result_list) == [wanted]
    assert "Ekstr" not in response.redirect_chain[-1][0]


def test_a_personnummer_search_is_logged_without_the_number(admin_client, wanted):
    search(admin_client, Participant, NUMBER)

    [entry] = AccessLogEntry.objects.filter(action=Action.SEARCH)
    assert entry.detail == "personnummer search"
    assert NUMBER[2:] not in f"{entry.path} {entry.detail}"


def test_a_get_with_q_does_not_search(admin_client, wanted, neighbour):
    response = admin_client.get(changelist(Participant), {"q": NUMBER, "o": "1"})

    assert response.status_code == 302
    assert "q" not in parse_qs(urlsplit(response.url).query)
    assert parse_qs(urlsplit(response.url).query) == {"o": ["1"]}
    listed = admin_client.get(response.url)
    assert set(listed.context["cl"].result_list) == {wanted, neighbour}
    assert listed.context["cl"].query == ""
    assert not AccessLogEntry.objects.filter(action=Action.SEARCH).exists()


def test_the_search_holds_through_sorting_and_filtering(admin_client, wanted, neighbour):
    token = parse_qs(
        urlsplit(search(admin_client, Participant, "Ekström").redirect_chain[-1][0]).query
    )["qs"][0]

    response = admin_client.get(
        changelist(Participant), {"qs": token, "o": "-1", "gender": "kvinna"}
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [wanted]
    html = response.content.decode()
    # The page's own links keep the token, never the term.
    assert f"qs={token}" in html
    assert "q=" not in re.sub(r"[?&]qs=", "", html.replace("&amp;", "&"))


def test_the_search_form_posts_with_a_csrf_token(admin_client, wanted):
    html = admin_client.get(changelist(Participant)).content.decode()

    form = re.search(r'<form id="changelist-search"[^>]*>', html).group(0)
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in html.split(form, 1)[1].split("</form>", 1)[0]


def test_a_token_from_another_session_finds_nothing(admin_client, wanted, neighbour):
    url = search(admin_client, Participant, NUMBER).redirect_chain[-1][0]
    other = Client()
    other.force_login(AdminFactory())

    response = other.get(url)

    assert response.status_code == 302
    assert "qs" not in parse_qs(urlsplit(response.url).query)


def test_a_token_is_not_valid_for_another_model(admin_client, wanted):
    url = search(admin_client, Participant, NUMBER).redirect_chain[-1][0]
    token_query = urlsplit(url).query

    response = admin_client.get(f"{changelist(Placement)}?{token_query}")

    assert response.status_code == 302
    assert "qs" not in parse_qs(urlsplit(response.url).query)


def test_clearing_the_search_removes_the_token(admin_client, wanted, neighbour):
    url = search(admin_client, Participant, NUMBER).redirect_chain[-1][0]

    response = admin_client.post(url, {"q": "  ", "_search": "1"}, follow=True)

    assert "qs" not in response.redirect_chain[-1][0]
    assert set(response.context["cl"].result_list) == {wanted, neighbour}


def test_a_popup_search_keeps_the_popup(admin_client, wanted):
    response = search(admin_client, Participant, NUMBER, query="?_popup=1&_to_field=id")

    query = parse_qs(urlsplit(response.redirect_chain[-1][0]).query)
    assert set(query) == {"_popup", "_to_field", "qs"}
    assert list(response.context["cl"].result_list) == [wanted]


def test_searching_needs_permission_to_see_the_list(client, wanted):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(changelist(Participant), {"q": NUMBER, "_search": "1"})

    assert response.status_code == 403


def test_an_action_post_is_not_taken_for_a_search(admin_client, wanted):
    response = admin_client.post(
        changelist(Participant), {"action": "delete_selected", "_selected_action": [wanted.pk]}
    )

    assert response.status_code == 200
    assert "admin/delete_selected_confirmation.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("model", PRIVATE_SEARCH_MODELS, ids=lambda m: m._meta.label)
def test_every_admin_with_personal_search_refuses_q_in_a_get(admin_client, model):
    FollowUpFactory(placement__participant__personnummer=NUMBER)

    refused = admin_client.get(changelist(model), {"q": NUMBER})
    page = admin_client.get(changelist(model)).content.decode()

    assert refused.status_code == 302
    assert "q" not in parse_qs(urlsplit(refused.url).query)
    assert re.search(r'<form id="changelist-search" method="post"', page)


@pytest.mark.parametrize(
    ("model", "found"),
    [(Placement, lambda f: f.placement), (FollowUp, lambda f: f), (Participant, None)],
    ids=["placement", "followup", "participant"],
)
def test_other_admins_find_a_personnummer_by_post(admin_client, model, found):
    followup = FollowUpFactory(placement__participant__personnummer=NUMBER)
    FollowUpFactory()

    response = search(admin_client, model, f"{NUMBER[2:8]}-{NUMBER[8:]}")

    expected = found(followup) if found else followup.placement.participant
    assert list(response.context["cl"].result_list) == [expected]
    assert not re.search(r"\d", response.redirect_chain[-1][0])


def test_every_admin_searching_participant_data_uses_the_private_search():
    """A new admin that searches a participant's fields must search by POST too."""
    searching = {
        model
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields
        and (
            model is Participant
            or any(
                field.startswith(("participant__", "placement__participant__"))
                for field in model_admin.search_fields
            )
        )
    }

    assert searching == set(PRIVATE_SEARCH_MODELS)
    for model in searching:
        assert isinstance(admin.site._registry[model], PrivateSearchMixin), model
