"""The participant page's forms: each saves through its service, by htmx or a plain POST,
shows errors next to the field, and refuses to overwrite a record someone else changed."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from followup.models import FollowUp
from participants.models import CaseNote, LearningGoal, Study, SupportActivity
from placements.models import Internship, Placement, WageSubsidyCase
from tests.factories import (
    CaseNoteFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
HTMX = {"HX-Request": "true"}


@pytest.fixture
def person(unit, coach):
    # Born 1990-06-15: 29 on 2020-01-01, 30 from 2020-06-15.
    return ParticipantFactory(
        unit=unit, coach=coach, birth_date=D(1990, 6, 15), personnummer="199006150005"
    )


@pytest.fixture
def as_coach(client, coach):
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def colleague_client(unit):
    """A second coach of the same unit, in a browser of their own."""
    other = Client()
    other.force_login(CoachFactory(username="colleague", unit=unit))
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return other


def url(name: str, participant, **kwargs) -> str:
    return reverse(f"participants:{name}", kwargs={"pk": participant.pk, **kwargs})


def field_error(html: str, field_id: str) -> str:
    """The error shown under a field, or "" when the field is not marked invalid."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', html)
    assert control, f"no control {field_id}"
    if "is-invalid" not in control.group(0) or 'aria-invalid="true"' not in control.group(0):
        return ""
    feedback = re.search(
        rf'<div class="invalid-feedback d-block" id="{field_id}_error">(.*?)</div>', html, re.S
    )
    return feedback.group(1).strip() if feedback else ""


def loaded_at(html: str) -> str:
    """The version a form carries (empty when the record did not exist yet)."""
    return re.search(r'name="loaded_at"(?: value="([^"]*)")?', html).group(1) or ""


def saved_by_htmx(response) -> str:
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#timeline"
    return response.content.decode()


# --- Case notes -------------------------------------------------------------------------


def test_note_saved_by_htmx_shows_in_the_refreshed_timeline_with_an_empty_form(
    as_coach, person, coach
):
    response = as_coach.post(url("note_add", person), {"text": "Första mötet."}, headers=HTMX)

    html = saved_by_htmx(response)
    note = CaseNote.objects.get()
    assert (note.participant, note.author, note.text) == (person, coach, "Första mötet.")
    assert f'id="note-{note.pk}"' in html
    assert 'id="case-form" hx-swap-oob="innerHTML"' in html
    assert re.search(r'<textarea[^>]*id="add-note-text"[^>]*>\s*</textarea>', html)
    assert "The note is saved." in html


def test_note_saved_by_a_plain_post_redirects_back_to_the_page(as_coach, person):
    response = as_coach.post(url("note_add", person), {"text": "Utan JavaScript."})

    note = CaseNote.objects.get()
    assert response.status_code == 302
    assert response.url == f"/participants/{person.pk}/#note-{note.pk}"
    page = as_coach.get(response.url).content.decode()
    assert "Utan JavaScript." in page
    assert "The note is saved." in page


def test_empty_note_is_refused_next_to_the_field(as_coach, person):
    response = as_coach.post(url("note_add", person), {"text": "   "}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "HX-Retarget" not in response
    assert field_error(html, "add-note-text") == "Write the note before saving."
    assert not CaseNote.objects.exists()


def test_a_form_without_javascript_is_a_page_of_its_own(as_coach, person):
    response = as_coach.get(url("study_add", person))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html and "New study" in html
    assert f'action="{url("study_add", person)}"' in html
    assert unlabelled_controls(html) == []


def test_plain_post_with_errors_shows_the_form_page_with_the_errors(as_coach, person):
    response = as_coach.post(url("note_add", person), {"text": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in html
    assert field_error(html, "add-note-text") == "Write the note before saving."


def test_correction_is_a_new_note_and_the_old_one_is_kept(as_coach, person, coach):
    original = CaseNoteFactory(participant=person, author=coach, text="Träff 3 maj.")

    form = as_coach.get(url("note_correct", person, note_pk=original.pk), headers=HTMX)
    response = as_coach.post(
        url("note_correct", person, note_pk=original.pk), {"text": "Träff 4 maj."}, headers=HTMX
    )

    assert "Träff 3 maj." in form.content.decode()  # the form starts from the old wording
    html = saved_by_htmx(response)
    original.refresh_from_db()
    correction = CaseNote.objects.exclude(pk=original.pk).get()
    assert original.text == "Träff 3 maj."
    assert correction.corrects == original
    assert f'href="#note-{original.pk}"' in html  # the correction points at the old note
    assert f'href="#note-{correction.pk}"' in html  # the old note points at its correction
    assert "Corrects the note of" in html
    assert "Corrected by" in html


def test_correction_by_a_plain_post_redirects_to_the_new_note(as_coach, person, coach):
    original = CaseNoteFactory(participant=person, author=coach, text="Träff 3 maj.")

    response = as_coach.post(
        url("note_correct", person, note_pk=original.pk), {"text": "Träff 4 maj."}
    )

    correction = CaseNote.objects.get(corrects=original)
    assert response.url == f"/participants/{person.pk}/#note-{correction.pk}"


def test_correction_with_unchanged_text_is_refused(as_coach, person, coach):
    original = CaseNoteFactory(participant=person, author=coach, text="Samma.")

    response = as_coach.post(
        url("note_correct", person, note_pk=original.pk), {"text": "Samma."}, headers=HTMX
    )

    assert "Change the text" in field_error(
        response.content.decode(), f"correct-{original.pk}-text"
    )
    assert CaseNote.objects.count() == 1


def test_a_note_of_another_participant_cannot_be_corrected_from_this_page(as_coach, person, unit):
    elsewhere = CaseNoteFactory(participant=ParticipantFactory(unit=unit))

    response = as_coach.post(
        url("note_correct", person, note_pk=elsewhere.pk), {"text": "Nej."}, headers=HTMX
    )

    assert response.status_code == 404
    assert CaseNote.objects.count() == 1


def test_notes_have_no_edit_or_delete_route(person):
    for name in ("note_edit", "note_delete", "note_update"):
        with pytest.raises(NoReverseMatch):
            reverse(f"participants:{name}", kwargs={"pk": person.pk, "note_pk": 1})


# --- Support activities, learning goals, studies ----------------------------------------


def test_support_activity_saved_and_shown(as_coach, person, coach):
    response = as_coach.post(
        url("activity_add", person),
        {"kind": "mapping", "phase": "before", "date": "2021-03-01", "note": "Kartläggning."},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    activity = SupportActivity.objects.get()
    assert (activity.kind, activity.phase, activity.recorded_by) == ("mapping", "before", coach)
    assert f'id="activity-{activity.pk}"' in html
    assert "Mapping" in html


def test_support_activity_plain_post(as_coach, person):
    response = as_coach.post(
        url("activity_add", person),
        {"kind": "job_search", "phase": "after", "date": "2021-03-01"},
    )

    activity = SupportActivity.objects.get()
    assert response.url.endswith(f"#activity-{activity.pk}")


def test_support_activity_without_a_kind_is_refused(as_coach, person):
    response = as_coach.post(
        url("activity_add", person), {"phase": "before", "date": "2021-03-01"}, headers=HTMX
    )

    assert field_error(response.content.decode(), "add-activity-kind")
    assert not SupportActivity.objects.exists()


def test_support_activity_cannot_point_at_another_participants_placement(as_coach, person, unit):
    foreign = PlacementFactory(participant=ParticipantFactory(unit=unit))

    response = as_coach.post(
        url("activity_add", person),
        {"kind": "mapping", "phase": "during", "date": "2021-03-01", "placement": foreign.pk},
        headers=HTMX,
    )

    assert field_error(response.content.decode(), "add-activity-placement")
    assert not SupportActivity.objects.exists()


def test_learning_goal_saved_and_shown(as_coach, person):
    response = as_coach.post(
        url("goal_add", person),
        {"description": "Truckkort", "target_industry": "Lager", "target_date": "2021-06-30"},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    goal = LearningGoal.objects.get()
    assert (goal.target_industry, goal.status) == ("Lager", "planned")
    assert f'id="goal-{goal.pk}"' in html


def test_learning_goal_plain_post(as_coach, person):
    response = as_coach.post(
        url("goal_add", person), {"description": "Svenska B1", "target_industry": "Vård"}
    )

    assert response.status_code == 302
    assert LearningGoal.objects.get().description == "Svenska B1"


def test_learning_goal_without_industry_is_refused(as_coach, person):
    response = as_coach.post(url("goal_add", person), {"description": "Truckkort"}, headers=HTMX)

    html = response.content.decode()
    assert field_error(html, "add-goal-target_industry") == "Name the industry the goal leads to."
    assert not LearningGoal.objects.exists()


@pytest.fixture
def goal(person):
    return LearningGoal.objects.create(
        participant=person, description="Truckkort", target_industry="Lager"
    )


def test_learning_goal_review_updates_status_and_dates(as_coach, person, goal):
    form = as_coach.get(url("goal_update", person, goal_pk=goal.pk), headers=HTMX).content.decode()

    response = as_coach.post(
        url("goal_update", person, goal_pk=goal.pk),
        {
            "status": "in_progress",
            "reviewed_on": "2021-04-01",
            "next_review_on": "2021-05-01",
            "target_date": "",
            "loaded_at": loaded_at(form),
        },
        headers=HTMX,
    )

    saved_by_htmx(response)
    goal.refresh_from_db()
    assert (goal.status, goal.reviewed_on, goal.next_review_on) == (
        "in_progress",
        D(2021, 4, 1),
        D(2021, 5, 1),
    )


def test_learning_goal_review_plain_post(as_coach, person, goal):
    form = as_coach.get(url("goal_update", person, goal_pk=goal.pk)).content.decode()

    response = as_coach.post(
        url("goal_update", person, goal_pk=goal.pk),
        {"status": "reached", "reviewed_on": "2021-04-01", "loaded_at": loaded_at(form)},
    )

    assert response.url.endswith(f"#goal-{goal.pk}")
    goal.refresh_from_db()
    assert goal.status == "reached"


def test_learning_goal_review_with_next_review_before_the_last_is_refused(as_coach, person, goal):
    form = as_coach.get(url("goal_update", person, goal_pk=goal.pk), headers=HTMX).content.decode()

    response = as_coach.post(
        url("goal_update", person, goal_pk=goal.pk),
        {
            "status": "in_progress",
            "reviewed_on": "2021-04-01",
            "next_review_on": "2021-03-01",
            "loaded_at": loaded_at(form),
        },
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"review-goal-{goal.pk}-next_review_on")
    assert error == "The next review cannot be before the last review."
    goal.refresh_from_db()
    assert goal.status == "planned"


def test_study_saved_and_shown(as_coach, person):
    response = as_coach.post(
        url("study_add", person),
        {"kind": "sfi", "start_date": "2021-01-10", "extent_percent": "25", "provider": "Komvux"},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    study = Study.objects.get()
    assert study.extent_percent == 25
    assert f'id="study-{study.pk}"' in html


def test_study_plain_post(as_coach, person):
    response = as_coach.post(
        url("study_add", person),
        {"kind": "yrkesutbildning", "start_date": "2021-01-10", "extent_percent": "50"},
    )

    assert response.status_code == 302
    assert Study.objects.get().extent_percent == 50


def test_study_over_half_of_working_time_is_refused_next_to_the_extent(as_coach, person):
    response = as_coach.post(
        url("study_add", person),
        {"kind": "sfi", "start_date": "2021-01-10", "extent_percent": "60"},
        headers=HTMX,
    )

    error = field_error(response.content.decode(), "add-study-extent_percent")
    assert error == "Studies take at most 50 percent of working time; enter 50 or less."
    assert not Study.objects.exists()


def test_study_ending_before_it_starts_is_refused_next_to_the_end(as_coach, person):
    response = as_coach.post(
        url("study_add", person),
        {
            "kind": "sfi",
            "start_date": "2021-01-10",
            "end_date": "2021-01-01",
            "extent_percent": "20",
        },
        headers=HTMX,
    )

    error = field_error(response.content.decode(), "add-study-end_date")
    assert error == "The end date cannot be before the start date."
    assert not Study.objects.exists()


# --- Placements ----------------------------------------------------------------------------


def placement_data(**overrides) -> dict:
    data = {
        "job_type": job_type("basanstallning").pk,
        "workplace": WorkplaceFactory().pk,
        "funding": "sdf",
        "start_date": "2020-01-01",
        "planned_end_date": "2020-12-31",
    }
    data.update(overrides)
    return data


def test_placement_saved_by_htmx_shows_in_timeline_and_summary(as_coach, person):
    response = as_coach.post(url("placement_add", person), placement_data(), headers=HTMX)

    html = saved_by_htmx(response)
    placement = Placement.objects.get()
    assert placement.participant == person
    assert f'id="placement-{placement.pk}"' in html
    assert 'id="participant-summary" aria-labelledby="summary-heading" hx-swap-oob="true"' in html


def test_placement_plain_post(as_coach, person):
    response = as_coach.post(url("placement_add", person), placement_data())

    placement = Placement.objects.get()
    assert response.url.endswith(f"#placement-{placement.pk}")


def test_placement_outside_the_age_range_needs_confirmation(as_coach, person):
    data = placement_data(
        job_type=job_type("ungdomsanstallning").pk,  # 16–29; they are 30 on 2020-07-01
        start_date="2020-07-01",
        planned_end_date="2020-12-31",
    )

    first = as_coach.post(url("placement_add", person), data, headers=HTMX)

    html = first.content.decode()
    assert "HX-Retarget" not in first
    assert "The participant is 30 at the start; Ungdomsanställning is for ages 16–29." in html
    assert "Confirm and save" in html
    assert not Placement.objects.exists()

    digest = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
    second = as_coach.post(url("placement_add", person), {**data, "confirm": digest}, headers=HTMX)

    saved_by_htmx(second)
    assert Placement.objects.get().job_type.code == "ungdomsanstallning"


def test_placement_confirmation_of_other_warnings_does_not_count(as_coach, person):
    data = placement_data(job_type=job_type("ungdomsanstallning").pk, start_date="2020-07-01")
    html = as_coach.post(url("placement_add", person), data, headers=HTMX).content.decode()
    digest = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)

    # The coach changes the planned end: now the length is outside the range as well.
    changed = {**data, "planned_end_date": "2022-12-31", "confirm": digest}
    response = as_coach.post(url("placement_add", person), changed, headers=HTMX)

    html = response.content.decode()
    assert "The planned length is 30 months" in html
    assert "Confirm and save" in html
    assert not Placement.objects.exists()


def test_placement_confirmation_also_works_without_javascript(as_coach, person):
    data = placement_data(planned_end_date="2021-12-31")  # 24 months; Basanställning runs 12
    html = as_coach.post(url("placement_add", person), data).content.decode()
    digest = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)

    response = as_coach.post(url("placement_add", person), {**data, "confirm": digest})

    assert response.status_code == 302
    assert Placement.objects.count() == 1


def test_overlapping_placement_is_refused_next_to_the_start_date(as_coach, person):
    PlacementFactory(participant=person, start_date=D(2020, 1, 1), planned_end_date=D(2020, 12, 31))

    response = as_coach.post(
        url("placement_add", person),
        placement_data(start_date="2020-06-01", planned_end_date="2021-05-31"),
        headers=HTMX,
    )

    error = field_error(response.content.decode(), "add-placement-start_date")
    assert error == "The participant already has a placement in this period."
    assert Placement.objects.count() == 1


def test_placement_without_a_workplace_is_refused(as_coach, person):
    response = as_coach.post(
        url("placement_add", person), placement_data(workplace=""), headers=HTMX
    )

    assert field_error(response.content.decode(), "add-placement-workplace")
    assert not Placement.objects.exists()


@pytest.fixture
def ongoing(person):
    return PlacementFactory(
        participant=person,
        job_type=job_type("stockholmsvard"),
        start_date=D(2020, 1, 1),
        planned_end_date=D(2020, 10, 31),
    )


def test_placement_end_opens_the_follow_up(as_coach, person, ongoing):
    form = as_coach.get(url("placement_end", person, placement_pk=ongoing.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_end", person, placement_pk=ongoing.pk),
        {
            "end_date": "2020-10-31",
            "end_reason": "completed",
            "loaded_at": loaded_at(form.content.decode()),
        },
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    ongoing.refresh_from_db()
    assert (ongoing.end_date, ongoing.end_reason) == (D(2020, 10, 31), "completed")
    assert FollowUp.objects.get(placement=ongoing).due_date == D(2021, 1, 31)
    assert f'id="followup-{ongoing.pk}"' in html
    assert "its three-month follow-up is due 2021-01-31" in html


def test_placement_end_plain_post_goes_to_the_follow_up(as_coach, person, ongoing):
    form = as_coach.get(url("placement_end", person, placement_pk=ongoing.pk)).content.decode()

    response = as_coach.post(
        url("placement_end", person, placement_pk=ongoing.pk),
        {"end_date": "2020-10-31", "end_reason": "work", "loaded_at": loaded_at(form)},
    )

    assert response.url.endswith(f"#followup-{ongoing.pk}")


def test_placement_end_without_a_reason_is_refused(as_coach, person, ongoing):
    form = as_coach.get(url("placement_end", person, placement_pk=ongoing.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_end", person, placement_pk=ongoing.pk),
        {"end_date": "2020-10-31", "end_reason": "", "loaded_at": loaded_at(form.content.decode())},
        headers=HTMX,
    )

    html = response.content.decode()
    assert (
        field_error(html, f"end-placement-{ongoing.pk}-end_reason")
        == "Say why the placement ended."
    )
    ongoing.refresh_from_db()
    assert ongoing.end_date is None


def test_placement_end_before_start_is_refused_next_to_the_end_date(as_coach, person, ongoing):
    form = as_coach.get(url("placement_end", person, placement_pk=ongoing.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_end", person, placement_pk=ongoing.pk),
        {
            "end_date": "2019-12-01",
            "end_reason": "other",
            "loaded_at": loaded_at(form.content.decode()),
        },
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"end-placement-{ongoing.pk}-end_date")
    assert error == "The end date cannot be before the start date (2020-01-01)."


def test_placement_end_that_would_overlap_the_next_placement_is_refused(as_coach, person):
    first = PlacementFactory(
        participant=person,
        start_date=D(2019, 1, 1),
        end_date=D(2019, 12, 31),
        end_reason="completed",
    )
    PlacementFactory(participant=person, start_date=D(2020, 2, 1))
    form = as_coach.get(url("placement_end", person, placement_pk=first.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_end", person, placement_pk=first.pk),
        {
            "end_date": "2020-03-01",
            "end_reason": "completed",
            "loaded_at": loaded_at(form.content.decode()),
        },
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"end-placement-{first.pk}-end_date")
    assert error == "The participant already has a placement in this period."
    first.refresh_from_db()
    assert first.end_date == D(2019, 12, 31)


def test_placement_extension_of_an_extendable_job_type(as_coach, person, ongoing):
    form = as_coach.get(url("placement_extend", person, placement_pk=ongoing.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_extend", person, placement_pk=ongoing.pk),
        {
            "planned_end_date": "2021-04-30",
            "extended_on": "2020-09-15",
            "loaded_at": loaded_at(form.content.decode()),
        },
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    ongoing.refresh_from_db()
    assert (ongoing.planned_end_date, ongoing.extended_on) == (D(2021, 4, 30), D(2020, 9, 15))
    assert "extended on 2020-09-15" in html


def test_placement_extension_plain_post(as_coach, person, ongoing):
    form = as_coach.get(url("placement_extend", person, placement_pk=ongoing.pk)).content.decode()

    response = as_coach.post(
        url("placement_extend", person, placement_pk=ongoing.pk),
        {
            "planned_end_date": "2021-04-30",
            "extended_on": "2020-09-15",
            "loaded_at": loaded_at(form),
        },
    )

    assert response.url.endswith(f"#placement-{ongoing.pk}")


def test_placement_extension_past_a_fixed_length_needs_confirmation(as_coach, person):
    placement = PlacementFactory(
        participant=person, start_date=D(2020, 1, 1), planned_end_date=D(2020, 12, 31)
    )  # Basanställning: 12 months, not extendable
    extend = url("placement_extend", person, placement_pk=placement.pk)
    data = {
        "planned_end_date": "2021-03-31",
        "extended_on": "2020-12-01",
        "loaded_at": loaded_at(as_coach.get(extend, headers=HTMX).content.decode()),
    }

    first = as_coach.post(extend, data, headers=HTMX).content.decode()
    digest = re.search(r'name="confirm" value="([0-9a-f]+)"', first).group(1)
    placement.refresh_from_db()
    assert "The planned length is 15 months; Basanställning runs 12–12 months." in first
    assert placement.planned_end_date == D(2020, 12, 31)

    saved_by_htmx(as_coach.post(extend, {**data, "confirm": digest}, headers=HTMX))
    placement.refresh_from_db()
    assert placement.planned_end_date == D(2021, 3, 31)


def test_placement_extension_to_an_earlier_date_is_refused(as_coach, person, ongoing):
    form = as_coach.get(url("placement_extend", person, placement_pk=ongoing.pk), headers=HTMX)

    response = as_coach.post(
        url("placement_extend", person, placement_pk=ongoing.pk),
        {
            "planned_end_date": "2020-09-30",
            "extended_on": "2020-09-15",
            "loaded_at": loaded_at(form.content.decode()),
        },
        headers=HTMX,
    )

    error = field_error(
        response.content.decode(), f"extend-placement-{ongoing.pk}-planned_end_date"
    )
    assert error == "The new planned end must be after the current one (2020-10-31)."


# --- Internships and wage subsidies --------------------------------------------------------


def test_internship_saved_and_shown(as_coach, person):
    response = as_coach.post(
        url("internship_add", person),
        {"employer": "ICA Kvantum", "start_date": "2021-02-01", "end_date": "2021-02-28"},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    internship = Internship.objects.get()
    assert f'id="internship-{internship.pk}"' in html
    assert "ICA Kvantum" in html


def test_internship_plain_post(as_coach, person):
    response = as_coach.post(
        url("internship_add", person),
        {"employer": "Coop", "start_date": "2021-02-01", "end_date": "2021-02-05"},
    )

    assert response.status_code == 302
    assert Internship.objects.get().employer == "Coop"


def test_internship_over_four_weeks_is_refused_next_to_the_end_date(as_coach, person):
    response = as_coach.post(
        url("internship_add", person),
        {"employer": "Coop", "start_date": "2021-02-01", "end_date": "2021-03-01"},
        headers=HTMX,
    )

    error = field_error(response.content.decode(), "add-internship-end_date")
    assert error == (
        "An internship lasts at most four weeks (28 days): "
        "the last day can be 2021-02-28 at the latest."
    )
    assert not Internship.objects.exists()


def test_wage_subsidy_application_saved_and_shown_as_waiting(as_coach, person):
    response = as_coach.post(
        url("subsidy_add", person),
        {"kind": "lonebidrag", "employer": "Bageriet AB", "applied_on": "2021-02-01"},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    case = WageSubsidyCase.objects.get()
    assert case.outcome == "pending"
    assert f'id="subsidy-{case.pk}"' in html
    assert "waiting for" in html


def test_wage_subsidy_plain_post(as_coach, person):
    response = as_coach.post(
        url("subsidy_add", person), {"kind": "nystartsjobb", "applied_on": "2021-02-01"}
    )

    case = WageSubsidyCase.objects.get()
    assert response.url.endswith(f"#subsidy-{case.pk}")


def test_wage_subsidy_without_application_date_is_refused(as_coach, person):
    response = as_coach.post(url("subsidy_add", person), {"kind": "lonebidrag"}, headers=HTMX)

    assert field_error(response.content.decode(), "add-subsidy-applied_on")
    assert not WageSubsidyCase.objects.exists()


@pytest.fixture
def application(person):
    return WageSubsidyCase.objects.create(
        participant=person, kind="lonebidrag", applied_on=D(2021, 2, 1)
    )


def test_wage_subsidy_decision_shows_the_processing_time(as_coach, person, application):
    decide = url("subsidy_decide", person, subsidy_pk=application.pk)
    form = as_coach.get(decide, headers=HTMX).content.decode()

    response = as_coach.post(
        decide,
        {"outcome": "granted", "decided_on": "2021-03-03", "loaded_at": loaded_at(form)},
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    application.refresh_from_db()
    assert (application.outcome, application.processing_days) == ("granted", 30)
    assert "processed in 30 days" in html


def test_wage_subsidy_decision_plain_post(as_coach, person, application):
    decide = url("subsidy_decide", person, subsidy_pk=application.pk)
    form = as_coach.get(decide).content.decode()

    response = as_coach.post(
        decide, {"outcome": "withdrawn", "decided_on": "", "loaded_at": loaded_at(form)}
    )

    assert response.url.endswith(f"#subsidy-{application.pk}")
    application.refresh_from_db()
    assert application.outcome == "withdrawn"


def test_granted_without_a_decision_date_is_refused_next_to_the_date(as_coach, person, application):
    decide = url("subsidy_decide", person, subsidy_pk=application.pk)
    form = as_coach.get(decide, headers=HTMX).content.decode()

    response = as_coach.post(
        decide, {"outcome": "granted", "decided_on": "", "loaded_at": loaded_at(form)}, headers=HTMX
    )

    error = field_error(response.content.decode(), f"decide-subsidy-{application.pk}-decided_on")
    assert error == "Enter the date of the decision."
    application.refresh_from_db()
    assert application.outcome == "pending"


# --- The three-month follow-up -----------------------------------------------------------


@pytest.fixture
def ended(person):
    placement = PlacementFactory(
        participant=person, end_date=D(2020, 11, 30), end_reason="completed"
    )
    FollowUpFactory(placement=placement)
    return placement


def test_follow_up_registered_in_place(as_coach, person, ended, coach):
    page = as_coach.get(url("detail", person)).content.decode()

    response = as_coach.post(
        url("followup_register", person, placement_pk=ended.pk),
        {
            "outcome": "arbete_osubventionerat",
            "performed_on": "2021-03-01",
            "employer_or_school": "Bageriet AB",
            "loaded_at": loaded_at(page),
        },
        headers=HTMX,
    )

    html = saved_by_htmx(response)
    followup = FollowUp.objects.get(placement=ended)
    assert (followup.outcome, followup.performed_by) == ("arbete_osubventionerat", coach)
    block = re.search(rf'id="followup-{ended.pk}".*?</article>', html, re.S).group(0)
    assert "Done" in block
    assert "Bageriet AB" in block


def test_follow_up_plain_post(as_coach, person, ended):
    page = as_coach.get(url("detail", person)).content.decode()

    response = as_coach.post(
        url("followup_register", person, placement_pk=ended.pk),
        {"outcome": "studier", "performed_on": "2021-03-01", "loaded_at": loaded_at(page)},
    )

    assert response.url == f"/participants/{person.pk}/#followup-{ended.pk}"
    assert FollowUp.objects.get(placement=ended).outcome == "studier"


def test_follow_up_without_outcome_is_refused_next_to_the_outcome(as_coach, person, ended):
    response = as_coach.post(
        url("followup_register", person, placement_pk=ended.pk),
        {"outcome": "", "performed_on": "2021-03-01"},
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"register-followup-{ended.pk}-outcome")
    assert error == "Choose what the participant does now."
    assert not FollowUp.objects.get(placement=ended).is_done


def test_follow_up_before_the_end_is_refused_next_to_the_date(as_coach, person, ended):
    response = as_coach.post(
        url("followup_register", person, placement_pk=ended.pk),
        {"outcome": "studier", "performed_on": "2020-11-01"},
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"register-followup-{ended.pk}-performed_on")
    assert error == "The follow-up cannot be before the placement ended (2020-11-30)."


def test_outcome_on_a_placement_that_has_not_ended_is_refused(as_coach, person, ongoing):
    response = as_coach.post(
        url("followup_register", person, placement_pk=ongoing.pk),
        {"outcome": "studier", "performed_on": "2021-03-01"},
        headers=HTMX,
    )

    error = field_error(response.content.decode(), f"register-followup-{ongoing.pk}-outcome")
    assert error == "The placement has not ended; there is nothing to follow up yet."
    assert not FollowUp.objects.exists()


# --- Two coaches saving the same record -----------------------------------------------------


def test_goal_review_from_an_old_version_is_refused_and_shows_the_current_one(
    as_coach, colleague_client, person, goal
):
    review = url("goal_update", person, goal_pk=goal.pk)
    mine = loaded_at(as_coach.get(review, headers=HTMX).content.decode())
    theirs = loaded_at(colleague_client.get(review, headers=HTMX).content.decode())
    saved_by_htmx(
        colleague_client.post(
            review,
            {"status": "reached", "reviewed_on": "2021-04-01", "loaded_at": theirs},
            headers=HTMX,
        )
    )

    response = as_coach.post(
        review,
        {"status": "not_reached", "reviewed_on": "2021-04-02", "loaded_at": mine},
        headers=HTMX,
    )

    html = response.content.decode()
    assert "HX-Retarget" not in response
    assert "Someone else changed this since you opened it; here is the current version." in html
    assert re.search(r'<option value="reached" selected>', html)  # the current version
    assert "Not achieved" in html  # what they tried to save, listed apart
    goal.refresh_from_db()
    assert goal.status == "reached"
    assert loaded_at(html) == goal.updated_at.isoformat(timespec="microseconds")


def test_saving_again_from_the_current_version_after_a_conflict_works(as_coach, person, goal):
    review = url("goal_update", person, goal_pk=goal.pk)
    stale = loaded_at(as_coach.get(review, headers=HTMX).content.decode())
    LearningGoal.objects.filter(pk=goal.pk).update(
        status="in_progress", updated_at=goal.updated_at + datetime.timedelta(seconds=1)
    )
    conflict = as_coach.post(
        review, {"status": "reached", "reviewed_on": "2021-04-01", "loaded_at": stale}, headers=HTMX
    ).content.decode()

    response = as_coach.post(
        review,
        {"status": "reached", "reviewed_on": "2021-04-01", "loaded_at": loaded_at(conflict)},
        headers=HTMX,
    )

    saved_by_htmx(response)
    goal.refresh_from_db()
    assert goal.status == "reached"


def test_placement_end_from_an_old_version_is_refused(as_coach, colleague_client, person, ongoing):
    end = url("placement_end", person, placement_pk=ongoing.pk)
    mine = loaded_at(as_coach.get(end, headers=HTMX).content.decode())
    extend = url("placement_extend", person, placement_pk=ongoing.pk)
    theirs = loaded_at(colleague_client.get(extend, headers=HTMX).content.decode())
    saved_by_htmx(
        colleague_client.post(
            extend,
            {"planned_end_date": "2021-04-30", "extended_on": "2020-09-01", "loaded_at": theirs},
            headers=HTMX,
        )
    )

    response = as_coach.post(
        end, {"end_date": "2020-10-31", "end_reason": "completed", "loaded_at": mine}, headers=HTMX
    )

    html = response.content.decode()
    assert "Someone else changed this since you opened it" in html
    ongoing.refresh_from_db()
    assert ongoing.end_date is None
    assert ongoing.planned_end_date == D(2021, 4, 30)
    assert not FollowUp.objects.exists()


def test_placement_extension_from_an_old_version_is_refused(
    as_coach, colleague_client, person, ongoing
):
    extend = url("placement_extend", person, placement_pk=ongoing.pk)
    mine = loaded_at(as_coach.get(extend, headers=HTMX).content.decode())
    theirs = loaded_at(colleague_client.get(extend, headers=HTMX).content.decode())
    data = {"planned_end_date": "2021-04-30", "extended_on": "2020-09-01"}
    saved_by_htmx(colleague_client.post(extend, {**data, "loaded_at": theirs}, headers=HTMX))

    response = as_coach.post(
        extend, {**data, "planned_end_date": "2021-06-30", "loaded_at": mine}, headers=HTMX
    )

    html = response.content.decode()
    assert "Someone else changed this since you opened it" in html
    assert 'value="2021-04-30"' in html
    ongoing.refresh_from_db()
    assert ongoing.planned_end_date == D(2021, 4, 30)


def test_wage_subsidy_decision_from_an_old_version_is_refused(
    as_coach, colleague_client, person, application
):
    decide = url("subsidy_decide", person, subsidy_pk=application.pk)
    mine = loaded_at(as_coach.get(decide, headers=HTMX).content.decode())
    theirs = loaded_at(colleague_client.get(decide, headers=HTMX).content.decode())
    saved_by_htmx(
        colleague_client.post(
            decide,
            {"outcome": "rejected", "decided_on": "2021-03-01", "loaded_at": theirs},
            headers=HTMX,
        )
    )

    response = as_coach.post(
        decide, {"outcome": "granted", "decided_on": "2021-03-02", "loaded_at": mine}, headers=HTMX
    )

    assert "Someone else changed this since you opened it" in response.content.decode()
    application.refresh_from_db()
    assert (application.outcome, application.decided_on) == ("rejected", D(2021, 3, 1))


def test_follow_up_registered_twice_from_the_same_page_is_refused_the_second_time(
    as_coach, colleague_client, person, ended
):
    register = url("followup_register", person, placement_pk=ended.pk)
    mine = loaded_at(as_coach.get(url("detail", person)).content.decode())
    theirs = loaded_at(colleague_client.get(url("detail", person)).content.decode())
    saved_by_htmx(
        colleague_client.post(
            register,
            {"outcome": "studier", "performed_on": "2021-03-01", "loaded_at": theirs},
            headers=HTMX,
        )
    )

    response = as_coach.post(
        register,
        {"outcome": "arbetssokande", "performed_on": "2021-03-02", "loaded_at": mine},
        headers=HTMX,
    )

    html = response.content.decode()
    assert "Someone else changed this since you opened it" in html
    assert re.search(r'<option value="studier" selected>', html)
    followup = FollowUp.objects.get(placement=ended)
    assert (followup.outcome, followup.performed_on) == ("studier", D(2021, 3, 1))


def test_follow_up_opened_before_its_row_existed_is_refused_once_someone_registered_it(
    as_coach, person
):
    # Ended by an import: no follow-up row yet when the page was opened.
    placement = PlacementFactory(
        participant=person, end_date=D(2020, 11, 30), end_reason="completed"
    )
    register = url("followup_register", person, placement_pk=placement.pk)
    mine = loaded_at(as_coach.get(register, headers=HTMX).content.decode())
    assert mine == ""
    FollowUp.objects.create(
        placement=placement,
        due_date=D(2021, 2, 28),
        outcome="studier",
        performed_on=D(2021, 3, 1),
    )

    response = as_coach.post(
        register,
        {"outcome": "ej_nadd", "performed_on": "2021-03-02", "loaded_at": mine},
        headers=HTMX,
    )

    assert "Someone else changed this since you opened it" in response.content.decode()
    assert FollowUp.objects.get(placement=placement).outcome == "studier"


def test_a_damaged_version_field_is_refused_with_a_message(as_coach, person, goal):
    response = as_coach.post(
        url("goal_update", person, goal_pk=goal.pk),
        {"status": "reached", "loaded_at": "yesterday"},
        headers=HTMX,
    )

    assert "This form is damaged; reload the page" in response.content.decode()
    goal.refresh_from_db()
    assert goal.status == "planned"


# --- Every form is labelled -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "note_add",
        "activity_add",
        "goal_add",
        "study_add",
        "placement_add",
        "internship_add",
        "subsidy_add",
    ],
)
def test_every_add_form_labels_every_control(as_coach, person, name):
    html = as_coach.get(url(name, person), headers=HTMX).content.decode()

    assert "<form" in html
    assert unlabelled_controls(html) == []


# --- A form rendered once is saved once -----------------------------------------------------


def _once_token(html: str) -> str:
    match = re.search(r'name="once" value="([^"]+)"', html)
    assert match, "the form carries no one-time token"
    return match.group(1)


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_note_sent_twice_from_one_form_is_stored_once(as_coach, person, headers):
    form = as_coach.get(url("note_add", person), headers=HTMX).content.decode()
    data = {"text": "Ringde om schemat", "once": _once_token(form)}

    first = as_coach.post(url("note_add", person), data, headers=headers)
    second = as_coach.post(url("note_add", person), data, headers=headers)

    assert CaseNote.objects.filter(participant=person).count() == 1
    assert second.status_code == first.status_code
    if headers:
        note = CaseNote.objects.get(participant=person)
        assert f'id="note-{note.pk}"' in second.content.decode()


def test_two_forms_rendered_separately_save_two_notes(as_coach, person):
    for text in ("Första", "Andra"):
        form = as_coach.get(url("note_add", person), headers=HTMX).content.decode()
        as_coach.post(url("note_add", person), {"text": text, "once": _once_token(form)})

    assert CaseNote.objects.filter(participant=person).count() == 2


def test_a_refused_form_can_be_corrected_and_sent_again(as_coach, person):
    form = as_coach.get(url("note_add", person), headers=HTMX).content.decode()
    token = _once_token(form)

    refused = as_coach.post(url("note_add", person), {"text": "", "once": token}, headers=HTMX)
    saved = as_coach.post(url("note_add", person), {"text": "Rättat", "once": token}, headers=HTMX)

    assert refused.status_code == 200 and saved.status_code == 200
    assert list(CaseNote.objects.filter(participant=person).values_list("text", flat=True)) == [
        "Rättat"
    ]


def test_an_error_clears_the_status_line_of_an_earlier_save(as_coach, person):
    form = as_coach.get(url("note_add", person), headers=HTMX).content.decode()

    refused = as_coach.post(
        url("note_add", person), {"text": "", "once": _once_token(form)}, headers=HTMX
    ).content.decode()

    assert '<div id="case-status" hx-swap-oob="innerHTML"></div>' in refused
