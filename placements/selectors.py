from django.db.models import QuerySet

from participants.models import Participant
from placements.models import Placement


def placements_for_participant(participant: Participant) -> QuerySet[Placement]:
    return participant.placements.select_related("job_type", "workplace", "followup").order_by(
        "-start_date"
    )
