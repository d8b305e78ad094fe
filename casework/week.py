"""The coach's week: what needs them, section by section, in due order.

Every section reads the coach's own open cases (not closed) through
``participants_for_user``: a task that falls due keeps its case in view. The
reminder to get in touch reads the active ones only (``casework.selectors``).
Each section is one query: its first rows, in due order,
each carrying the section's total (``COUNT(*) OVER ()``, computed by the
database before the limit). The week therefore runs the same number of
queries for a caseload of 3 and of 300.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from casework.selectors import active_cases
from followup.models import FollowUp
from followup.selectors import followup_window_start
from participants.models import GoalStatus, LearningGoal, Participant, Study, SupportActivity
from participants.selectors import participants_for_user
from placements.models import Placement, SubsidyOutcome, WageSubsidyCase

# The longest list a section shows; the rest is "and N more".
SECTION_LIMIT = 50
# Follow-ups and goal reviews: overdue, and due within the coming week.
WEEK_DAYS = 7
# Placements and studies ending: within the coming month, time to plan the next step.
ENDING_DAYS = 30
# A participant with no support activity for this long needs a contact.
QUIET_DAYS = 30


@dataclass(frozen=True)
class Action:
    label: str
    url: str


@dataclass(frozen=True)
class WeekItem:
    """One thing to do: when it is due, about whom, what, and where it is done."""

    due: datetime.date
    participant: Participant
    what: str
    actions: list[Action]
    # The age of a wage-subsidy application, in days.
    waiting_days: int | None = None


@dataclass
class Section:
    key: str
    title: str
    empty: str
    items: list[WeekItem] = field(default_factory=list)
    total: int = 0
    # Where the whole list is, when there is such a list.
    more_url: str = ""
    hint: str = ""

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def own_open_cases(user: User) -> QuerySet[Participant]:
    """The coach's own participants whose case is not closed."""
    return participants_for_user(user).filter(coach=user, closed_on__isnull=True)


def _rows(queryset: QuerySet, *order: object) -> tuple[list, int]:
    """The first rows in due order and the total, in one query."""
    rows = list(queryset.annotate(week_total=Window(Count("pk"))).order_by(*order)[:SECTION_LIMIT])
    return rows, (rows[0].week_total if rows else 0)


def _case_url(name: str, participant_id: int, **kwargs: int) -> str:
    return reverse(f"participants:{name}", kwargs={"pk": participant_id, **kwargs})


def followups_due(user: User, today: datetime.date) -> Section:
    """Open follow-ups overdue or due within the week, oldest first."""
    section = Section(
        "followups",
        _("Follow-ups due"),
        _("No follow-ups are due this week."),
        more_url=reverse("followup:followups"),
    )
    rows, section.total = _rows(
        FollowUp.objects.filter(
            performed_on__isnull=True,
            due_date__lte=today + datetime.timedelta(days=WEEK_DAYS),
            placement__participant__in=own_open_cases(user).values("pk"),
        ).select_related("placement__participant", "placement__job_type"),
        "due_date",
        "pk",
    )
    section.items = [
        WeekItem(
            due=followup.due_date,
            participant=followup.placement.participant,
            what=_("Three-month follow-up of %(job_type)s, ended %(date)s")
            % {
                "job_type": followup.placement.job_type.name,
                "date": followup.placement.end_date.isoformat(),
            },
            actions=[
                Action(
                    _("Register the follow-up"),
                    _case_url(
                        "followup_register",
                        followup.placement.participant_id,
                        placement_pk=followup.placement_id,
                    ),
                )
            ],
        )
        for followup in rows
    ]
    window_start = followup_window_start(today)
    if any(followup.placement.end_date < window_start for followup in rows):
        section.hint = _(
            "Follow-ups past the follow-up window can be closed out as not reached, "
            "several at once, on the follow-up list."
        )
    return section


def placements_ending(user: User, today: datetime.date) -> Section:
    """Ongoing placements planned to end within the month (or past their planned end)."""
    section = Section(
        "placements",
        _("Placements ending"),
        _("No placement ends in the coming 30 days."),
    )
    rows, section.total = _rows(
        Placement.objects.filter(
            end_date__isnull=True,
            start_date__lte=today,
            planned_end_date__lte=today + datetime.timedelta(days=ENDING_DAYS),
            participant__in=own_open_cases(user).values("pk"),
        ).select_related("participant", "job_type", "workplace"),
        "planned_end_date",
        "pk",
    )
    section.items = [
        WeekItem(
            due=placement.planned_end_date,
            participant=placement.participant,
            what=_("%(job_type)s at %(workplace)s: plan the next step")
            % {"job_type": placement.job_type.name, "workplace": placement.workplace.name},
            actions=[
                Action(
                    _("Extend"),
                    _case_url(
                        "placement_extend", placement.participant_id, placement_pk=placement.pk
                    ),
                ),
                Action(
                    _("End"),
                    _case_url("placement_end", placement.participant_id, placement_pk=placement.pk),
                ),
            ],
        )
        for placement in rows
    ]
    return section


def goal_reviews_due(user: User, today: datetime.date) -> Section:
    """Learning goals still worked on whose next review is overdue or within the week."""
    section = Section(
        "goals",
        _("Goal reviews due"),
        _("No learning goal is due for review this week."),
    )
    rows, section.total = _rows(
        LearningGoal.objects.filter(
            status__in=[GoalStatus.PLANNED, GoalStatus.IN_PROGRESS],
            next_review_on__lte=today + datetime.timedelta(days=WEEK_DAYS),
            participant__in=own_open_cases(user).values("pk"),
        ).select_related("participant"),
        "next_review_on",
        "pk",
    )
    section.items = [
        WeekItem(
            due=goal.next_review_on,
            participant=goal.participant,
            what=_("Learning goal towards %(industry)s") % {"industry": goal.target_industry},
            actions=[
                Action(
                    _("Review the goal"),
                    _case_url("goal_update", goal.participant_id, goal_pk=goal.pk),
                )
            ],
        )
        for goal in rows
    ]
    return section


def studies_ending(user: User, today: datetime.date) -> Section:
    """Studies ending within the month, or ended, not yet marked completed or not."""
    section = Section(
        "studies",
        _("Studies ending"),
        _("No study ends in the coming 30 days, and every ended study is marked."),
    )
    rows, section.total = _rows(
        Study.objects.filter(
            completed__isnull=True,
            end_date__lte=today + datetime.timedelta(days=ENDING_DAYS),
            participant__in=own_open_cases(user).values("pk"),
        ).select_related("participant"),
        "end_date",
        "pk",
    )
    section.items = [
        WeekItem(
            due=study.end_date,
            participant=study.participant,
            what=(
                f"{study.get_kind_display()}: {study.course}"
                if study.course
                else str(study.get_kind_display())
            ),
            actions=[
                Action(
                    _("Update or end the study"),
                    _case_url("study_update", study.participant_id, study_pk=study.pk),
                )
            ],
        )
        for study in rows
    ]
    return section


def subsidies_waiting(user: User, today: datetime.date) -> Section:
    """Wage-subsidy applications waiting for Arbetsförmedlingen's decision, oldest first."""
    section = Section(
        "subsidies",
        _("Wage subsidies waiting for a decision"),
        _("No wage-subsidy application is waiting for a decision."),
    )
    rows, section.total = _rows(
        WageSubsidyCase.objects.filter(
            outcome=SubsidyOutcome.PENDING,
            participant__in=own_open_cases(user).values("pk"),
        ).select_related("participant"),
        "applied_on",
        "pk",
    )
    section.items = [
        WeekItem(
            due=case.applied_on,
            participant=case.participant,
            what=(
                f"{case.get_kind_display()} · {case.employer}"
                if case.employer
                else str(case.get_kind_display())
            ),
            waiting_days=(today - case.applied_on).days,
            actions=[
                Action(
                    _("Record the decision"),
                    _case_url("subsidy_decide", case.participant_id, subsidy_pk=case.pk),
                )
            ],
        )
        for case in rows
    ]
    return section


def participants_without_activity(user: User, today: datetime.date) -> Section:
    """Active cases enrolled a month or more with no support activity in the last month.

    Active as the caseload counts them (``casework.selectors.active_cases``):
    cases followed up long ago are left out, nothing is left to do in them,
    though nobody has closed them yet.
    """
    section = Section(
        "quiet",
        _("No support activity for 30 days"),
        _("Everyone has had a support activity in the last 30 days."),
    )
    since = today - datetime.timedelta(days=QUIET_DAYS)
    last_activity = Subquery(
        SupportActivity.objects.filter(participant=OuterRef("pk"), date__lte=today)
        .order_by("-date")
        .values("date")[:1]
    )
    rows, section.total = _rows(
        active_cases(participants_for_user(user).filter(coach=user), today=today)
        .filter(enrolled_on__lte=since)
        .annotate(last_activity=last_activity)
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=since))
        .annotate(quiet_since=Coalesce(F("last_activity"), F("enrolled_on"))),
        "quiet_since",
        "pk",
    )
    section.items = [
        WeekItem(
            due=participant.quiet_since + datetime.timedelta(days=QUIET_DAYS),
            participant=participant,
            what=(
                _("Last support activity %(date)s")
                % {"date": participant.last_activity.isoformat()}
                if participant.last_activity
                else _("No support activity since enrolment on %(date)s")
                % {"date": participant.enrolled_on.isoformat()}
            ),
            actions=[
                Action(
                    _("Record a support activity"),
                    _case_url("activity_add", participant.pk),
                )
            ],
        )
        for participant in rows
    ]
    return section


SECTIONS: tuple[Callable[[User, datetime.date], Section], ...] = (
    followups_due,
    placements_ending,
    goal_reviews_due,
    studies_ending,
    subsidies_waiting,
    participants_without_activity,
)


def coach_week(user: User, today: datetime.date) -> list[Section]:
    """Every section of the coach's week: one query each."""
    return [section(user, today) for section in SECTIONS]
