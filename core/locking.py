"""Optimistic locking: a save made from an older version of a row is refused.

A form carries the ``updated_at`` of the row it was rendered from; the
service locks the row, compares, and raises :class:`RecordChanged` instead of
silently overwriting a newer save.
"""

import datetime
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

LockedModel = TypeVar("LockedModel", bound=models.Model)


class RecordChanged(ValidationError):
    """Someone saved the record after this user opened it; nothing was saved.

    `current` is the record as it is now, so the form can show it.
    """

    def __init__(self, current: models.Model) -> None:
        super().__init__(
            _(
                "Someone else changed this since you opened it; here is the current version. "
                "Check it and save again if your change is still needed."
            ),
            code="changed",
        )
        self.current = current


def lock_unchanged(
    queryset: models.QuerySet[LockedModel], *, pk: int, loaded_at: datetime.datetime | None
) -> LockedModel:
    """Lock a row for this transaction and check it is the version the user loaded.

    `updated_at` is the version: a form carries the value it was rendered
    with, and a save made from an older version is refused instead of
    silently overwriting the newer one. `loaded_at=None` skips the check
    (callers that did not load the row from a form).
    """
    current = queryset.select_for_update().get(pk=pk)
    if loaded_at is not None and current.updated_at != loaded_at:
        raise RecordChanged(current)
    return current
