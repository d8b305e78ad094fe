"""The Django admin's participant change page fits a 1366 px laptop: its inline tables
(placements, studies, learning goals) scroll inside their own box instead of widening
the page."""

import datetime

import pytest
from django.urls import reverse

from participants.models import LearningGoal, Study
from tests.factories import ParticipantFactory, PlacementFactory, UserFactory, WorkplaceFactory
from tests.helpers.browser import accessibility_violations, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
LAPTOP = {"width": 1366, "height": 768}

# Inline tables reaching past the content column, and whether each scrolls in its own box.
INLINES = """() => {
    const content = document.querySelector('#content-main').getBoundingClientRect();
    return [...document.querySelectorAll('.inline-group .tabular')].map(box => ({
        id: box.closest('.inline-group').id,
        outside: box.getBoundingClientRect().right > content.right + 1,
        scrolls: box.scrollWidth > box.clientWidth,
    }));
}"""


@pytest.fixture
def participant(unit):
    UserFactory(username="root", is_staff=True, is_superuser=True, unit=None, password=PASSWORD)
    person = ParticipantFactory(unit=unit)
    start = datetime.date(2020, 2, 1)
    PlacementFactory(
        participant=person,
        workplace=WorkplaceFactory(
            name="Stadsdelsförvaltningen Hässelby-Vällingby, äldreomsorgens dagverksamhet"
        ),
        start_date=start,
        planned_end_date=datetime.date(2021, 1, 31),
    )
    Study.objects.create(
        participant=person,
        kind="sfi",
        course="Svenska för invandrare, kurs D, kvällsundervisning",
        start_date=start,
        end_date=datetime.date(2020, 12, 31),
        extent_percent=20,
    )
    LearningGoal.objects.create(
        participant=person,
        description="Ta truckkort A och B inom lager och logistik",
        target_industry="Lager och logistik",
        next_review_on=datetime.date(2020, 6, 1),
        status="in_progress",
    )
    return person


def test_participant_change_page_is_as_wide_as_the_window(
    chromium_path, live_server, monkeypatch, participant
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_path, live_server, locale="sv-SE", viewport=LAPTOP) as page:
        log_in(page, live_server, "root", PASSWORD)
        url = reverse("admin:participants_participant_change", args=[participant.pk])
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        inlines = page.evaluate(INLINES)
        assert [inline["id"] for inline in inlines if inline["outside"]] == []
        # The placements' table is wider than the column: it scrolls, nothing is cut off.
        assert any(inline["scrolls"] for inline in inlines)
        assert accessibility_violations(page) == []
