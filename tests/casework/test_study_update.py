"""A study updated or ended in the browser: through participants.services.study_update."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from core.locking import RecordChanged
from participants.models import Study
from participants.services import study_update, study_version
from tests.factories import CoachFactory, ParticipantFactory
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

D = datetime.date
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2021, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach)


def make_study(participant, **kwargs) -> Study:
    values = {
        "kind": "sfi",
        "course": "Sfi C",
        "start_date": D(2020, 9, 1),
        "end_date": D(2021, 2, 15),
        "extent_percent": 20,
        **kwargs,
    }
    return Study.objects.create(participant=participant, **values)


@pytest.fixture
def study(person):
    return make_study(person)


def update(study: Study, **changes):
    values = {
        "end_date": study.end_date,
        "completed": study.completed,
        "extent_percent": study.extent_percent,
        "course": study.course,
        "provider": study.provider,
        **changes,
    }
    return study_update(study=study, **values)


# --- The service -------------------------------------------------------------------------


def test_a_study_is_ended_with_its_end_date_and_whether_it_was_completed(study):
    update(study, end_date=D(2021, 2, 20), completed=True, provider="  Komvux Järva ")
    study.refresh_from_db()
    assert (study.end_date, study.completed, study.provider) == (
        D(2021, 2, 20),
        True,
        "Komvux Järva",
    )


def test_not_completed_is_recorded_as_such(study):
    update(study, completed=False)
    study.refresh_from_db()
    assert study.completed is False


def test_completed_needs_an_end_date(study):
    with pytest.raises(ValidationError) as error:
        update(study, end_date=None, completed=True)
    assert "end_date" in error.value.message_dict
    study.refresh_from_db()
    assert study.completed is None


def test_completed_cannot_be_said_before_the_study_has_ended(study):
    with pytest.raises(ValidationError) as error:
        update(study, end_date=D(2021, 4, 30), completed=False)
    assert "completed" in error.value.message_dict
    study.refresh_from_db()
    assert study.end_date == D(2021, 2, 15)


def test_the_end_cannot_be_before_the_start(study):
    with pytest.raises(ValidationError):
        update(study, end_date=D(2020, 8, 1))


def test_a_later_end_that_runs_into_another_study_keeps_the_50_percent_limit(person, study):
    make_study(
        person, kind="yrkesutbildning", start_date=D(2021, 3, 1), end_date=None, extent_percent=40
    )
    with pytest.raises(ValidationError) as error:
        update(study, end_date=D(2021, 6, 30))
    assert "extent_percent" in error.value.message_dict
    study.refresh_from_db()
    assert study.end_date == D(2021, 2, 15)
    # A smaller extent fits beside it.
    update(study, end_date=D(2021, 6, 30), extent_percent=10)
    study.refresh_from_db()
    assert (study.end_date, study.extent_percent) == (D(2021, 6, 30), 10)


def test_a_save_from_an_older_version_is_refused(study):
    version = study_version(study)
    update(study, course="Sfi D")
    with pytest.raises(RecordChanged) as changed:
        study_update(
            study=study,
            end_date=study.end_date,
            completed=True,
            extent_percent=study.extent_percent,
            course="Sfi C",
            loaded_version=version,
        )
    assert changed.value.current.course == "Sfi D"
    study.refresh_from_db()
    assert study.completed is None


# --- The page ---------------------------------------------------------------------------


@pytest.fixture
def as_coach(client, coach):
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def study_url(study: Study) -> str:
    return reverse(
        "participants:study_update", kwargs={"pk": study.participant_id, "study_pk": study.pk}
    )


def version(html: str) -> str:
    return re.search(r'name="version" value="([^"]*)"', html).group(1)


def test_the_form_is_a_page_of_its_own_without_javascript(as_coach, study):
    response = as_coach.get(study_url(study))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Update or end the study" in html
    for name in ("end_date", "completed", "extent_percent", "course", "provider"):
        assert f'name="{name}"' in html
    assert unlabelled_controls(html) == []


def test_the_participant_page_links_to_the_form(as_coach, study):
    html = as_coach.get(reverse("participants:detail", kwargs={"pk": study.participant_id}))
    assert f'href="{study_url(study)}"' in html.content.decode()


def test_coach_ends_a_study_by_a_plain_post_and_it_is_logged(as_coach, study, coach):
    form = as_coach.get(study_url(study)).content.decode()

    response = as_coach.post(
        study_url(study),
        {
            "course": "Sfi C",
            "provider": "",
            "end_date": "2021-02-26",
            "extent_percent": "20",
            "completed": "true",
            "version": version(form),
        },
    )

    assert response.status_code == 302
    assert response.url.endswith(f"#study-{study.pk}")
    study.refresh_from_db()
    assert (study.end_date, study.completed) == (D(2021, 2, 26), True)
    assert AccessLogEntry.objects.filter(
        user=coach, participant_id=study.participant_id, action=Action.CHANGE
    ).exists()


def test_coach_updates_by_htmx_and_gets_the_timeline(as_coach, study):
    form = as_coach.get(study_url(study), headers=HTMX).content.decode()
    response = as_coach.post(
        study_url(study),
        {
            "course": "Sfi D",
            "provider": "Komvux",
            "end_date": "2021-06-30",
            "extent_percent": "25",
            "completed": "",
            "version": version(form),
        },
        headers=HTMX,
    )
    assert response["HX-Retarget"] == "#timeline"
    study.refresh_from_db()
    assert (study.course, study.end_date, study.extent_percent, study.completed) == (
        "Sfi D",
        D(2021, 6, 30),
        25,
        None,
    )


def test_completed_without_an_end_date_is_refused_next_to_the_field(as_coach, study):
    form = as_coach.get(study_url(study)).content.decode()
    response = as_coach.post(
        study_url(study),
        {"extent_percent": "20", "end_date": "", "completed": "false", "version": version(form)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "a study is completed or not once it has ended" in html
    study.refresh_from_db()
    assert study.completed is None and study.end_date == D(2021, 2, 15)


def test_an_extent_over_50_percent_is_refused(as_coach, study):
    form = as_coach.get(study_url(study)).content.decode()
    response = as_coach.post(
        study_url(study),
        {"extent_percent": "60", "end_date": "2021-02-15", "version": version(form)},
    )
    assert "enter 50 or less" in response.content.decode()
    study.refresh_from_db()
    assert study.extent_percent == 20


def test_a_manager_reads_but_cannot_update(client, manager, study):
    client.force_login(manager)
    response = client.post(study_url(study), {"extent_percent": "20", "completed": "true"})
    assert response.status_code == 403
    study.refresh_from_db()
    assert study.completed is None


def test_another_units_coach_gets_404(client, other_coach, study):
    client.force_login(other_coach)
    assert client.get(study_url(study)).status_code == 404


def test_a_study_of_another_participant_is_404_from_this_page(as_coach, study, unit, coach):
    other = ParticipantFactory(unit=unit, coach=CoachFactory(unit=unit))
    url = reverse("participants:study_update", kwargs={"pk": other.pk, "study_pk": study.pk})
    assert as_coach.get(url).status_code == 404
