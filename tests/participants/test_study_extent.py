"""Studies running at the same time take at most 50 % of working time together."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from participants.models import Study
from participants.services import study_create
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def _study(participant, start, end, extent):
    return study_create(
        participant=participant, kind="sfi", start_date=start, end_date=end, extent_percent=extent
    )


def test_two_studies_of_forty_percent_side_by_side_are_refused():
    participant = ParticipantFactory()
    _study(participant, D(2020, 1, 1), D(2020, 6, 30), 40)

    with pytest.raises(ValidationError) as refused:
        _study(participant, D(2020, 3, 1), D(2020, 9, 30), 40)

    assert "extent_percent" in refused.value.message_dict
    assert Study.objects.filter(participant=participant).count() == 1


def test_studies_one_after_the_other_may_each_take_half_the_time():
    participant = ParticipantFactory()
    _study(participant, D(2020, 1, 1), D(2020, 6, 30), 50)

    _study(participant, D(2020, 7, 1), None, 50)

    assert Study.objects.filter(participant=participant).count() == 2


def test_the_busiest_day_decides_not_the_sum_of_everything_overlapping():
    participant = ParticipantFactory()
    # Two studies that never run together, each overlapping the new one.
    _study(participant, D(2020, 1, 1), D(2020, 3, 31), 25)
    _study(participant, D(2020, 4, 1), D(2020, 6, 30), 25)

    _study(participant, D(2020, 2, 1), D(2020, 5, 31), 25)

    with pytest.raises(ValidationError):
        _study(participant, D(2020, 2, 15), D(2020, 2, 20), 1)


def test_an_ongoing_study_counts_against_every_later_one():
    participant = ParticipantFactory()
    _study(participant, D(2020, 1, 1), None, 30)

    with pytest.raises(ValidationError):
        _study(participant, D(2024, 1, 1), D(2024, 2, 1), 25)


def test_another_participants_studies_do_not_count():
    _study(ParticipantFactory(), D(2020, 1, 1), None, 50)

    _study(ParticipantFactory(), D(2020, 1, 1), None, 50)

    assert Study.objects.count() == 2
