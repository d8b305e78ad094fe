"""The Swedish catalogue is complete and compiled: no page shows English in a Swedish UI
because a text was left untranslated, marked fuzzy, or not compiled into the .mo file."""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "sv" / "LC_MESSAGES"


def _msgfmt(*args: str) -> subprocess.CompletedProcess:
    # GNU gettext is a requirement of makemessages already; a missing one fails, not skips.
    assert shutil.which("msgfmt"), "msgfmt (GNU gettext) is missing"
    return subprocess.run(
        ["msgfmt", *args], capture_output=True, text=True, check=False, cwd=CATALOGUE
    )


def test_every_swedish_message_is_translated_and_none_is_fuzzy():
    result = _msgfmt("--check", "--statistics", "-o", "/dev/null", "django.po")

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def test_the_compiled_catalogue_is_the_one_the_po_file_makes(tmp_path):
    compiled = tmp_path / "django.mo"
    assert _msgfmt("-o", str(compiled), "django.po").returncode == 0

    assert compiled.read_bytes() == (CATALOGUE / "django.mo").read_bytes()
