"""Export placements in the shared CSV format (DESIGN §5), the one import reads."""

from typing import IO

from django.db.models import QuerySet

from accounts.models import User
from audit.models import Action
from audit.services import log_access
from casework import placement_csv
from placements.models import Placement

EXPORT_CHUNK = 2_000


def export_placements(
    stream: IO[str],
    queryset: QuerySet[Placement] | None = None,
    *,
    exported_by: User | None = None,
    actor: str = "",
) -> int:
    """Write ``queryset`` (default: every placement) to a text stream; return the row count.

    Streams in chunks, one query per chunk whatever the number of rows. The
    stream should be opened with ``newline=""``: the rows end in CRLF as Excel
    writes them. The file holds personal data, so the export is an access-log
    row with its row count; ``actor`` names who ran it when there is no user
    (``manage.py``).
    """
    whole = queryset is None
    if queryset is None:
        queryset = Placement.objects.all()
    placements = (
        queryset.select_related("participant__district", "job_type", "workplace", "followup")
        .order_by("participant__personnummer", "start_date")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    count = placement_csv.write_csv(stream, map(placement_csv.placement_row, placements))
    log_access(
        action=Action.EXPORT,
        object_type="placement",
        detail=f"placements export{'' if whole else ' (a selection)'}: {count} rows",
        user=exported_by,
        username=actor,
    )
    return count
