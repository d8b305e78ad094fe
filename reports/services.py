"""Writes of the reports app that send a task: asking for an outcome snapshot.

The work is ``reports.snapshots`` (``snapshot_compute``, run by
``reports.tasks``); this module sends the task, so it stands above both.
"""

from accounts.models import User
from reports.models import OutcomeSnapshot
from reports.snapshots import snapshot_queue
from reports.tasks import compute_snapshot_task


def snapshot_request(*, requested_by: User | None = None) -> OutcomeSnapshot:
    """A queued snapshot; the task that computes it is sent once this row is committed."""
    return snapshot_queue(task=compute_snapshot_task, requested_by=requested_by)
