"""Upload limits: a clear message at the form, a 413 before a far larger body is read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from followup.models import RegisterOutcome, SurveyResponse
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def csv_of(size: int) -> SimpleUploadedFile:
    header = b"personnummer,year,income_source\n"
    return SimpleUploadedFile(
        "extract.csv", header + b"x" * (size - len(header)), content_type="text/csv"
    )


@pytest.fixture
def admin_client_en(client):
    client.force_login(AdminFactory())
    client.cookies["django_language"] = "en"
    return client


@override_settings(UPLOAD_MAX_MEGABYTES=1)
def test_a_file_over_the_limit_is_refused_at_the_form_with_the_limit(admin_client_en):
    response = admin_client_en.post(reverse("annual:scb_import"), {"file": csv_of(MB + MB // 2)})

    assert response.status_code == 400
    assert "The file is larger than 1 MB. Split it into smaller files." in (
        response.content.decode()
    )
    assert not RegisterOutcome.objects.exists()


@override_settings(UPLOAD_MAX_MEGABYTES=1)
def test_a_body_far_over_the_limit_is_refused_before_it_is_read(admin_client_en, monkeypatch):
    read = []
    monkeypatch.setattr(
        "django.http.request.HttpRequest._load_post_and_files",
        lambda self: read.append(True),
    )

    response = admin_client_en.post(reverse("annual:scb_import"), {"file": csv_of(3 * MB)})

    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
    assert read == []  # neither the CSRF check nor the view parsed the body


@override_settings(UPLOAD_MAX_MEGABYTES=1)
def test_the_paper_survey_import_has_the_same_limit(admin_client_en):
    from survey.models import SurveyRound

    survey_round = SurveyRound.objects.create(
        name="Vår", opens_on="2021-03-01", closes_on="2021-03-31"
    )
    response = admin_client_en.post(
        reverse("survey_results:paper_import", args=[survey_round.pk]),
        {"file": csv_of(MB + 10)},
    )

    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_file_under_the_limit_reaches_the_import(admin_client_en):
    response = admin_client_en.post(reverse("annual:scb_import"), {"file": csv_of(1000)})
    # Read and refused for its content (no such rows), not for its size.
    assert "larger than" not in response.content.decode()
