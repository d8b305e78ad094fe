"""axe-core on the Django admin: nothing serious or critical on the pages an administrator uses.

The index, each app's index, and for every registered model its list, its add
page and the change page of a real row, in Swedish (the UI's default). The
models come from the admin's registry, so a model registered later is covered
without touching this file.
"""

import datetime

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db.models import Model
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AccessLogEntry, Action
from followup.models import SurveyResponse
from placements.models import Internship, Placement
from privacy.models import RetentionRun
from survey.models import SurveyRound
from tests.factories import TransferRequestFactory, UserFactory
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
REGISTERED_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
APP_LABELS = sorted({model._meta.app_label for model in REGISTERED_MODELS})


@pytest.fixture
def root() -> User:
    return UserFactory(
        username="root", is_staff=True, is_superuser=True, unit=None, password=PASSWORD
    )


@pytest.fixture
def admin_data(root: User) -> None:
    """Demo data (a little of everything), and a row of each model the demo leaves empty."""
    call_command("seed_demo", years=(2020, 2021), per_year=30, verbosity=0)
    TOTPDevice.objects.create(user=root, name="Telefon", confirmed=True)
    participant_id = TransferRequestFactory().participant_id
    AccessLogEntry.objects.create(
        username="root",
        action=Action.VIEW,
        object_type="participant",
        object_id=participant_id,
        participant_id=participant_id,
        detail="admin list, page 1, 30 rows",
    )
    survey_round = SurveyRound.objects.order_by("pk").first()
    SurveyResponse.objects.create(survey_round=survey_round)
    RetentionRun.objects.create(cutoff=datetime.date(2016, 1, 1))
    if not Internship.objects.exists():
        placement = Placement.objects.order_by("pk").first()
        Internship.objects.create(
            participant=placement.participant,
            placement=placement,
            employer="Lagerbolaget AB",
            start_date=placement.start_date,
            end_date=placement.start_date + datetime.timedelta(days=13),
        )


def _may_add(model: type[Model], user: User) -> bool:
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin.site._registry[model].has_add_permission(request)


def _violations(page, live_server, paths: list[str]) -> dict[str, list]:
    """Each page's serious and critical findings, by path; every page is checked."""
    found = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        violations = accessibility_violations(page)
        if violations:
            found[path] = violations
    return found


def test_admin_index_and_every_app_index_have_no_serious_violations(
    browser_page, live_server, root, admin_data
):
    log_in(browser_page, live_server, "root", PASSWORD)
    paths = [reverse("admin:index")]
    paths += [reverse("admin:app_list", args=[app_label]) for app_label in APP_LABELS]
    assert _violations(browser_page, live_server, paths) == {}


@pytest.mark.parametrize("model", REGISTERED_MODELS, ids=lambda m: m._meta.label)
def test_admin_list_add_and_change_pages_have_no_serious_violations(
    browser_page, live_server, root, admin_data, model
):
    opts = model._meta
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"no {opts.label} row to open"
    name = f"admin:{opts.app_label}_{opts.model_name}"
    paths = [reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[row.pk])]
    if _may_add(model, root):
        paths.append(reverse(f"{name}_add"))
    log_in(browser_page, live_server, "root", PASSWORD)
    assert _violations(browser_page, live_server, paths) == {}
