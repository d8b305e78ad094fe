"""The public survey page is rate-limited per address (issue 12, point 9)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_guessing_links_from_one_address_is_slowed_down(client, settings):
    settings.SURVEY_REQUESTS_PER_MINUTE = 30
    url = reverse("survey:respond", args=["a" * 22])

    answers = [client.get(url, REMOTE_ADDR="198.51.100.5").status_code for _ in range(31)]
    other = client.get(url, REMOTE_ADDR="198.51.100.6")

    assert 429 not in answers[:30]
    assert answers[30] == 429
    assert other.status_code != 429
