"""The floors (DESIGN §6) are a contract that `make lint` checks with import-linter.

These tests run the same check on a copy of the code: as it is, it passes;
with a domain app importing a floor above it, it fails and names the import.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _copy_of_the_code(target: Path) -> Path:
    """The project's packages and pyproject.toml, without tests, assets or data."""
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    for package in ROOT.iterdir():
        if (package / "__init__.py").is_file() and package.name not in {"tests", "bench"}:
            shutil.copytree(
                package,
                target / package.name,
                ignore=shutil.ignore_patterns("templates", "static", "locale", "__pycache__"),
            )
    return target


def _lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy_of_the_code(tmp_path_factory.mktemp("floors"))


def test_the_code_keeps_its_floors(code: Path) -> None:
    result = _lint_imports(code)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("participants/models.py", "reports.models"),
        ("placements/services.py", "casework.services"),
        ("followup/selectors.py", "survey.models"),
        ("core/forms.py", "participants.models"),
    ],
)
def test_an_import_from_a_floor_above_breaks_the_contract(
    code: Path, tmp_path: Path, module: str, upward: str
) -> None:
    tree = _copy_of_the_code(tmp_path)
    path = tree / module
    path.write_text(path.read_text() + f"\nimport {upward}  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    importer = module.removesuffix(".py").replace("/", ".")
    assert f"{importer} -> {upward}" in result.stdout
    assert "BROKEN" in result.stdout


def test_settings_importing_an_app_breaks_the_project_package_contract(tmp_path: Path) -> None:
    tree = _copy_of_the_code(tmp_path)
    settings_file = tree / "stockholmsjobb" / "settings.py"
    settings_file.write_text(settings_file.read_text() + "\nimport accounts.models  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "stockholmsjobb.settings -> accounts.models" in result.stdout


def test_a_circle_between_modules_of_an_app_breaks_the_contract(tmp_path: Path) -> None:
    tree = _copy_of_the_code(tmp_path)
    build = tree / "reports" / "annual" / "build.py"
    build.write_text(build.read_text() + "\nimport reports.services  # noqa\n")
    services = tree / "reports" / "services.py"
    services.write_text(services.read_text() + "\nimport reports.annual.build  # noqa\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "No cycles are allowed in reports" in result.stdout
