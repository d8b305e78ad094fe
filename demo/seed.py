"""Synthetic demo data: units, staff, workplaces, participants, placements,
follow-ups, case content, register rows and survey answers, for
`manage.py seed_demo`. This module puts the parts together in order.

Nothing here describes a real person (see `demo.names`); personnummer are
random birth dates with a valid check digit; e-mail addresses use the
reserved `.example` top-level domain and phone numbers the range PTS keeps
for fiction.

Every random choice goes through the `random.Random` the caller passes in, and
"today" is a parameter, so a seed and a date give the same data every time.
The order of the steps below is the order of the draws: changing it changes
the data.
"""

import datetime
import random
from dataclasses import dataclass

from accounts.models import User
from demo.caseloads import assign_coaches, give_demo_coach_open_followups
from demo.casework import create_case_content
from demo.common import bulk_create
from demo.consents import plan_consents
from demo.followups import assign_outcomes, plan_followups
from demo.organisation import (
    DEMO_EMAIL_DOMAIN,
    DEMO_USERNAMES,
    UNIT_MANAGERS,
    create_staff,
    ensure_demo_users,
    ensure_units,
)
from demo.placements import PLACES_2021, TARGET_YEARS, ensure_targets, plan_people
from demo.register import seed_register_outcomes
from demo.survey import delete_survey_data, seed_survey
from demo.workplaces import create_workplaces, workplace_specs
from participants.models import CaseNote, District, Participant
from placements.models import JobType, PlacementTarget, Workplace

FIRST_YEAR = 2018
PLACEMENTS_PER_YEAR = 800


@dataclass(frozen=True)
class SeedOptions:
    """What to make: placements start in first_year..last_year, never after today."""

    today: datetime.date
    first_year: int = FIRST_YEAR
    last_year: int | None = None  # None: today's year
    per_year: int = PLACEMENTS_PER_YEAR


def seed_demo(*, rng: random.Random, options: SeedOptions) -> dict[str, int]:
    """Create the demo data set and return row counts by kind.

    The caller owns the transaction and has checked that no participants
    exist: units, targets and the demo users are reused, the rest is new.
    """
    today = options.today
    units = ensure_units()
    demo_users = ensure_demo_users(units)
    demo_coach = demo_users["coach"]
    coaches = create_staff(units, demo_coach)
    job_types = list(
        JobType.objects.filter(code__in=PLACES_2021, active=True).order_by("sort_order")
    )
    years = range(options.first_year, (options.last_year or today.year) + 1)
    ensure_targets(rng, job_types, sorted(set(TARGET_YEARS) | set(years)))
    districts = {district.code: district for district in District.objects.all()}
    workplaces = create_workplaces(districts)

    people = plan_people(
        rng,
        job_types,
        districts,
        units,
        workplaces,
        years=years,
        per_year=options.per_year,
        today=today,
    )
    assign_coaches(rng, people, coaches, demo_coach, today)
    keep_open = give_demo_coach_open_followups(rng, people, demo_coach, today)
    followups = plan_followups(rng, people, today, keep_open)
    assign_outcomes(rng, [f for f in followups if f.performed_on])

    participants = [person.participant for person in people]
    placements = [placement for person in people for placement in person.placements]
    bulk_create(participants)
    bulk_create(placements)
    bulk_create(followups)
    content = create_case_content(rng, people, followups, demo_coach, today)
    # Drawn last, so the consents leave the rest of the data as it was before them.
    consents = plan_consents(rng, people, today)
    bulk_create(consents)
    # Sources of the annual report beside the case data; they draw on their own.
    register_rows = seed_register_outcomes(rng=random.Random(rng.random()), today=today)  # noqa: S311
    survey = seed_survey(today)

    # The demo coach is counted among the demo users, not the staff made here.
    staff = sum(len(unit_coaches) for unit_coaches in coaches.values()) - 1 + len(UNIT_MANAGERS)
    return {
        "units": len(units),
        "demo users": len(demo_users),
        "other staff (cannot log in)": staff,
        "placement targets": PlacementTarget.objects.count(),
        "workplaces": len(workplaces),
        "participants": len(participants),
        "placements": len(placements),
        "ongoing placements": sum(1 for p in placements if p.end_date is None),
        "follow-ups": len(followups),
        "registered follow-ups": sum(1 for f in followups if f.performed_on),
        **content,
        "consent decisions": len(consents),
        "SCB register rows": register_rows,
        **survey,
        "demo coach's participants": sum(1 for p in participants if p.coach_id == demo_coach.pk),
    }


def delete_demo_data() -> dict[str, int]:
    """Remove what a previous seed made, so `seed_demo --force` can start over.

    Deletes every participant with everything that hangs on them (placements,
    follow-ups, journal, activities, goals, studies, internships, wage-subsidy
    cases, consents, register outcomes), the seed's workplaces once no placement uses
    them, and the seed's staff (their e-mail ends in @jobbtorg.example). Units,
    placement targets, other workplaces and other users stay; the three demo
    users are updated in place by the next seed, never duplicated.
    """
    # A correction PROTECTs the note it corrects, so the journal goes newest
    # correction first; otherwise deleting a participant would be refused.
    notes = 0
    while deleted := CaseNote.objects.filter(corrections__isnull=True).delete()[0]:
        notes += deleted
    survey = delete_survey_data()
    participants = Participant.objects.count()
    Participant.objects.all().delete()
    workplaces, _ = Workplace.objects.filter(
        name__in=[spec.name for spec in workplace_specs()], placements__isnull=True
    ).delete()
    staff, _ = (
        User.objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN, is_superuser=False)
        .exclude(username__in=DEMO_USERNAMES)
        .delete()
    )
    return {
        "participants": participants,
        "workplaces": workplaces,
        "staff rows": staff,
        **survey,
    }
