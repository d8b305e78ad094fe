"""The participant page's timeline: everything in one case, newest first.

One query per kind of record, each with the rows it displays joined in, so
the page runs the same number of queries for a participant with three
entries as for one with three hundred.
"""

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import FollowUp
from participants.models import CaseNote, Participant
from participants.selectors import case_status_changes
from placements.models import Placement

# The kinds in the order of the filter chips; the keys are also the `show` parameter.
KINDS: dict[str, Any] = {
    "notes": _("Notes"),
    "activities": _("Support activities"),
    "goals": _("Learning goals"),
    "studies": _("Studies"),
    "placements": _("Placements"),
    "internships": _("Internships"),
    "subsidies": _("Wage subsidies"),
    "followups": _("Follow-ups"),
    "status": _("Closing and reopening"),
}


class FollowUpStatus:
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"


@dataclass
class FollowUpState:
    """The follow-up of one ended placement, whether or not its row exists yet."""

    placement: Placement
    followup: FollowUp | None
    due_date: datetime.date
    status: str

    @property
    def is_done(self) -> bool:
        return self.status == FollowUpStatus.DONE


@dataclass
class TimelineEntry:
    kind: str
    date: datetime.date
    created_at: datetime.datetime
    item: Any
    # Set by the view: the form shown in place (an open follow-up's registration).
    form: Any = field(default=None, compare=False)
    form_spec: Any = field(default=None, compare=False)

    @property
    def template(self) -> str:
        return f"participants/_timeline_{self.kind}.html"


def followup_state(placement: Placement, *, today: datetime.date) -> FollowUpState | None:
    """Due, overdue or done; None for a placement that has not ended."""
    if placement.end_date is None:
        return None
    try:
        followup = placement.followup
    except ObjectDoesNotExist:
        followup = None
    if followup is not None and followup.is_done:
        status = FollowUpStatus.DONE
        due = followup.due_date
    else:
        due = followup.due_date if followup is not None else placement.follow_up_due
        status = FollowUpStatus.OVERDUE if due < today else FollowUpStatus.DUE
    return FollowUpState(placement=placement, followup=followup, due_date=due, status=status)


def _placement_date(placement: Placement) -> datetime.date:
    # A placement sits at its latest event, so an ending shows as news.
    return max(d for d in (placement.start_date, placement.extended_on, placement.end_date) if d)


def participant_timeline(
    participant: Participant,
    *,
    today: datetime.date,
    kinds: Collection[str] | None = None,
) -> list[TimelineEntry]:
    """The participant's records of the given kinds (all by default), newest first."""
    wanted = set(KINDS) if kinds is None else set(kinds) & set(KINDS)
    entries: list[TimelineEntry] = []

    if "notes" in wanted:
        notes = list(
            CaseNote.objects.filter(participant=participant).select_related(
                "author", "corrects", "corrects__author"
            )
        )
        # Every note of the participant is loaded here, so the "corrected by"
        # side comes from the same rows, not from a query per note.
        corrections: dict[int, list[CaseNote]] = defaultdict(list)
        for note in notes:
            if note.corrects_id is not None:
                corrections[note.corrects_id].append(note)
        for note in notes:
            note.corrected_by = sorted(corrections.get(note.pk, []), key=lambda n: n.created_at)
            entries.append(
                TimelineEntry("notes", timezone.localdate(note.created_at), note.created_at, note)
            )

    if "activities" in wanted:
        activities = participant.activities.select_related("recorded_by", "placement__job_type")
        entries += [TimelineEntry("activities", a.date, a.created_at, a) for a in activities]

    if "goals" in wanted:
        # A goal sits at its latest review, or where it was set.
        for goal in participant.learning_goals.all():
            date = goal.reviewed_on or timezone.localdate(goal.created_at)
            entries.append(TimelineEntry("goals", date, goal.created_at, goal))

    if "studies" in wanted:
        studies = participant.studies.select_related("placement__job_type")
        entries += [TimelineEntry("studies", s.start_date, s.created_at, s) for s in studies]

    if wanted & {"placements", "followups"}:
        placements = Placement.objects.filter(participant=participant).select_related(
            "job_type", "workplace", "followup", "followup__performed_by"
        )
        for placement in placements:
            if "placements" in wanted:
                entries.append(
                    TimelineEntry(
                        "placements", _placement_date(placement), placement.created_at, placement
                    )
                )
            state = followup_state(placement, today=today)
            if state is not None and "followups" in wanted:
                entries.append(
                    TimelineEntry(
                        "followups",
                        state.followup.performed_on if state.is_done else state.due_date,
                        state.followup.created_at if state.followup else placement.created_at,
                        state,
                    )
                )

    if "internships" in wanted:
        entries += [
            TimelineEntry("internships", i.start_date, i.created_at, i)
            for i in participant.internships.all()
        ]

    if "subsidies" in wanted:
        for case in participant.wage_subsidy_cases.all():
            # How long Arbetsförmedlingen has had it: the processing time, so far.
            case.waiting_days = None if case.decided_on else (today - case.applied_on).days
            # A case sits at its decision once there is one: that is the news.
            date = case.decided_on or case.applied_on
            entries.append(TimelineEntry("subsidies", date, case.created_at, case))

    if "status" in wanted:
        entries += [
            TimelineEntry("status", event.date, event.changed_at, event)
            for event in case_status_changes(participant)
        ]

    entries.sort(key=lambda entry: (entry.date, entry.created_at), reverse=True)
    return entries
