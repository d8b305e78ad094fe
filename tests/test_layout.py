import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import CaseNoteFactory, FollowUpFactory, PlacementFactory, UserFactory
from tests.helpers import unlabelled_controls

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"
STATIC_DIR = Path(django_settings.BASE_DIR) / "static"


@pytest.mark.django_db
def test_login_page_renders_with_labelled_fields(client):
    response = client.get("/accounts/login/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_username"' in html
    assert 'for="id_password"' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert unlabelled_controls(html) == []


@pytest.mark.django_db
def test_login_page_shows_a_failed_login_in_an_alert(client):
    response = client.post("/accounts/login/", {"username": "nobody", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="alert alert-danger" role="alert"' in html


@pytest.mark.django_db
def test_caseload_shows_masked_personnummer_and_never_the_full_one(client, coach, participant):
    client.force_login(coach)

    response = client.get("/participants/")

    html = response.content.decode()
    assert response.status_code == 200
    assert participant.masked_personnummer in html
    assert participant.personnummer not in html
    assert f"{participant.personnummer[:8]}-{participant.personnummer[8:]}" not in html
    assert f"/participants/{participant.pk}/" in html
    assert unlabelled_controls(html) == []


@pytest.mark.django_db
def test_participant_page_shows_masked_personnummer_only(client, coach, participant):
    client.force_login(coach)

    response = client.get(f"/participants/{participant.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert participant.masked_personnummer in html
    assert participant.personnummer not in html
    assert f"{participant.personnummer[:8]}-{participant.personnummer[8:]}" not in html


@pytest.mark.django_db
def test_participant_page_shows_placements_follow_ups_and_corrections(client, coach, participant):
    ended = PlacementFactory(
        participant=participant, end_date=datetime.date(2020, 11, 30), end_reason="completed"
    )
    FollowUpFactory(placement=ended)
    # An ongoing placement has no follow-up row: the template must not fail on it.
    PlacementFactory(
        participant=participant, start_date=datetime.date(2021, 3, 1), planned_end_date=None
    )
    note = CaseNoteFactory(participant=participant, author=coach, text="Första träffen.")
    CaseNoteFactory(participant=participant, author=coach, corrects=note, text="Rättelse.")
    client.force_login(coach)

    response = client.get(f"/participants/{participant.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Senast 2021-02-28" in html
    assert "Pågår" in html
    assert f'href="#note-{note.pk}"' in html
    assert "Rättar anteckningen från" in html
    assert 'href="/participants/"' in html


@pytest.mark.django_db
def test_user_without_a_role_is_asked_to_contact_the_system_administrator(client):
    client.force_login(UserFactory())

    response = client.get("/")

    assert response.status_code == 403
    assert "Kontakta systemförvaltaren" in response.content.decode()


@pytest.mark.django_db
def test_manager_sees_the_unit_caseload(client, manager, participant):
    client.force_login(manager)

    response = client.get("/participants/")

    assert response.status_code == 200
    assert participant.masked_personnummer in response.content.decode()


@pytest.mark.django_db
def test_demo_banner_is_shown_when_the_setting_is_on(client, settings, coach):
    settings.DEMO_BANNER = True
    client.force_login(coach)

    response = client.get("/participants/")

    assert 'class="demo-banner' in response.content.decode()


@pytest.mark.django_db
def test_demo_banner_is_hidden_when_the_setting_is_off(client, settings, coach):
    settings.DEMO_BANNER = False
    client.force_login(coach)

    response = client.get("/participants/")

    assert 'class="demo-banner' not in response.content.decode()


CASELOAD_HEADING = re.compile(r"<h1[^>]*>\s*(.*?)\s*</h1>", re.DOTALL)


@pytest.mark.django_db
def test_caseload_is_swedish_by_default(client, coach):
    client.force_login(coach)

    html = client.get("/participants/").content.decode()

    assert CASELOAD_HEADING.search(html).group(1) == "Mina deltagare"
    assert '<html lang="sv">' in html


@pytest.mark.django_db
def test_switching_language_to_english_makes_the_caseload_english(client, coach):
    client.force_login(coach)

    switch = client.post("/i18n/setlang/", {"language": "en", "next": "/participants/"})
    html = client.get("/participants/").content.decode()

    assert switch.status_code == 302
    assert switch.url == "/participants/"
    assert CASELOAD_HEADING.search(html).group(1) == "Caseload"
    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_active_navigation_item_is_marked_as_current_page(client, coach):
    client.force_login(coach)

    html = client.get("/participants/?page=1").content.decode()

    assert re.search(r'href="/participants/"\s+aria-current="page"', html)


@pytest.mark.django_db
def test_logout_is_a_post_form_with_csrf(client, coach):
    client.force_login(coach)

    html = client.get("/participants/").content.decode()

    form = re.search(r'<form[^>]*action="/accounts/logout/"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form is not None
    assert 'method="post"' in form.group(0)
    assert "csrfmiddlewaretoken" in form.group(1)


def template_files() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


def test_templates_exist_to_scan():
    assert TEMPLATES_DIR / "base.html" in template_files()


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_template_has_no_inline_script_style_or_event_handler(path):
    text = path.read_text(encoding="utf-8")

    assert not re.search(r"<script\b(?![^>]*\bsrc=)[^>]*>", text, re.IGNORECASE)
    assert not re.search(r"\sstyle\s*=", text, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE)


def test_every_static_asset_in_base_exists():
    text = (TEMPLATES_DIR / "base.html").read_text(encoding="utf-8")

    assets = re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]\s*%}""", text)

    assert "vendor/bootstrap/bootstrap.min.css" in assets
    assert "vendor/htmx/htmx.min.js" in assets
    missing = [asset for asset in assets if not (STATIC_DIR / asset).is_file()]
    assert missing == []


def test_every_source_map_that_a_vendored_file_names_exists():
    # collectstatic with the manifest storage fails on a missing map.
    for path in (STATIC_DIR / "vendor").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8")):
            assert (path.parent / name).is_file(), f"{path} names missing {name}"


@pytest.mark.django_db
def test_rendered_pages_link_to_no_other_host(client, coach, participant):
    pages = [client.get("/accounts/login/").content.decode()]
    client.force_login(coach)
    pages.append(client.get("/participants/").content.decode())
    pages.append(client.get(f"/participants/{participant.pk}/").content.decode())

    for html in pages:
        hosts = set(re.findall(r"https?://([^/\s\"'<>]+)", html))
        assert hosts <= {"testserver"}
