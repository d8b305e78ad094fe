"""The admin writes placements, internships and follow-ups through their services.

Each rule holds in the admin and its inlines as it does on the coach's page:
an overlapping placement is refused next to its row, a placement ended in the
admin opens its follow-up, an internship keeps to four weeks and to the
participant's own placement.
"""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from followup.models import FollowUp
from participants.models import Participant, Study
from placements.models import Internship, Placement
from tests.factories import PlacementFactory, WorkplaceFactory, job_type
from tests.helpers import admin_errors, admin_url, change_page_data, shown

pytestmark = pytest.mark.django_db


def _participant_page_with_new_row(
    client: Client, participant: Participant, prefix_model: str, row: dict[str, str]
) -> dict[str, str]:
    """The participant's admin page resubmitted unchanged, plus one new row in an inline."""
    page = client.get(admin_url(Participant, "change", participant.pk))
    data = change_page_data(page)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.model._meta.model_name != prefix_model:
            continue
        index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
        for name, value in row.items():
            data[f"{formset.prefix}-{index}-{name}"] = value
        data[f"{formset.prefix}-{index}-participant"] = str(participant.pk)
        return data
    raise AssertionError(f"no {prefix_model} inline on the participant page")


def _placement_row(start: str, end: str = "", reason: str = "") -> dict[str, str]:
    return {
        "job_type": str(job_type().pk),
        "workplace": str(WorkplaceFactory().pk),
        "funding": "sdf",
        "start_date": start,
        "planned_end_date": "",
        "end_date": end,
        "end_reason": reason,
    }


def test_participant_admin_refuses_a_placement_overlapping_an_ongoing_one(admin_client):
    ongoing = PlacementFactory(start_date=datetime.date(2020, 2, 1), end_date=None)
    participant = ongoing.participant
    data = _participant_page_with_new_row(
        admin_client, participant, "placement", _placement_row("2020-06-01")
    )

    response = admin_client.post(admin_url(Participant, "change", participant.pk), data)

    assert response.status_code == 200  # the page again, with the error
    assert shown(response, "The participant already has a placement in this period.")
    assert list(Placement.objects.filter(participant=participant)) == [ongoing]


def test_participant_admin_refuses_two_new_placements_overlapping_each_other(admin_client):
    participant = PlacementFactory(
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2018, 6, 30),
        end_reason="completed",
    ).participant
    page = admin_client.get(admin_url(Participant, "change", participant.pk))
    data = change_page_data(page)
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Placement
    )
    first = int(data[f"{formset.prefix}-TOTAL_FORMS"])
    for offset, start in enumerate(("2020-01-01", "2020-03-01")):
        for name, value in _placement_row(start).items():
            data[f"{formset.prefix}-{first + offset}-{name}"] = value
        data[f"{formset.prefix}-{first + offset}-participant"] = str(participant.pk)
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(first + 2)

    response = admin_client.post(admin_url(Participant, "change", participant.pk), data)

    assert response.status_code == 200
    assert shown(response, "The participant already has a placement in this period.")
    assert Placement.objects.filter(participant=participant).count() == 1


def test_a_placement_ended_in_the_participant_admin_opens_its_follow_up(admin_client):
    participant = PlacementFactory(
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2018, 6, 30),
        end_reason="completed",
    ).participant
    FollowUp.objects.all().delete()
    data = _participant_page_with_new_row(
        admin_client,
        participant,
        "placement",
        _placement_row("2020-01-01", end="2020-11-30", reason="completed"),
    )

    response = admin_client.post(admin_url(Participant, "change", participant.pk), data)

    assert response.status_code == 302
    added = Placement.objects.get(participant=participant, start_date=datetime.date(2020, 1, 1))
    # Three calendar months, clamped to the month's last day.
    assert added.followup.due_date == datetime.date(2021, 2, 28)


def test_ending_a_placement_in_the_placement_admin_opens_its_follow_up(admin_client):
    placement = PlacementFactory(start_date=datetime.date(2020, 2, 1), end_date=None)
    page = admin_client.get(admin_url(Placement, "change", placement.pk))
    data = change_page_data(page)
    data["end_date"] = "2020-10-31"
    data["end_reason"] = "completed"

    response = admin_client.post(admin_url(Placement, "change", placement.pk), data)

    assert response.status_code == 302
    assert FollowUp.objects.get(placement=placement).due_date == datetime.date(2021, 1, 31)


def test_making_a_placement_ongoing_again_in_the_admin_removes_its_open_follow_up(admin_client):
    placement = PlacementFactory(
        start_date=datetime.date(2020, 2, 1),
        end_date=datetime.date(2020, 10, 31),
        end_reason="completed",
    )
    FollowUp.objects.create(placement=placement, due_date=datetime.date(2021, 1, 31))
    page = admin_client.get(admin_url(Placement, "change", placement.pk))
    data = change_page_data(page)
    data["end_date"] = ""
    data["end_reason"] = ""
    # The follow-up inline goes as the page shows it; an empty due date would not validate.
    response = admin_client.post(admin_url(Placement, "change", placement.pk), data)

    assert response.status_code == 302
    assert not FollowUp.objects.filter(placement=placement).exists()


def test_placement_admin_refuses_an_overlap(admin_client):
    first = PlacementFactory(start_date=datetime.date(2020, 2, 1), end_date=None)
    second = PlacementFactory(
        participant=first.participant,
        start_date=datetime.date(2018, 1, 1),
        end_date=datetime.date(2018, 6, 30),
        end_reason="completed",
    )
    page = admin_client.get(admin_url(Placement, "change", second.pk))
    data = change_page_data(page)
    data["end_date"] = "2020-05-31"

    response = admin_client.post(admin_url(Placement, "change", second.pk), data)

    assert response.status_code == 200
    assert shown(response, "The participant already has a placement in this period.")
    second.refresh_from_db()
    assert second.end_date == datetime.date(2018, 6, 30)


def test_participant_admin_refuses_an_internship_longer_than_four_weeks(admin_client):
    participant = PlacementFactory().participant
    data = _participant_page_with_new_row(
        admin_client,
        participant,
        "internship",
        {"employer": "Lagerbolaget AB", "start_date": "2020-06-01", "end_date": "2020-07-15"},
    )

    response = admin_client.post(admin_url(Participant, "change", participant.pk), data)

    assert response.status_code == 200
    with translation.override(response["Content-Language"]):
        expected = translation.gettext(
            "An internship lasts at most four weeks (28 days): "
            "the last day can be %(date)s at the latest."
        ) % {"date": "2020-06-28"}
    assert expected in admin_errors(response)
    assert not Internship.objects.exists()


def test_internship_admin_refuses_another_participants_placement(admin_client):
    mine = PlacementFactory()
    theirs = PlacementFactory()
    page = admin_client.get(admin_url(Internship, "add"))
    data = {
        "participant": str(mine.participant.pk),
        "placement": str(theirs.pk),
        "employer": "Lagerbolaget AB",
        "occupation": "",
        "start_date": "2020-06-01",
        "end_date": "2020-06-14",
    }
    assert page.status_code == 200

    response = admin_client.post(admin_url(Internship, "add"), data)

    assert response.status_code == 200
    assert shown(response, "The placement belongs to another participant.")
    assert not Internship.objects.exists()


def test_follow_up_admin_refuses_an_outcome_on_a_placement_that_has_not_ended(admin_client):
    placement = PlacementFactory(end_date=None)
    data = {
        "placement": str(placement.pk),
        "due_date": "2021-04-30",
        "performed_on": "2021-04-01",
        "outcome": "studier",
        "employer_or_school": "",
        "note": "",
        "performed_by": "",
    }

    response = admin_client.post(admin_url(FollowUp, "add"), data)

    assert response.status_code == 200
    assert shown(response, "The placement has not ended; there is nothing to follow up yet.")
    assert not FollowUp.objects.exists()


@time_machine.travel(datetime.datetime(2026, 12, 5, 12, tzinfo=datetime.UTC), tick=False)
def test_placement_admin_refuses_an_end_after_today(admin_client):
    placement = PlacementFactory(
        start_date=datetime.date(2026, 2, 1), planned_end_date=None, end_date=None
    )
    page = admin_client.get(admin_url(Placement, "change", placement.pk))
    data = change_page_data(page)
    data["end_date"] = "2026-12-31"
    data["end_reason"] = "completed"

    response = admin_client.post(admin_url(Placement, "change", placement.pk), data)

    assert response.status_code == 200
    placement.refresh_from_db()
    assert placement.end_date is None
    assert not FollowUp.objects.filter(placement=placement).exists()


def test_participant_admin_refuses_two_new_studies_over_half_the_time_together(admin_client):
    participant = PlacementFactory().participant
    page = admin_client.get(admin_url(Participant, "change", participant.pk))
    data = change_page_data(page)
    formset = next(
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Study
    )
    first = int(data[f"{formset.prefix}-TOTAL_FORMS"])
    for offset in range(2):
        prefix = f"{formset.prefix}-{first + offset}"
        data.update(
            {
                f"{prefix}-kind": "sfi",
                f"{prefix}-start_date": "2020-03-01",
                f"{prefix}-extent_percent": "30",
                f"{prefix}-participant": str(participant.pk),
            }
        )
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(first + 2)

    response = admin_client.post(admin_url(Participant, "change", participant.pk), data)

    assert response.status_code == 200
    assert any("60 %" in error for error in admin_errors(response)), admin_errors(response)
    assert not Study.objects.filter(participant=participant).exists()


def test_study_admin_refuses_a_study_over_half_the_time_with_another(admin_client):
    participant = PlacementFactory().participant
    Study.objects.create(
        participant=participant, kind="sfi", start_date=datetime.date(2020, 1, 1), extent_percent=40
    )
    data = {
        "participant": str(participant.pk),
        "placement": "",
        "kind": "sfi",
        "course": "",
        "provider": "",
        "start_date": "2020-02-01",
        "end_date": "",
        "extent_percent": "20",
    }

    response = admin_client.post(admin_url(Study, "add"), data)

    assert response.status_code == 200
    assert any("60 %" in error for error in admin_errors(response)), admin_errors(response)
    assert Study.objects.filter(participant=participant).count() == 1
