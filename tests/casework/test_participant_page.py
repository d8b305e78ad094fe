"""The participant page: who may see and change it, what its timeline shows, how many queries."""

import datetime
import re

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import FollowUp
from participants.models import LearningGoal, Study, SupportActivity
from placements.models import Internship, WageSubsidyCase
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
HTMX = {"HX-Request": "true"}


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def case(participant, coach):
    """One record of each kind, so that every URL of the page has something to act on."""
    note = CaseNoteFactory(participant=participant, author=coach, text="Första mötet.")
    goal = LearningGoal.objects.create(
        participant=participant, description="Truckkort", target_industry="Lager"
    )
    ended = PlacementFactory(
        participant=participant,
        start_date=D(2019, 1, 1),
        planned_end_date=D(2019, 12, 31),
        end_date=D(2019, 12, 31),
        end_reason="completed",
    )
    FollowUpFactory(placement=ended)
    ongoing = PlacementFactory(participant=participant, start_date=D(2020, 2, 1))
    subsidy = WageSubsidyCase.objects.create(
        participant=participant, kind="lonebidrag", applied_on=D(2020, 1, 15)
    )
    return {"note": note, "goal": goal, "ended": ended, "ongoing": ongoing, "subsidy": subsidy}


def page_urls(participant, case) -> dict[str, str]:
    """Every URL of the participant page, by name."""

    def url(name: str, **kwargs) -> str:
        return reverse(f"participants:{name}", kwargs={"pk": participant.pk, **kwargs})

    return {
        "detail": url("detail"),
        "timeline": url("timeline"),
        "note_add": url("note_add"),
        "note_correct": url("note_correct", note_pk=case["note"].pk),
        "activity_add": url("activity_add"),
        "goal_add": url("goal_add"),
        "goal_update": url("goal_update", goal_pk=case["goal"].pk),
        "study_add": url("study_add"),
        "placement_add": url("placement_add"),
        "placement_extend": url("placement_extend", placement_pk=case["ongoing"].pk),
        "placement_end": url("placement_end", placement_pk=case["ongoing"].pk),
        "internship_add": url("internship_add"),
        "subsidy_add": url("subsidy_add"),
        "subsidy_decide": url("subsidy_decide", subsidy_pk=case["subsidy"].pk),
        "followup_register": url("followup_register", placement_pk=case["ended"].pk),
    }


READ_ONLY = {"detail", "timeline"}
URL_NAMES = [
    "detail",
    "timeline",
    "note_add",
    "note_correct",
    "activity_add",
    "goal_add",
    "goal_update",
    "study_add",
    "placement_add",
    "placement_extend",
    "placement_end",
    "internship_add",
    "subsidy_add",
    "subsidy_decide",
    "followup_register",
]
FORM_URL_NAMES = [name for name in URL_NAMES if name not in READ_ONLY]


# --- Who may do what, on every URL ------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_own_unit_coach_gets_every_url(client, coach, participant, case, name):
    client.force_login(coach)

    response = client.get(page_urls(participant, case)[name], headers=HTMX)

    assert response.status_code == 200


@pytest.mark.parametrize("name", FORM_URL_NAMES)
def test_own_unit_coach_may_post_to_every_form(client, coach, participant, case, name):
    client.force_login(coach)

    # Empty: refused by validation, but allowed to try (200 with the errors).
    response = client.post(page_urls(participant, case)[name], {}, headers=HTMX)

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


@pytest.mark.parametrize("name", URL_NAMES)
def test_another_units_coach_gets_404_on_every_url(client, other_coach, participant, case, name):
    client.force_login(other_coach)
    url = page_urls(participant, case)[name]

    assert client.get(url, headers=HTMX).status_code == 404
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name", FORM_URL_NAMES)
def test_another_units_coach_gets_404_on_every_post(client, other_coach, participant, case, name):
    client.force_login(other_coach)

    response = client.post(page_urls(participant, case)[name], {"text": "x"}, headers=HTMX)

    assert response.status_code == 404


@pytest.mark.parametrize("name", URL_NAMES)
def test_manager_reads_every_url_but_is_offered_no_form(client, manager, participant, case, name):
    client.force_login(manager)

    response = client.get(page_urls(participant, case)[name], headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "hx-post" not in html
    assert 'method="post" action="/participants/' not in html


@pytest.mark.parametrize("name", FORM_URL_NAMES)
def test_manager_post_is_forbidden_and_saves_nothing(client, manager, participant, case, name):
    client.force_login(manager)
    notes_before = participant.notes.count()

    response = client.post(
        page_urls(participant, case)[name],
        {"text": "Chefen skriver.", "kind": "lonebidrag", "applied_on": "2021-01-01"},
        headers=HTMX,
    )

    assert response.status_code == 403
    assert participant.notes.count() == notes_before
    assert WageSubsidyCase.objects.count() == 1


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_user_is_sent_to_the_login_page(client, participant, case, name):
    url = page_urls(participant, case)[name]

    for response in (client.get(url), client.post(url, {"text": "x"})):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_nested_records_of_another_participant_are_404(client, coach, participant, case, unit):
    other = ParticipantFactory(unit=unit, coach=coach)
    client.force_login(coach)

    for name in (
        "note_correct",
        "goal_update",
        "placement_end",
        "subsidy_decide",
        "followup_register",
    ):
        url = page_urls(participant, case)[name].replace(
            f"/participants/{participant.pk}/", f"/participants/{other.pk}/"
        )
        assert client.get(url, headers=HTMX).status_code == 404, name
        assert client.post(url, {}, headers=HTMX).status_code == 404, name


def test_programme_admin_may_use_the_page(client, participant, case):
    # A programme admin reads and edits every participant (participants_for_user).
    client.force_login(AdminFactory())

    html = client.get(page_urls(participant, case)["detail"]).content.decode()

    assert 'id="add-note-form"' in html


# --- What the page shows ------------------------------------------------------------------------


@time_machine.travel(datetime.datetime(2021, 3, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_summary_shows_masked_number_age_district_unit_coach_and_current_placement(
    client, coach, participant
):
    placement = PlacementFactory(
        participant=participant,
        start_date=D(2021, 1, 1),
        planned_end_date=D(2021, 12, 31),
        workplace=WorkplaceFactory(name="Biblioteket Tensta"),
    )
    client.force_login(coach)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    summary = re.search(r'<section class="card" id="participant-summary".*?</section>', html, re.S)
    text = summary.group(0)
    assert participant.masked_personnummer in text
    assert participant.personnummer not in html
    assert f"{relativedelta(D(2021, 3, 10), participant.birth_date).years} years" in text
    assert str(participant.district) in text
    assert str(participant.unit) in text
    assert coach.get_full_name() in text
    assert f'href="#placement-{placement.pk}"' in text
    assert "Biblioteket Tensta" in text


def test_page_has_breadcrumbs_back_to_the_caseload(client, coach, participant):
    client.force_login(coach)

    html = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()

    assert re.search(
        r'<ol class="breadcrumb">\s*<li class="breadcrumb-item"><a href="/participants/">', html
    )


def test_timeline_holds_every_kind_newest_first(client, coach, participant):
    activity = SupportActivity.objects.create(
        participant=participant, phase="before", kind="mapping", date=D(2019, 3, 1)
    )
    study = Study.objects.create(
        participant=participant, kind="sfi", start_date=D(2019, 6, 1), extent_percent=25
    )
    placement = PlacementFactory(
        participant=participant,
        start_date=D(2019, 9, 1),
        end_date=D(2020, 8, 31),
        end_reason="completed",
    )
    internship = Internship.objects.create(
        participant=participant, employer="Coop", start_date=D(2020, 3, 2), end_date=D(2020, 3, 13)
    )
    subsidy = WageSubsidyCase.objects.create(
        participant=participant, kind="lonebidrag", applied_on=D(2020, 10, 1)
    )
    FollowUp.objects.create(
        placement=placement,
        due_date=D(2020, 11, 30),
        outcome="studier",
        performed_on=D(2020, 12, 1),
    )
    note = CaseNoteFactory(participant=participant, author=coach)  # written today
    client.force_login(coach)

    html = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()

    anchors = re.findall(r'<article class="card[^"]*" id="([a-z]+-\d+)"', html)
    assert anchors == [
        f"note-{note.pk}",
        f"followup-{placement.pk}",
        f"subsidy-{subsidy.pk}",
        f"placement-{placement.pk}",  # at its end, 2020-08-31
        f"internship-{internship.pk}",
        f"study-{study.pk}",
        f"activity-{activity.pk}",
    ]


def test_timeline_filter_shows_one_kind(client, coach, participant, case):
    client.force_login(coach)

    html = client.get(
        reverse("participants:detail", args=[participant.pk]), {"show": "notes"}
    ).content.decode()

    anchors = re.findall(r'<article class="card[^"]*" id="([a-z]+)-\d+"', html)
    assert set(anchors) == {"note"}
    assert re.search(r'id="timeline-show-notes"[^>]*aria-current="true"', html)


def test_timeline_fragment_for_the_filter_chips(client, coach, participant, case):
    client.force_login(coach)
    url = reverse("participants:timeline", args=[participant.pk])

    fragment = client.get(url, {"show": "placements"}, headers=HTMX)
    plain = client.get(url, {"show": "placements"})

    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="timeline"')
    assert set(re.findall(r'<article class="card[^"]*" id="([a-z]+)-\d+"', html)) == {"placement"}
    assert plain.status_code == 302
    assert plain.url == f"/participants/{participant.pk}/?show=placements#timeline"


def test_corrected_note_is_marked_and_both_notes_link_to_each_other(client, coach, participant):
    original = CaseNoteFactory(participant=participant, author=coach, text="Fel datum.")
    correction = CaseNoteFactory(
        participant=participant, author=coach, text="Rätt datum.", corrects=original
    )
    client.force_login(coach)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    old = re.search(rf'id="note-{original.pk}".*?</article>', html, re.S).group(0)
    new = re.search(rf'id="note-{correction.pk}".*?</article>', html, re.S).group(0)
    assert "Fel datum." in old and "Corrected by" in old
    assert f'href="#note-{correction.pk}"' in old
    assert "Corrects the note of" in new
    assert f'href="#note-{original.pk}"' in new


def test_notes_offer_a_correction_but_no_edit_or_delete(client, coach, participant):
    note = CaseNoteFactory(participant=participant, author=coach)
    client.force_login(coach)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    block = re.search(rf'id="note-{note.pk}".*?</article>', html, re.S).group(0)
    assert f"/notes/{note.pk}/correction/" in block
    assert "Delete" not in block and "Edit" not in block


@time_machine.travel(datetime.datetime(2021, 3, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_follow_ups_show_as_due_overdue_or_done_with_an_anchor(client, coach, participant):
    overdue = PlacementFactory(
        participant=participant,
        start_date=D(2019, 1, 1),
        end_date=D(2019, 12, 31),
        end_reason="completed",
    )  # due 2020-03-31
    FollowUpFactory(placement=overdue)
    done = PlacementFactory(
        participant=participant,
        start_date=D(2020, 1, 1),
        end_date=D(2020, 6, 30),
        end_reason="work",
    )
    FollowUp.objects.create(
        placement=done,
        due_date=D(2020, 9, 30),
        outcome="arbete_osubventionerat",
        performed_on=D(2020, 10, 2),
        performed_by=coach,
    )
    due = PlacementFactory(
        participant=participant,
        start_date=D(2020, 7, 1),
        end_date=D(2021, 1, 31),
        end_reason="completed",
    )  # no follow-up row yet: due 2021-04-30 all the same
    client.force_login(coach)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    def block(placement) -> str:
        return re.search(rf'id="followup-{placement.pk}".*?</article>', html, re.S).group(0)

    assert "Overdue" in block(overdue) and "Due 2020-03-31" in block(overdue)
    assert "Done" in block(done) and "Work, unsubsidised" in block(done)
    assert "Due" in block(due) and "Due 2021-04-30" in block(due)
    # Open follow-ups have their registration form in place; a done one offers a change.
    assert f'id="register-followup-{overdue.pk}-form"' in block(overdue)
    assert f'id="register-followup-{due.pk}-form"' in block(due)
    assert "register-followup" not in block(done)
    assert f"/followups/{done.pk}/" in block(done)


def test_follow_up_list_link_lands_on_the_follow_up_block(client, coach, participant):
    placement = PlacementFactory(
        participant=participant, end_date=D(2021, 1, 31), end_reason="completed"
    )
    FollowUpFactory(placement=placement)
    client.force_login(coach)

    html = client.get(f"/participants/{participant.pk}/#followup-{placement.pk}").content.decode()

    assert html.count(f'id="followup-{placement.pk}"') == 1


def test_manager_sees_the_whole_case_but_no_form_or_action(client, manager, participant, case):
    client.force_login(manager)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    assert "Första mötet." in html
    assert f'id="placement-{case["ongoing"].pk}"' in html
    assert "<form" not in html.split('<main id="main"')[1].split("</main>")[0]
    assert "hx-get" in html  # the filter chips
    assert "/correction/" not in html and "/end/" not in html and "/decision/" not in html
    assert "You can read this participant's record but not change it." in html


def test_coach_page_labels_every_control(client, coach, participant, case):
    client.force_login(coach)

    html = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()

    assert unlabelled_controls(html) == []
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_page_and_fragments_carry_no_inline_script_or_style(client, coach, participant, case):
    client.force_login(coach)
    urls = page_urls(participant, case)

    pages = [client.get(urls["detail"]).content.decode()]
    pages += [client.get(urls[name], headers=HTMX).content.decode() for name in FORM_URL_NAMES]

    for html in pages:
        assert not re.search(r"<script\b(?![^>]*\bsrc=)[^>]*>", html)
        assert not re.search(r"\sstyle\s*=", html)
        assert not re.search(r"\son[a-z]+\s*=", html)


def test_a_form_fragment_can_be_cancelled(client, coach, participant, case):
    client.force_login(coach)
    url = page_urls(participant, case)["placement_end"]

    response = client.get(url, {"cancel": "1"}, headers=HTMX)

    assert response.status_code == 200
    assert response.content == b""


# --- A bounded number of queries -----------------------------------------------------------------


def fill_case(participant, coach, n: int) -> None:
    """n records of every kind, each with the related rows the timeline shows."""
    for i in range(n):
        start = D(1990 + i, 1, 1)
        placement = PlacementFactory(
            participant=participant,
            start_date=start,
            planned_end_date=D(1990 + i, 6, 30),
            end_date=D(1990 + i, 6, 30),
            end_reason="completed",
            workplace=WorkplaceFactory(),
        )
        FollowUp.objects.create(
            placement=placement,
            due_date=D(1990 + i, 9, 30),
            outcome="studier",
            performed_on=D(1990 + i, 10, 1),
            performed_by=coach,
        )
        note = CaseNoteFactory(participant=participant, author=coach)
        CaseNoteFactory(participant=participant, author=coach, corrects=note, text="Rättad.")
        SupportActivity.objects.create(
            participant=participant,
            placement=placement,
            phase="during",
            kind="coaching_talk",
            date=start,
            recorded_by=coach,
        )
        LearningGoal.objects.create(
            participant=participant, placement=placement, description="Mål", target_industry="Vård"
        )
        Study.objects.create(
            participant=participant,
            placement=placement,
            kind="sfi",
            start_date=start,
            extent_percent=20,
        )
        Internship.objects.create(
            participant=participant,
            placement=placement,
            employer="Coop",
            start_date=start,
            end_date=D(1990 + i, 1, 14),
        )
        WageSubsidyCase.objects.create(
            participant=participant,
            placement=placement,
            kind="lonebidrag",
            applied_on=start,
            decided_on=D(1990 + i, 2, 1),
            outcome="granted",
        )
    # An open follow-up too: its form is rendered in place.
    open_placement = PlacementFactory(
        participant=participant,
        start_date=D(2015, 1, 1),
        end_date=D(2015, 6, 30),
        end_reason="completed",
    )
    FollowUpFactory(placement=open_placement)


def count_queries(client, participant) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    return len(queries)


def test_page_query_count_does_not_grow_with_the_timeline(client, coach, unit):
    few = ParticipantFactory(unit=unit, coach=coach)
    many = ParticipantFactory(unit=unit, coach=coach)
    fill_case(few, coach, 2)
    fill_case(many, coach, 20)
    client.force_login(coach)
    count_queries(client, few)  # warm the session and the user's groups

    queries_for_few = count_queries(client, few)
    queries_for_many = count_queries(client, many)

    assert queries_for_few == queries_for_many
    # One query per kind of record shown, the history of changes and the closings included.
    assert queries_for_many <= 22


def test_refreshed_timeline_after_a_save_has_a_bounded_query_count(client, coach, unit):
    few = ParticipantFactory(unit=unit, coach=coach)
    many = ParticipantFactory(unit=unit, coach=coach)
    fill_case(few, coach, 2)
    fill_case(many, coach, 20)
    client.force_login(coach)

    def save_a_note(participant) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("participants:note_add", args=[participant.pk]),
                {"text": "Ny."},
                headers=HTMX,
            )
        assert response["HX-Retarget"] == "#timeline"
        return len(queries)

    save_a_note(few)
    assert save_a_note(few) == save_a_note(many)


@time_machine.travel(datetime.datetime(2021, 3, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_a_placement_that_has_not_started_shows_as_planned_not_ongoing(client, coach, participant):
    planned = PlacementFactory(
        participant=participant,
        start_date=D(2021, 4, 1),
        planned_end_date=D(2021, 12, 31),
        workplace=WorkplaceFactory(name="Biblioteket Tensta"),
    )
    client.force_login(coach)

    html = (
        english(client).get(reverse("participants:detail", args=[participant.pk])).content.decode()
    )

    card = re.search(rf'<article[^>]*id="placement-{planned.pk}".*?</article>', html, re.S)
    assert "Planned" in card.group(0)
    assert "Ongoing" not in card.group(0)
    summary = re.search(r'<section class="card" id="participant-summary".*?</section>', html, re.S)
    assert "Biblioteket Tensta" not in summary.group(0)
