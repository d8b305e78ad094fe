"""The project really runs on the services it claims to."""

import os

import pytest
from django.conf import settings
from django.db import connection

from stockholmsjobb.tasks import worker_health

pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_tests_run_on_postgresql_when_database_url_is_set(postgres):
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    assert version.startswith("PostgreSQL")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.postgres
def test_constraints_are_enforced_by_postgresql_itself(postgres):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO placements_placementtarget (job_type_id, year, places) "
            "SELECT id, 1800, 10 FROM placements_jobtype LIMIT 1"
        )


@pytest.mark.redis
def test_a_task_round_trips_through_a_real_celery_worker_and_redis(
    celery_worker_process, real_broker
):
    result = worker_health.delay()
    answer = result.get(timeout=30)
    assert answer["pid"] != os.getpid()
    assert answer["pid"] == celery_worker_process.pid
    assert answer["database_ok"] is True
    assert result.successful()


def test_worker_health_runs_as_a_plain_function():
    answer = worker_health.apply().get()
    assert answer["pid"] == os.getpid()
    assert answer["database"] == connection.vendor


def test_job_types_and_districts_are_loaded_by_migrations():
    from participants.models import District
    from placements.models import JobType, PlacementTarget

    assert District.objects.count() == 13
    targets = dict(
        PlacementTarget.objects.filter(year=2021).values_list("job_type__code", "places")
    )
    assert targets == {
        "ungdomsanstallning": 230,
        "basanstallning": 342,
        "serviceassistent": 65,
        "arbetslagsanstallning": 75,
        "stockholmsvard": 85,
        "jobbstartsanstallning": 25,
    }
    assert sum(targets.values()) == 822
    assert JobType.objects.get(code="stockholmsvard").extendable
