import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import translation

from accounts.models import User
from stockholmsjobb.celery import app as celery_app
from tests.factories import (
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    UnitFactory,
    UserFactory,
)
from tests.helpers import IN_CI, require

CHROMIUM = "/usr/bin/chromium"


def pytest_configure(config: pytest.Config) -> None:
    # Production hashes static files at collectstatic; tests serve them as they are.
    django_settings.STORAGES = {
        **django_settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Hashing real passwords costs a quarter of a second each; tests make many users.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Belt and braces: in CI a skipped test is a failed run, whatever skipped it.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages outside requests in English, so assertions read the source text.

    Pages still follow the request's language (Swedish by default).
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _log_handlers_stay_open():
    """A test that runs a command through ManagementUtility sets logging up again,
    with handlers on that test's captured stderr, which pytest then closes: point
    them back at the process's stderr, so later log lines are not lost in errors."""
    yield
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and getattr(handler.stream, "closed", False):
            handler.stream = sys.__stderr__


@pytest.fixture(autouse=True)
def _tasks_run_eagerly():
    """Tests call task functions in-process; only the worker tests use the broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _login_with_password_only(settings):
    """Tests log in with a password alone; tests/accounts turn the protections back on.

    Without this, every logged-in page would answer with the 2FA page, and
    django-axes would refuse `authenticate()` calls made without a request.
    """
    settings.REQUIRE_2FA = False
    settings.AXES_ENABLED = False


@pytest.fixture
def postgres(db) -> None:
    require(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def chromium_path() -> str:
    require(Path(CHROMIUM).exists(), f"needs Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker in its own process, on Redis and the test database.

    Tests that use it must commit their data (transactional tests) for the
    worker to see it.
    """
    broker = django_settings.CELERY_BROKER_URL
    require(broker.startswith("redis://"), "needs Redis: set CELERY_BROKER_URL")
    with django_db_blocker.unblock():
        db = connection.settings_dict
    require(db["ENGINE"].endswith("postgresql"), "needs PostgreSQL: set DATABASE_URL")
    celery = shutil.which("celery", path=str(Path(sys.executable).parent))
    require(celery is not None, "needs the celery command")
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "stockholmsjobb",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=django_settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stockholmsjobb.settings",
            "DATABASE_URL": database_url,
        },
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if celery_app.control.ping(timeout=1.0):
                break
            if process.poll() is not None:
                pytest.fail("the Celery worker exited at start")
        else:
            pytest.fail("the Celery worker did not answer within 60 s")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def real_broker():
    """Send tasks to the broker instead of running them in-process."""
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.fixture
def unit():
    return UnitFactory(name="Jobbtorg Järva")


@pytest.fixture
def other_unit():
    return UnitFactory(name="Jobbtorg Söderort")


@pytest.fixture
def coach(unit):
    return CoachFactory(username="coach1", unit=unit)


@pytest.fixture
def other_coach(other_unit):
    return CoachFactory(username="coach2", unit=other_unit)


@pytest.fixture
def manager(unit):
    return ManagerFactory(username="manager1", unit=unit)


@pytest.fixture
def participant(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach)


# --- The Django admin -------------------------------------------------------------------


@pytest.fixture
def superuser() -> User:
    return UserFactory(username="root", is_staff=True, is_superuser=True, unit=None)


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counts and one-time form tokens
    of one test must not reach the next (with Redis in CI the cache is shared)."""
    from django.core.cache import cache

    cache.clear()
    yield
