"""Security headers on every page, and the deployment checklist with production settings."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.middleware import NoStoreMiddleware

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True], ids=["login-page", "caseload"])
def test_pages_carry_the_strict_content_security_policy(client, coach, logged_in):
    if logged_in:
        client.force_login(coach)

    response = client.get("/participants/" if logged_in else "/accounts/login/")

    assert response.status_code == 200
    header = response["Content-Security-Policy"]
    assert csp_directives(header) == EXPECTED_CSP
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_logged_in_pages_are_never_cached(client, coach):
    client.force_login(coach)

    response = client.get("/participants/")

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_redirects_for_a_logged_in_user_are_not_cached_either(client, manager):
    client.force_login(manager)

    # A manager's home is a redirect to the dashboard (a coach's is their week).
    response = client.get("/")

    assert response.status_code == 302
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_static_files_stay_cacheable_for_a_logged_in_user(coach):
    request = RequestFactory().get(f"{django_settings.STATIC_URL}css/app.css")
    request.user = coach
    cached = HttpResponse("body{}")
    cached["Cache-Control"] = "max-age=60, public"

    response = NoStoreMiddleware(lambda _request: cached)(request)

    assert response["Cache-Control"] == "max-age=60, public"


@pytest.mark.django_db
def test_pages_forbid_sniffing_framing_and_leaking_the_referrer(client):
    response = client.get("/accounts/login/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_https_responses_carry_hsts_when_debug_is_off(client):
    response = client.get("/accounts/login/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def _deploy_check(**overrides: str) -> subprocess.CompletedProcess:
    # A fresh interpreter: settings are read from the environment once, at import.
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production does not.
    inherited = {
        "DEBUG",
        "REQUIRE_2FA",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SITE_URL",
        "ACCESSIBILITY_CONTACT_EMAIL",
    }
    environment = {
        **{k: v for k, v in os.environ.items() if k not in inherited},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "true",
        "ALLOWED_HOSTS": "stockholmsjobb.example.se",
        "SITE_URL": "https://stockholmsjobb.example.se",
        "ACCESSIBILITY_CONTACT_EMAIL": "tillganglighet@stockholmsjobb.example.se",
        **overrides,
    }
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deployment_checklist_passes_with_production_settings():
    result = _deploy_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "site_url",
    ["", "http://127.0.0.1:8000", "https://localhost", "http://stockholmsjobb.example.se"],
)
def test_deployment_checklist_refuses_a_site_url_people_cannot_reach(site_url):
    result = _deploy_check(SITE_URL=site_url)

    assert result.returncode == 1
    assert "stockholmsjobb.E001" in result.stderr + result.stdout


@pytest.mark.parametrize("address", [None, "tillganglighet@jobbtorg.example", "a@example.com"])
def test_deployment_checklist_refuses_a_placeholder_accessibility_contact(address):
    result = _deploy_check(ACCESSIBILITY_CONTACT_EMAIL=address)

    assert result.returncode == 1
    assert "stockholmsjobb.E002" in result.stderr + result.stdout


def test_deployment_checklist_refuses_an_unset_site_url():
    result = _deploy_check(SITE_URL=None)

    assert result.returncode == 1
    assert "stockholmsjobb.E001" in result.stderr + result.stdout
