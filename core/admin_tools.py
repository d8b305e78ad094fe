"""Admin building blocks that know no domain."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


class ServiceCheckedModelForm(forms.ModelForm):
    """An admin form whose record is checked by its service's rules before it is saved.

    ``check_instance`` calls the service's validation; a broken rule shows at
    the top of the form instead of failing the save (the service checks
    again when ``save_model`` calls it).
    """

    def check_instance(self, instance: Any) -> None:
        """Raise ValidationError for a record that breaks a rule."""

    def _post_clean(self) -> None:
        super()._post_clean()
        # _post_clean has copied the cleaned values onto the instance: check it as it will be.
        if not self.errors:
            try:
                self.check_instance(self.instance)
            except ValidationError as error:
                self.add_error(None, error.messages)


class ReadOnlyInlineMixin:
    """An inline that shows rows and never adds, changes or deletes one."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
