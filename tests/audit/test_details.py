"""The access log's details are stored in English and shown in the reader's language."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from audit.details import describe, object_type_name, wording_for
from audit.models import AccessLogEntry, Action
from tests.factories import AdminFactory

APPS = ("accounts", "audit", "casework", "followup", "participants", "placements", "privacy")
APPS += ("reports", "survey")
# The keyword arguments that carry a detail into a log row.
DETAIL_KEYWORDS = {"detail", "summary"}
# Module-level constants passed as a detail (privacy.views.EXTRACT_DETAIL).
CONSTANT_SUFFIX = "_DETAIL"


def _choices(node: ast.expr) -> list[str]:
    """What an f-string's hole writes: both texts of `{'' if whole else ' (a selection)'}`,
    else a stand-in value."""
    if isinstance(node, ast.IfExp):
        branches = [node.body, node.orelse]
        if all(isinstance(b, ast.Constant) and isinstance(b.value, str) for b in branches):
            return [b.value for b in branches]
    return ["7"]


def _samples(node: ast.expr) -> list[str]:
    """The texts a literal or f-string detail writes, its holes filled in."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        texts = [""]
        for value in node.values:
            if isinstance(value, ast.Constant):
                texts = [text + value.value for text in texts]
            else:
                texts = [text + choice for text in texts for choice in _choices(value.value)]
        return texts
    return []


def _details_written() -> list[tuple[str, str]]:
    found = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (isinstance(node, ast.keyword) and node.arg in DETAIL_KEYWORDS) or (
                    isinstance(node, ast.Assign)
                    and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id.endswith(CONSTANT_SUFFIX)
                ):
                    texts = _samples(node.value)
                else:
                    continue
                where = f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"
                found += [(where, text) for text in texts if text.strip()]
    return found


def test_the_scan_finds_the_details_the_code_writes():
    texts = [text for _where, text in _details_written()]
    assert "personnummer search" in texts
    assert "transfer approved (request 7)" in texts
    assert "register extract" in texts
    assert "placements export (a selection): 7 rows" in texts
    assert "placements export: 7 rows" in texts


@pytest.mark.parametrize(("where", "text"), _details_written())
def test_every_detail_the_code_writes_has_a_translatable_wording(where, text):
    assert wording_for(text) is not None, f"{where}: {text!r} has no pattern in audit.details"


@pytest.fixture
def swedish(monkeypatch):
    """A Swedish wording for one detail, whatever the catalogue holds today."""
    # The catalogue's first dict: the one TranslationCatalog looks in first.
    catalog = trans_real.translation("sv")._catalog._catalogs[0]
    msgid = "transfer declined (request %(request)s): moved by request %(moved_by)s"
    monkeypatch.setitem(
        catalog, msgid, "flytt avböjd (begäran %(request)s): flyttad genom begäran %(moved_by)s"
    )
    monkeypatch.setitem(catalog, "second factor: wrong code", "andra steget: fel kod")


def test_a_detail_is_shown_in_the_active_language_with_its_values(swedish):
    stored = "transfer declined (request 12): moved by request 15"
    with translation.override("en"):
        assert describe(stored) == stored
    with translation.override("sv"):
        assert describe(stored) == "flytt avböjd (begäran 12): flyttad genom begäran 15"


def test_an_unknown_detail_is_shown_as_stored():
    assert describe("something new") == "something new"
    assert describe("") == ""


def test_object_type_is_shown_as_the_models_name():
    with translation.override("sv"):
        assert object_type_name("participant") == "deltagare"
    with translation.override("en"):
        assert object_type_name("participant") == "participant"
    assert object_type_name("no-such-model") == "no-such-model"


@pytest.mark.django_db
def test_review_page_shows_the_detail_in_the_readers_language_and_the_row_is_unchanged(
    client, swedish
):
    admin = AdminFactory()
    AccessLogEntry.objects.create(
        username="someone",
        action=Action.VIEW,
        object_type="placement",
        detail="second factor: wrong code",
    )
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    in_swedish = client.get(reverse("audit:review")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("audit:review")).content.decode()

    assert "andra steget: fel kod" in in_swedish
    assert "second factor: wrong code" not in in_swedish
    with translation.override("sv"):
        assert object_type_name("placement") in in_swedish
    assert "second factor: wrong code" in english
    assert "andra steget: fel kod" not in english
    assert AccessLogEntry.objects.filter(detail="second factor: wrong code").exists()
