"""Export placements in the shared CSV format (DESIGN §5), the one import reads."""

from typing import IO

from django.db.models import QuerySet

from placements import csv_format
from placements.models import Placement

EXPORT_CHUNK = 2_000


def export_placements(stream: IO[str], queryset: QuerySet[Placement] | None = None) -> int:
    """Write ``queryset`` (default: every placement) to a text stream; return the row count.

    Streams in chunks, one query per chunk whatever the number of rows. The
    stream should be opened with ``newline=""``: the rows end in CRLF as Excel
    writes them.
    """
    if queryset is None:
        queryset = Placement.objects.all()
    placements = (
        queryset.select_related("participant__district", "job_type", "workplace", "followup")
        .order_by("participant__personnummer", "start_date")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    return csv_format.write_csv(stream, map(csv_format.placement_row, placements))
