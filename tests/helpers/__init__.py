"""Helpers the tests share: one module, so no test file imports another.

Factories live in ``tests.factories`` and fixtures in ``tests/conftest.py``;
what is here are plain functions several test modules call.
"""

import html
import os
from html.parser import HTMLParser

import pytest
from django.db.models import Model
from django.forms import CheckboxInput
from django.urls import reverse
from django.utils import translation

# --- Services a test needs ------------------------------------------------------------------

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    """Skip a test whose service is missing on a developer's machine; fail it in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: nothing may be skipped)")
    pytest.skip(reason)


# --- Pages: every form control has a label ------------------------------------------------


class _FormControls(HTMLParser):
    """Collects visible form controls and the ids that a <label for=...> names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_targets: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(attributes["for"])
        elif tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.controls.append(attributes)


def unlabelled_controls(html: str) -> list[dict[str, str | None]]:
    parser = _FormControls()
    parser.feed(html)
    return [
        control
        for control in parser.controls
        if control.get("id") not in parser.label_targets and not control.get("aria-label")
    ]


# --- The Django admin -------------------------------------------------------------------


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def formset_management_data(response) -> dict[str, str]:
    """Empty management forms for every inline on an admin add/change page."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def _form_values(form) -> dict[str, str]:
    """POST data that resubmits a bound or unbound form as it is shown."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, CheckboxInput):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        formatted = widget.format_value(value) if hasattr(widget, "format_value") else value
        if isinstance(formatted, list):
            formatted = formatted[0] if formatted else ""
        data[form.add_prefix(name)] = "" if formatted is None else str(formatted)
    return data


def change_page_data(response) -> dict[str, str]:
    """POST data resubmitting an admin change page unchanged, inlines included."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_values(formset.management_form))
        for form in formset.initial_forms:
            data.update(_form_values(form))
    return data


def shown(response, message: str) -> bool:
    """Whether a page shows `message`, in the language the page was answered in."""
    with translation.override(response.get("Content-Language") or "sv"):
        expected = translation.gettext(message)
    return expected in html.unescape(response.content.decode())


def admin_errors(response) -> list[str]:
    """Every error an admin add/change page shows: the form's and each inline row's."""
    errors = [str(error) for error in response.context["adminform"].form.non_field_errors()]
    for name, field_errors in response.context["adminform"].form.errors.items():
        errors += [f"{name}: {error}" for error in field_errors]
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            errors += [str(error) for errors_ in form.errors.values() for error in errors_]
        errors += [str(error) for error in inline.formset.non_form_errors()]
    return errors
