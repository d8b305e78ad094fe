"""The demo's case content: journal, support activities, learning goals,
studies, internships and wage-subsidy cases, for the demo coach's
participants and a sample of the others.
"""

import datetime
import random
from collections.abc import Sequence

from dateutil.relativedelta import relativedelta

from accounts.models import User
from demo.common import BATCH_SIZE, bulk_create
from demo.journal import CORRECTION_SHARE, journal_correction, journal_notes
from demo.people import Person
from demo.subsidies import granted_subsidy, other_subsidy_cases
from followup.models import FollowUp, Outcome
from participants.models import (
    ActivityKind,
    CaseNote,
    GoalStatus,
    LearningGoal,
    Phase,
    Study,
    StudyKind,
    SupportActivity,
)
from placements.models import Internship, WageSubsidyCase

CONTENT_SAMPLE_SHARE = 0.05
INTERNSHIP_EMPLOYERS = (
    ("Lagerhallen Årsta AB", "Lagerarbetare"), ("Bageriet på Hornsgatan", "Bagare"),
    ("Omsorgsgruppen Väst AB", "Undersköterska"), ("Byggservice Syd AB", "Snickare"),
    ("Restaurang Kvarnen i Tensta", "Kock"), ("Butiken på hörnet", "Butiksbiträde"),
    ("Bilverkstaden Kista", "Fordonstekniker"), ("Förskolan Solrosen, Riksby", "Barnskötare"),
)  # fmt: skip
STUDY_COURSES = {
    StudyKind.SFI: (("Sfi kurs C", "Sfi Stockholm"), ("Sfi kurs D", "Sfi Stockholm")),
    StudyKind.BASIC_ADULT: (
        ("Svenska som andraspråk, grundläggande", "Komvux Stockholm"),
        ("Matematik, grundläggande", "Komvux Stockholm"),
    ),
    StudyKind.UPPER_SECONDARY_ADULT: (
        ("Svenska 1", "Komvux Stockholm"),
        ("Matematik 1a", "Komvux Stockholm"),
        ("Engelska 5", "Komvux Stockholm"),
    ),
    StudyKind.VOCATIONAL: (
        ("Barnskötare", "Yrkesvux Söderort"),
        ("Vårdbiträde", "Yrkesvux Järva"),
        ("Lokalvård", "Yrkesvux Söderort"),
        ("Kock", "Yrkesvux Järva"),
        ("Truckkort A+B", "Yrkesvux Söderort"),
    ),
}
GOALS = (
    "Klara arbetsuppgifterna självständigt efter introduktionen",
    "Förbättra svenskan i arbetet till nivå sfi D",
    "Ta B-körkort",
    "Läsa in en gymnasiekurs inför vidare studier",
    "Få ett intyg från arbetsplatsen om yrkeskunskaperna",
    "Gå kurs i hjärt- och lungräddning",
    "Lära sig schema, rutiner och kundbemötande",
)


def create_case_content(
    rng: random.Random,
    people: Sequence[Person],
    followups: Sequence[FollowUp],
    demo_coach: User,
    today: datetime.date,
) -> dict[str, int]:
    """Journal, activities, goals, studies, internships and wage-subsidy cases.

    Every participant of the demo coach gets them, plus a sample of others;
    every subsidised job found at follow-up gets its granted wage-subsidy case.
    """
    notes: list[tuple[CaseNote, datetime.datetime]] = []
    corrections: list[tuple[CaseNote, datetime.datetime]] = []
    activities: list[SupportActivity] = []
    goals: list[LearningGoal] = []
    studies: list[Study] = []
    internships: list[Internship] = []
    subsidies: list[WageSubsidyCase] = []
    for person in people:
        if person.participant.coach is demo_coach or rng.random() < CONTENT_SAMPLE_SHARE:
            person_notes = journal_notes(rng, person, today)
            notes += [(note, written) for note, written, _ in person_notes]
            during = [
                (note, written) for note, written, phase in person_notes if phase == Phase.DURING
            ]
            # At least one correction, so the journal shows how they look.
            if during and (not corrections or rng.random() < CORRECTION_SHARE):
                corrections.append(journal_correction(rng, person, *during[0], today))
            activities += _activities(rng, person, today)
            goals += _goals(rng, person, today)
            studies += _studies(rng, person, today)
            internships += _internships(rng, person, today)
            subsidies += other_subsidy_cases(rng, person, today)
    for followup in followups:
        if followup.outcome == Outcome.WORK_SUBSIDISED:
            subsidies.append(granted_subsidy(rng, followup, today))

    # A correction points at its original, so originals are saved first.
    bulk_create([note for note, _ in notes])
    bulk_create([note for note, _ in corrections])
    # created_at is auto_now_add: the dates the notes were written go in afterwards.
    dated = notes + corrections
    for note, written in dated:
        note.created_at = written
    CaseNote.objects.bulk_update([note for note, _ in dated], ["created_at"], batch_size=BATCH_SIZE)
    for rows in (activities, goals, studies, internships, subsidies):
        bulk_create(rows)
    return {
        "case notes": len(dated),
        "support activities": len(activities),
        "learning goals": len(goals),
        "studies": len(studies),
        "internships": len(internships),
        "wage-subsidy cases": len(subsidies),
    }


def _activities(rng: random.Random, person: Person, today: datetime.date) -> list[SupportActivity]:
    first = person.placements[0]
    enrolled = person.participant.enrolled_on
    day = datetime.timedelta(days=1)
    planned = [
        (Phase.BEFORE, ActivityKind.INTRODUCTION, enrolled),
        (Phase.BEFORE, ActivityKind.MAPPING, enrolled + rng.randint(5, 12) * day),
        (Phase.BEFORE, ActivityKind.MATCHING, first.start_date - rng.randint(5, 12) * day),
    ]
    if rng.random() < 0.3:
        planned.append((Phase.BEFORE, ActivityKind.STUDY_PLANNING, enrolled + 14 * day))
    if rng.random() < 0.2:
        planned.append((Phase.BEFORE, ActivityKind.INITIAL_INTERNSHIP, enrolled + 21 * day))
    end = first.end_date or first.planned_end_date or today
    talk = first.start_date + rng.randint(20, 40) * day
    while talk < end and len(planned) < 8:
        planned.append((Phase.DURING, ActivityKind.COACHING_TALK, talk))
        talk += rng.randint(45, 75) * day
    for kind in (ActivityKind.COURSE, ActivityKind.GUIDANCE, ActivityKind.JOB_SEARCH):
        if rng.random() < 0.35:
            written = (
                first.start_date + rng.randint(30, max(31, (end - first.start_date).days)) * day
            )
            planned.append((Phase.DURING, kind, min(written, end)))
    if first.end_date:
        planned.append(
            (Phase.AFTER, ActivityKind.JOB_SEARCH, first.end_date + rng.randint(7, 30) * day)
        )
        if rng.random() < 0.4:
            planned.append(
                (Phase.AFTER, ActivityKind.GUIDANCE, first.end_date + rng.randint(20, 60) * day)
            )
    return [
        SupportActivity(
            participant=person.participant,
            placement=None if phase == Phase.BEFORE else first,
            phase=phase,
            kind=kind,
            date=when,
            recorded_by=person.participant.coach,
        )
        for phase, kind, when in planned
        if when <= today
    ]


def _goals(rng: random.Random, person: Person, today: datetime.date) -> list[LearningGoal]:
    first = person.placements[0]
    goals = []
    for description in rng.sample(GOALS, rng.randint(1, 2)):
        target = first.planned_end_date or first.start_date + relativedelta(months=6)
        if first.end_date:
            status = GoalStatus.REACHED if rng.random() < 0.6 else GoalStatus.NOT_REACHED
            reviewed, next_review = first.end_date, None
        else:
            started_lately = (today - first.start_date).days < 30
            status = GoalStatus.PLANNED if started_lately else GoalStatus.IN_PROGRESS
            reviewed = max(first.start_date, today - datetime.timedelta(days=rng.randint(5, 60)))
            next_review = reviewed + relativedelta(months=2)
        goals.append(
            LearningGoal(
                participant=person.participant,
                placement=first,
                description=description,
                target_industry=first.workplace.industry,
                target_date=target,
                status=status,
                reviewed_on=reviewed,
                next_review_on=next_review,
            )
        )
    return goals


def _studies(rng: random.Random, person: Person, today: datetime.date) -> list[Study]:
    first = person.placements[0]
    start = first.start_date + datetime.timedelta(days=rng.randint(14, 90))
    if rng.random() > 0.3 or start > today or (first.end_date and start >= first.end_date):
        return []
    if person.participant.foreign_born and rng.random() < 0.5:
        kind = StudyKind.SFI
    else:
        kind = rng.choice(
            [StudyKind.BASIC_ADULT, StudyKind.UPPER_SECONDARY_ADULT, StudyKind.VOCATIONAL]
        )
    course, provider = rng.choice(STUDY_COURSES[kind])
    end = start + relativedelta(months=rng.randint(2, 6))
    if first.end_date:
        end = min(end, first.end_date)
    finished = end <= today
    return [
        Study(
            participant=person.participant,
            placement=first,
            kind=kind,
            course=course,
            provider=provider,
            start_date=start,
            end_date=end if finished else None,
            extent_percent=rng.choice((10, 20, 25, 30, 40, 50)),
            completed=(rng.random() < 0.75) if finished else None,
        )
    ]


def _internships(rng: random.Random, person: Person, today: datetime.date) -> list[Internship]:
    first = person.placements[0]
    start = first.start_date + datetime.timedelta(days=rng.randint(30, 150))
    end = start + datetime.timedelta(days=rng.randint(4, 27))  # at most four weeks
    if rng.random() > 0.15 or end > today or (first.end_date and end > first.end_date):
        return []
    employer, occupation = rng.choice(INTERNSHIP_EMPLOYERS)
    return [
        Internship(
            participant=person.participant,
            placement=first,
            employer=employer,
            occupation=occupation,
            start_date=start,
            end_date=end,
        )
    ]
