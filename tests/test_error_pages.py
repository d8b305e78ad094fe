"""The service's own 403, 404 and 500 pages in the user's language, not Django's bare ones."""

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def broken(request):
    raise RuntimeError("a fault in a view")


urlpatterns = [path("broken/", broken)]


@pytest.mark.parametrize(
    ("language", "heading"), [("sv", "Sidan finns inte"), ("en", "Page not found")]
)
def test_a_missing_page_is_the_services_own_in_the_users_language(client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/no-such-page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in body
    assert f'<html lang="{language}">' in body
    # The icon is named, so the browser asks for no /favicon.ico (which is itself a 404).
    assert 'rel="icon"' in body


def test_a_refused_page_is_the_services_own(client, coach):
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/audit/")

    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_fault_is_the_services_own_page_without_details():
    client = Client(raise_request_exception=False)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    response = client.get("/broken/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Något gick fel</h1>" in body
    assert "a fault in a view" not in body and "Traceback" not in body
