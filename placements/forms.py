"""Form pieces the placements' rules need wherever an internship is written."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from placements.models import Internship
from placements.services import internship_check_length


class InternshipLengthMixin:
    """The four-week rule next to the end date, with the last day allowed.

    Checked in ``clean`` so the service's words (``internship_check_length``)
    are shown on every path, before the database constraint's shorter ones.
    """

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        try:
            internship_check_length(cleaned.get("start_date"), cleaned.get("end_date"))
        except ValidationError as error:
            self.add_error(None, error)  # type: ignore[attr-defined]
        return cleaned


class InternshipRowForm(InternshipLengthMixin, forms.ModelForm):
    """An internship row of an admin inline."""

    class Meta:
        model = Internship
        # The inline names the fields it shows.
        fields = ("employer", "occupation", "start_date", "end_date", "placement")
