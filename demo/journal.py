"""The demo's journal: a coach's case notes on the first placement, and corrections."""

import datetime
import random

from django.utils import timezone

from demo.people import Person
from participants.models import CaseNote, Phase
from placements.models import Placement

NOTES_BEFORE = (
    "Inskrivning på Jobbtorg. {first} berättar om tidigare erfarenheter och vill helst "
    "arbeta inom {industry}.",
    "Kartläggningssamtal: utbildning, språk och hälsa. {first} är motiverad att komma i arbete.",
)
NOTE_MATCHING = (
    "Matchning mot {workplace}. Intervjun gick bra och anställningen som {job_type} börjar {start}."
)
NOTES_DURING = (
    "Trepartssamtal med {first} och handledaren på {workplace}. Arbetet fungerar bra och "
    "{first} trivs i arbetslaget.",
    "Avstämning efter första månaden. {first} har kommit in i rutinerna; vi planerar studier "
    "parallellt med arbetet.",
    "{first} har varit sjuk en vecka. Pratat med handledaren, återgång planerad på måndag.",
    "Samtal om tiden efter anställningen. {first} vill söka vidare inom {industry}.",
    "Gått igenom cv och personligt brev inför ansökningar.",
)
NOTE_AFTER = (
    "Avslutningssamtal. Anställningen på {workplace} är slut; vi har gjort en plan för "
    "jobbsökandet."
)
NOTE_CORRECTION = (
    "Rättelse av anteckningen från {date}: trepartssamtalet hölls med handledaren på "
    "{workplace}, inte med enhetschefen."
)
CORRECTION_SHARE = 0.1


def _text_fields(person: Person, placement: Placement) -> dict[str, str]:
    return {
        "first": person.participant.first_name,
        "workplace": placement.workplace.name,
        "industry": placement.workplace.industry.lower(),
        "job_type": placement.job_type.name.lower(),
        "start": f"{placement.start_date:%Y-%m-%d}",
    }


def _written_at(rng: random.Random, day: datetime.date) -> datetime.datetime:
    """Some time in office hours on `day`, and never later than now (a note dated
    today is not written in the hours still to come)."""
    written = datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    return min(timezone.make_aware(written), timezone.now())


def journal_notes(
    rng: random.Random, person: Person, today: datetime.date
) -> list[tuple[CaseNote, datetime.datetime, str]]:
    """The journal of the first placement: (note, written at, phase)."""
    first = person.placements[0]
    fields = _text_fields(person, first)
    day = datetime.timedelta(days=1)
    planned = [
        (rng.choice(NOTES_BEFORE), person.participant.enrolled_on, Phase.BEFORE),
        (NOTE_MATCHING, first.start_date - rng.randint(5, 12) * day, Phase.BEFORE),
    ]
    end = first.end_date or today
    for text in rng.sample(NOTES_DURING, rng.randint(1, 3)):
        written = first.start_date + rng.randint(20, max(21, (end - first.start_date).days)) * day
        planned.append((text, min(written, end), Phase.DURING))
    if first.end_date:
        planned.append((NOTE_AFTER, first.end_date + rng.randint(1, 10) * day, Phase.AFTER))
    planned.sort(key=lambda item: item[1])
    coach = person.participant.coach
    return [
        (
            CaseNote(participant=person.participant, author=coach, text=text.format(**fields)),
            _written_at(rng, written),
            phase,
        )
        for text, written, phase in planned
        if written <= today
    ]


def journal_correction(
    rng: random.Random,
    person: Person,
    original: CaseNote,
    original_written: datetime.datetime,
    today: datetime.date,
) -> tuple[CaseNote, datetime.datetime]:
    written_on = original_written.date() + datetime.timedelta(days=rng.randint(1, 4))
    # Never in the future, and always after the note it corrects.
    written = max(
        _written_at(rng, min(written_on, today)), original_written + datetime.timedelta(minutes=5)
    )
    text = NOTE_CORRECTION.format(
        date=f"{original_written:%Y-%m-%d}", workplace=person.placements[0].workplace.name
    )
    correction = CaseNote(
        participant=person.participant,
        author=person.participant.coach,
        text=text,
        corrects=original,
    )
    return correction, written
