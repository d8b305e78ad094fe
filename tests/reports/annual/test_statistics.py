"""The annual report's statistics: continuous percentiles, the same from PostgreSQL and
from the values read in order."""

import random

import pytest
from django.db.models.functions import ExtractYear

from placements.models import WageSubsidyCase
from reports.annual.statistics import (
    DaysBetween,
    percentile_cont,
    percentiles_from_values,
    percentiles_in_database,
)
from tests.factories import ParticipantFactory, PlacementFactory
from tests.helpers.reports import build_data_set, load, random_rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7], 0.9, 7.0),
        ([1, 2, 3, 4], 0.5, 2.5),
        ([5, 10, 20, 40, 100], 0.9, 76.0),
        ([0, 10], 0.25, 2.5),
    ],
)
def test_percentile_cont_interpolates_between_the_nearest_values(values, fraction, expected):
    result = percentile_cont(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


def test_percentiles_from_postgresql_and_from_the_values_are_the_same(postgres):
    load(random_rows(seed=2023, placements=150))
    rng = random.Random(5)
    for who in ParticipantFactory._meta.model.objects.all():
        who.months_social_assistance_before = rng.choice([None, *range(0, 80)])
        who.save(update_fields=["months_social_assistance_before"])
    placements = PlacementFactory._meta.model.objects.all()
    arguments = {
        "values": {"months": "participant__months_social_assistance_before"},
        "fractions": (0.1, 0.25, 0.5, 0.9, 0.99),
    }

    for group in (None, "job_type"):
        in_database = percentiles_in_database(placements, group=group, **arguments)
        from_values = percentiles_from_values(placements, group=group, **arguments)
        assert in_database == from_values
        assert sum(figures["months"][0] for figures in in_database.values()) > 50


def test_subsidy_percentiles_from_postgresql_and_from_the_values_are_the_same(postgres):
    build_data_set()
    decided = WageSubsidyCase.objects.filter(decided_on__isnull=False)
    arguments = {
        "values": {"days": DaysBetween("applied_on", "decided_on")},
        "fractions": (0.5, 0.9),
        "group": ExtractYear("decided_on"),
    }

    in_database = percentiles_in_database(decided, **arguments)

    assert in_database == percentiles_from_values(decided, **arguments)
    assert in_database[2023]["days"] == (6, [3.5, 52.5])
