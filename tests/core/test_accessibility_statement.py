"""The accessibility statement (lagen (2018:1937)): public, linked from every page, complete."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_statement_is_public_at_its_address(client):
    assert reverse("accessibility") == "/accessibility/"
    response = client.get("/accessibility/")
    assert response.status_code == 200
    assert response.templates[0].name == "accessibility.html"


def test_the_statement_has_the_parts_the_law_and_digg_ask_for(client, settings):
    settings.ACCESSIBILITY_CONTACT_EMAIL = "tillganglighet@kommun.example"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/accessibility/").content.decode()
    # Compliance status against WCAG 2.1 AA, known shortcomings, how it was assessed.
    assert "partially compliant" in html
    assert "WCAG 2.1" in html
    assert "Content that is not accessible" in html
    assert "How we tested the service" in html
    # How to report a shortcoming: the configured address, as a mailto link.
    assert 'href="mailto:tillganglighet@kommun.example"' in html
    # Enforcement: DIGG and its form; the law's and DIGG's names stay Swedish.
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert (
        '<span lang="sv">lagen (2018:1937) om tillgänglighet till digital offentlig service' in html
    )
    assert '<span lang="sv">Myndigheten för digital förvaltning, DIGG</span>' in html


def test_the_law_and_digg_keep_their_swedish_names_in_swedish_too(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    html = client.get("/accessibility/").content.decode()
    assert '<html lang="sv">' in html
    assert "lagen (2018:1937) om tillgänglighet till digital offentlig service" in html
    assert "digg.se/tdosanmalan" in html


@pytest.mark.parametrize("path", ["/accounts/login/", "/accessibility/"])
def test_the_footer_links_to_the_statement_before_login(client, path):
    html = client.get(path).content.decode()
    footer = html[html.index('<footer class="site-footer') :]
    assert 'href="/accessibility/"' in footer


def test_the_footer_links_to_the_statement_after_login(client, coach):
    client.force_login(coach)
    html = client.get("/participants/").content.decode()
    assert 'href="/accessibility/"' in html[html.index("<footer") :]


def test_the_statement_only_answers_get(client):
    assert client.post("/accessibility/").status_code == 405
