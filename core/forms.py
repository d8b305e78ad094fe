"""Form behaviour shared by every form a user fills in on our pages.

Bootstrap's classes and errors next to their fields (also a service's
errors), the hidden version that optimistic locking checks
(:mod:`core.locking`), and the confirm step for warnings a user may
override; the upload limit.
"""

import datetime
import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def version_of(record: Any) -> str:
    """The version a form carries: the row's `updated_at`, to the microsecond."""
    updated_at = getattr(record, "updated_at", None)
    return updated_at.isoformat(timespec="microseconds") if updated_at else ""


class VersionField(forms.CharField):
    """Hidden: the `updated_at` of the record when the form was rendered."""

    widget = forms.HiddenInput

    def to_python(self, value: Any) -> datetime.datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or timezone.is_naive(parsed):
            raise ValidationError(
                _("This form is damaged; reload the page and enter the change again."),
                code="invalid_version",
            )
        return parsed


class BootstrapFormMixin:
    """Bootstrap's classes on every control, `is-invalid` on those with an error."""

    # A service's field name -> the field of this form its error belongs next to.
    service_field_names: dict[str, str] = {}
    # Set on a form rebuilt from the current row after a conflicting save.
    conflict: str = ""
    conflict_yours: list[tuple[str, str]] = []

    def show_conflict(self, message: str, yours: list[tuple[str, str]]) -> None:
        """This form shows the current version; say so, and what the user had entered."""
        self.conflict = message
        self.conflict_yours = yours

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
                field.widget.is_required = field.required
            widget = field.widget
            if widget.is_hidden:
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            if isinstance(widget, forms.Textarea):
                # Grows with the text (the browser's resize handle); starts small.
                widget.attrs["rows"] = 3

    @property
    def top_errors(self) -> list[str]:
        """Errors shown above the fields: the form's own and the hidden fields'."""
        errors = [str(error) for error in self.non_field_errors()]
        for field in self.hidden_fields():
            errors += [str(error) for error in field.errors]
        return errors

    # Every error, from a field, from clean() or from a service, comes through here.
    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "")
                if "is-invalid" not in classes.split():
                    widget.attrs["class"] = f"{classes} is-invalid".strip()

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the fields it names.

        A field the form does not have (or a rule about the whole record)
        goes at the top of the form.
        """
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            name = self.service_field_names.get(name, name)
            target = name if name in self.fields and name != NON_FIELD_ERRORS else None
            self.add_error(target, messages)


class ConfirmWarningsMixin:
    """A placement outside the job type's ranges is saved only once the coach confirms.

    The confirm button carries a digest of the warnings the coach saw: if the
    details change and the warnings with them, they are asked again.
    """

    warnings: list[str]
    confirm_digest: str = ""

    @staticmethod
    def digest(warnings: list[str]) -> str:
        return hashlib.sha256("\n".join(warnings).encode()).hexdigest()[:16]

    def confirmed(self, warnings: list[str]) -> bool:
        return bool(warnings) and self.data.get("confirm") == self.digest(warnings)

    def ask_to_confirm(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.confirm_digest = self.digest(warnings)


def check_end_after_start(
    form: forms.Form, start: str = "start_date", end: str = "end_date"
) -> None:
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(end)
    if first and last and last < first:
        form.add_error(end, _("The end date cannot be before the start date."))


def upload_limit_bytes() -> int:
    """The largest file a form takes (``UPLOAD_MAX_MEGABYTES``)."""
    return settings.UPLOAD_MAX_MEGABYTES * 1024 * 1024


class LimitedFileField(forms.FileField):
    """A file no larger than ``UPLOAD_MAX_MEGABYTES``, refused with the limit in words.

    Django keeps a large upload in a temporary file rather than in memory;
    this refuses it before anything reads it. ``core.middleware``
    refuses a far larger request body before it is even received.
    """

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload is not None and upload.size > upload_limit_bytes():
            raise ValidationError(
                _("The file is larger than %(limit)d MB. Split it into smaller files.")
                % {"limit": settings.UPLOAD_MAX_MEGABYTES},
                code="file_too_large",
            )
        return upload
