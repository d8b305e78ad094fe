import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    AdminFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
    job_type,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/participants/"
TODAY = datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC)


@pytest.fixture
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield D(2021, 3, 1)


def names(response) -> list[str]:
    return [p.last_name for p in response.context["page"]]


def personnummer_forms(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"]


def assert_number_not_in_links(html: str, number: str) -> None:
    """Neither the full number nor its 10-digit core appears in any link or form action."""
    targets = re.findall(r'(?:href|action)="([^"]*)"', html)
    for target in targets:
        digits = re.sub(r"\D", "", target)
        assert number[2:] not in digits, target


# --- Access -----------------------------------------------------------------


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_user_without_a_role_is_refused(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(URL).status_code == 403


def test_manager_starts_on_the_whole_unit(client, manager, participant, unit):
    other = ParticipantFactory(unit=unit, coach=CoachFactory(unit=unit))
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["scope"] == "unit"
    assert set(response.context["page"]) == {participant, other}


def test_coach_never_sees_another_units_participants(client, other_coach, participant):
    client.force_login(other_coach)
    response = client.get(URL, {"scope": "unit"})
    assert participant not in list(response.context["page"])
    assert participant.last_name not in response.content.decode()


# --- Searching by personnummer --------------------------------------------


@pytest.mark.parametrize("form", [0, 1, 2], ids=["12-digit", "hyphenated", "10-digit"])
def test_personnummer_search_in_any_form_finds_the_person_without_a_number_in_a_url(
    client, coach, participant, form
):
    ParticipantFactory(unit=participant.unit, coach=coach)
    client.force_login(coach)

    response = client.post(URL, {"q": personnummer_forms(participant.personnummer)[form]})

    assert response.status_code == 302
    assert not re.search(r"\d{6}", response.url)
    assert "search=pnr" in response.url
    page = client.get(response.url)
    assert list(page.context["page"]) == [participant]
    html = page.content.decode()
    assert participant.personnummer not in html
    assert participant.masked_personnummer in html
    assert_number_not_in_links(html, participant.personnummer)


def test_personnummer_of_a_centenarian_with_plus_is_found(client, coach, unit, frozen_today):
    birth = D(1919, 6, 1)
    old = ParticipantFactory(
        unit=unit, coach=coach, birth_date=birth, personnummer=make_personnummer(birth, 123)
    )
    client.force_login(coach)

    response = client.post(URL, {"q": f"{old.personnummer[2:8]}+{old.personnummer[8:]}"})

    assert not re.search(r"\d{6}", response.url)
    assert list(client.get(response.url).context["page"]) == [old]


def test_personnummer_search_covers_the_whole_unit_not_only_my_caseload(client, coach, unit):
    colleagues = ParticipantFactory(unit=unit, coach=CoachFactory(unit=unit))
    client.force_login(coach)
    response = client.post(URL, {"q": colleagues.personnummer}, follow=True)
    assert list(response.context["page"]) == [colleagues]
    for url, _status in response.redirect_chain:
        assert colleagues.personnummer[2:] not in re.sub(r"\D", "", url)


def test_personnummer_search_does_not_find_another_units_participant(
    client, other_coach, participant
):
    client.force_login(other_coach)
    response = client.post(URL, {"q": participant.personnummer}, follow=True)
    assert list(response.context["page"]) == []
    assert participant.last_name not in response.content.decode()


def test_a_personnummer_typed_into_the_address_is_moved_out_of_it(client, coach, participant):
    client.force_login(coach)
    response = client.get(URL, {"q": participant.personnummer})
    assert response.status_code == 302
    assert participant.personnummer[2:] not in re.sub(r"\D", "", response.url)
    assert list(client.get(response.url).context["page"]) == [participant]


def test_an_invalid_personnummer_shows_the_reason_next_to_the_field(client, coach, participant):
    client.force_login(coach)
    bad = participant.personnummer[:11] + str((int(participant.personnummer[11]) + 1) % 10)
    response = client.post(URL, {"q": bad}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'class="invalid-feedback d-block">[^<]*check digit', html, re.IGNORECASE)


def test_clearing_the_search_forgets_the_number(client, coach, participant, unit):
    other = ParticipantFactory(unit=unit, coach=coach)
    client.force_login(coach)
    client.post(URL, {"q": participant.personnummer})
    assert set(client.get(URL).context["page"]) == {participant, other}
    assert list(client.get(URL, {"search": "pnr", "scope": "unit"}).context["page"]) != [
        participant
    ]


def test_a_name_search_stays_out_of_the_address(client, coach, unit):
    bertil = ParticipantFactory(unit=unit, coach=coach, first_name="Bertil", last_name="Berg")
    ParticipantFactory(unit=unit, coach=coach, first_name="Cecilia", last_name="Ek")
    client.force_login(coach)
    response = client.post(URL, {"q": "bertil  berg"})
    assert response.status_code == 302
    # A name in an address would reach proxies' logs and the browser's history.
    assert "bertil" not in response.url.lower()
    page = client.get(response.url)
    assert list(page.context["page"]) == [bertil]
    assert re.search(r'name="q"[^>]*value="bertil\s+berg"', page.content.decode())  # still shown
    # A name written into the address is moved out of it too.
    typed = client.get(URL, {"q": "Cecilia"})
    assert typed.status_code == 302 and "Cecilia" not in typed.url


# --- Filters ----------------------------------------------------------------


@pytest.fixture
def caseload(coach, unit, frozen_today):
    """One participant in each status, all in the coach's own caseload."""
    people = {}
    people["not_placed"] = ParticipantFactory(unit=unit, coach=coach, last_name="Adams")
    people["ongoing"] = ParticipantFactory(unit=unit, coach=coach, last_name="Berg")
    PlacementFactory(
        participant=people["ongoing"],
        job_type=job_type("stockholmsvard"),
        start_date=D(2020, 9, 1),
    )
    people["awaiting"] = ParticipantFactory(unit=unit, coach=coach, last_name="Carlsson")
    ended = PlacementFactory(
        participant=people["awaiting"],
        start_date=D(2020, 1, 1),
        end_date=D(2020, 11, 30),
        end_reason="completed",
    )
    FollowUpFactory(placement=ended)  # due 2021-02-28: overdue on 2021-03-01
    people["followed_up"] = ParticipantFactory(unit=unit, coach=coach, last_name="Dahl")
    done = PlacementFactory(
        participant=people["followed_up"],
        start_date=D(2019, 6, 1),
        end_date=D(2020, 10, 30),
        end_reason="completed",
    )
    # Followed up within the follow-up window (since 2020-11-01): still an active case.
    FollowUpFactory(placement=done, performed_on=D(2021, 1, 20), outcome="studier")
    return people


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("ongoing", ["Berg"]),
        ("awaiting_followup", ["Carlsson"]),
        ("followed_up", ["Dahl"]),
        ("not_placed", ["Adams"]),
    ],
)
def test_status_filter(client, coach, caseload, status, expected):
    client.force_login(coach)
    assert names(client.get(URL, {"status": status})) == expected


def test_status_follows_the_latest_placement(client, coach, caseload):
    # A new placement after a followed-up one makes the person ongoing again.
    PlacementFactory(participant=caseload["followed_up"], start_date=D(2021, 1, 15))
    client.force_login(coach)
    assert names(client.get(URL, {"status": "ongoing"})) == ["Berg", "Dahl"]
    assert names(client.get(URL, {"status": "followed_up"})) == []


def test_an_ended_placement_whose_follow_up_is_not_opened_yet_is_awaiting(
    client, coach, unit, frozen_today
):
    # Ended last week, recorded today: the nightly task has not opened its follow-up.
    person = ParticipantFactory(unit=unit, coach=coach, last_name="Ek")
    PlacementFactory(participant=person, start_date=D(2020, 3, 1), end_date=D(2021, 2, 20))
    client.force_login(coach)
    assert names(client.get(URL, {"status": "awaiting_followup"})) == ["Ek"]
    assert names(client.get(URL, {"status": "followed_up"})) == []


def test_every_participant_has_exactly_one_status(client, coach, caseload):
    client.force_login(coach)
    shown = [
        name
        for status in ("ongoing", "awaiting_followup", "followed_up", "not_placed")
        for name in names(client.get(URL, {"status": status}))
    ]
    assert sorted(shown) == ["Adams", "Berg", "Carlsson", "Dahl"]
    statuses = {p.last_name: p.case_status for p in client.get(URL).context["page"]}
    assert statuses == {
        "Adams": "not_placed",
        "Berg": "ongoing",
        "Carlsson": "awaiting_followup",
        "Dahl": "followed_up",
    }


def test_job_type_filter_uses_the_latest_placement(client, coach, caseload):
    client.force_login(coach)
    stockholmsvard = job_type("stockholmsvard")
    assert names(client.get(URL, {"job_type": stockholmsvard.pk})) == ["Berg"]
    html = client.get(URL).content.decode()
    assert stockholmsvard.name in html


def test_coach_filter_on_the_whole_unit(client, coach, caseload, unit):
    colleague = CoachFactory(unit=unit)
    ParticipantFactory(unit=unit, coach=colleague, last_name="Eriksson")
    ParticipantFactory(unit=unit, coach=None, last_name="Falk")
    client.force_login(coach)
    assert names(client.get(URL, {"scope": "unit", "coach": colleague.pk})) == ["Eriksson"]
    assert names(client.get(URL, {"scope": "unit", "coach": "null"})) == ["Falk"]
    # A coach of another unit is not a choice: the filter is ignored, nothing leaks.
    stranger = CoachFactory(unit=UserFactory().unit)
    response = client.get(URL, {"scope": "unit", "coach": stranger.pk})
    assert response.context["filterset"].errors


def test_follow_up_due_filter(client, coach, caseload, unit, frozen_today):
    soon = ParticipantFactory(unit=unit, coach=coach, last_name="Gran")
    FollowUpFactory(
        placement=PlacementFactory(
            participant=soon, start_date=D(2020, 3, 1), end_date=D(2020, 12, 5)
        )
    )  # due 2021-03-05
    later = ParticipantFactory(unit=unit, coach=coach, last_name="Holm")
    FollowUpFactory(
        placement=PlacementFactory(
            participant=later, start_date=D(2020, 3, 1), end_date=D(2020, 12, 20)
        )
    )  # due 2021-03-20
    client.force_login(coach)
    assert names(client.get(URL, {"followup_due": "overdue"})) == ["Carlsson"]
    assert names(client.get(URL, {"followup_due": "7"})) == ["Gran"]
    assert names(client.get(URL, {"followup_due": "30"})) == ["Gran", "Holm"]


# --- Sorting and paging -----------------------------------------------------


def test_sorting_by_each_column_with_aria_sort_on_the_header(client, coach, caseload):
    client.force_login(coach)

    response = client.get(URL, {"sort": "-name"})
    assert names(response) == ["Dahl", "Carlsson", "Berg", "Adams"]
    html = response.content.decode()
    assert re.search(r'aria-sort="descending">\s*<a class="sort-link" href="\?sort=name"', html)

    # Placement start: the latest placement's start, people never placed last.
    assert names(client.get(URL, {"sort": "start"})) == ["Dahl", "Carlsson", "Berg", "Adams"]
    assert names(client.get(URL, {"sort": "-start"})) == ["Berg", "Carlsson", "Dahl", "Adams"]
    # Follow-up due: only Carlsson has an open one.
    assert names(client.get(URL, {"sort": "followup"}))[0] == "Carlsson"


def test_sorting_by_enrolment_date(client, coach, unit):
    ParticipantFactory(unit=unit, coach=coach, last_name="Late", enrolled_on=D(2021, 1, 1))
    ParticipantFactory(unit=unit, coach=coach, last_name="Early", enrolled_on=D(2019, 1, 1))
    client.force_login(coach)
    assert names(client.get(URL, {"sort": "enrolled"})) == ["Early", "Late"]
    assert names(client.get(URL, {"sort": "-enrolled"})) == ["Late", "Early"]


def test_an_unknown_sort_falls_back_to_the_name(client, coach, caseload):
    client.force_login(coach)
    assert names(client.get(URL, {"sort": "personnummer"})) == [
        "Adams",
        "Berg",
        "Carlsson",
        "Dahl",
    ]


def test_pages_hold_25_participants(client, coach, unit):
    ParticipantFactory.create_batch(30, unit=unit, coach=coach)
    client.force_login(coach)
    assert len(client.get(URL).context["page"]) == 25
    assert len(client.get(URL, {"page": 2}).context["page"]) == 5


def test_list_shows_masked_numbers_only(client, coach, caseload):
    client.force_login(coach)
    html = client.get(URL).content.decode()
    for person in caseload.values():
        assert person.masked_personnummer in html
        assert person.personnummer not in html


def _caseload_queries(client, coach, unit, rows: int) -> int:
    for index in range(rows):
        person = ParticipantFactory(unit=unit, coach=coach)
        ended = PlacementFactory(
            participant=person,
            start_date=D(2019, 1, 1),
            end_date=D(2019, 12, 31),
            end_reason="completed",
        )
        FollowUpFactory(placement=ended)
        if index % 2:
            PlacementFactory(participant=person, start_date=D(2020, 3, 1))
    client.force_login(coach)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"scope": "unit", "sort": "-followup"})
    assert response.status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_page(client, unit, frozen_today):
    few = _caseload_queries(client, CoachFactory(unit=unit), unit, 3)
    many = _caseload_queries(client, CoachFactory(unit=unit), unit, 30)
    assert few == many
    assert many <= 12


def test_admin_sees_every_unit_with_the_unit_column(client, participant, other_unit):
    elsewhere = ParticipantFactory(unit=other_unit)
    client.force_login(AdminFactory())
    response = client.get(URL)
    assert set(response.context["page"]) == {participant, elsewhere}
    assert other_unit.name in response.content.decode()


# --- Active cases by default --------------------------------------------------------------


@pytest.fixture
def past_cases(coach, unit, frozen_today):
    """A closed case, and a case followed up long ago (before the window began on 2020-11-01)."""
    closed = ParticipantFactory(
        unit=unit, coach=coach, last_name="Ekholm", closed_on=D(2021, 1, 10), closed_reason="arbete"
    )
    settled = ParticipantFactory(unit=unit, coach=coach, last_name="Frost")
    ended = PlacementFactory(participant=settled, start_date=D(2019, 6, 1), end_date=D(2020, 6, 30))
    FollowUpFactory(placement=ended, performed_on=D(2020, 9, 30), outcome="studier")
    return {"closed": closed, "settled": settled}


def test_the_caseload_opens_on_active_cases(client, coach, caseload, past_cases):
    client.force_login(coach)
    response = client.get(URL)
    assert names(response) == ["Adams", "Berg", "Carlsson", "Dahl"]
    assert response.context["filterset"].form["case"].value() == "active"


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("active", ["Adams", "Berg", "Carlsson", "Dahl"]),
        ("followed_up_long_ago", ["Frost"]),
        ("closed", ["Ekholm"]),
        ("all", ["Adams", "Berg", "Carlsson", "Dahl", "Ekholm", "Frost"]),
    ],
)
def test_the_case_filter(client, coach, caseload, past_cases, case, expected):
    client.force_login(coach)
    assert names(client.get(URL, {"case": case})) == expected


def test_an_unknown_case_choice_shows_active_cases_never_more(client, coach, caseload, past_cases):
    client.force_login(coach)
    response = client.get(URL, {"case": "everything"})
    assert names(response) == ["Adams", "Berg", "Carlsson", "Dahl"]
    assert response.context["filterset"].errors


def test_a_case_with_one_placement_still_open_is_not_followed_up_long_ago(
    client, coach, past_cases
):
    # An old placement followed up long ago, and a newer one ended without follow-up yet.
    PlacementFactory(
        participant=past_cases["settled"], start_date=D(2020, 8, 1), end_date=D(2020, 12, 31)
    )
    client.force_login(coach)
    assert names(client.get(URL, {"case": "followed_up_long_ago"})) == []
    assert "Frost" in names(client.get(URL))


def test_a_case_followed_up_within_the_window_is_active(client, coach, unit, frozen_today):
    recent = ParticipantFactory(unit=unit, coach=coach, last_name="Gran")
    ended = PlacementFactory(participant=recent, start_date=D(2019, 6, 1), end_date=D(2020, 6, 30))
    # Registered late, but within the window that began on 2020-11-01.
    FollowUpFactory(placement=ended, performed_on=D(2020, 11, 2), outcome="ej_nadd")
    client.force_login(coach)
    assert names(client.get(URL)) == ["Gran"]


def test_the_status_column_says_closed_and_followed_up_long_ago(
    client, coach, caseload, past_cases
):
    client.force_login(coach)
    response = client.get(URL, {"case": "all"}, HTTP_ACCEPT_LANGUAGE="en")
    states = {p.last_name: p.case_state for p in response.context["page"]}
    assert states == {
        "Adams": "active",
        "Berg": "active",
        "Carlsson": "active",
        "Dahl": "active",
        "Ekholm": "closed",
        "Frost": "followed_up_long_ago",
    }
    html = response.content.decode()
    assert "Case closed" in html
    assert "Followed up long ago" in html


def test_a_search_by_number_finds_a_closed_case(client, coach, past_cases):
    client.force_login(coach)
    response = client.post(URL, {"q": past_cases["closed"].personnummer}, follow=True)
    assert list(response.context["page"]) == [past_cases["closed"]]


def test_a_search_by_name_looks_in_every_case(client, coach, past_cases):
    client.force_login(coach)
    response = client.post(URL, {"q": "Frost"}, follow=True)
    assert list(response.context["page"]) == [past_cases["settled"]]
    # Asked for active cases only, the search finds nobody.
    url = response.redirect_chain[-1][0]
    assert list(client.get(f"{url}&case=active").context["page"]) == []


def test_the_case_filter_keeps_the_query_count_flat(client, unit, frozen_today):
    few = _caseload_queries(client, CoachFactory(unit=unit), unit, 3)
    coach = CoachFactory(unit=unit)
    many = _caseload_queries(client, coach, unit, 30)
    assert few == many
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"scope": "unit", "case": "all"})
    assert len(queries) == many
