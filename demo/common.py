"""What every part of the demo seed shares: saving rows in batches, ASCII slugs."""

import unicodedata
from collections.abc import Sequence

from django.db.models import Model

BATCH_SIZE = 1000


def bulk_create(rows: Sequence[Model]) -> None:
    if rows:
        type(rows[0]).objects.bulk_create(rows, batch_size=BATCH_SIZE)


def ascii_slug(text: str) -> str:
    """`Öberg` -> `oberg`, `Stockholm Vatten och Avfall` -> `stockholm-vatten-och-avfall`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in plain.lower()).split())
