import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from participants import personnummer as pnr
from participants.models import CaseNote, District, Participant, Study, Unit
from placements.models import Placement


def _normalised_personnummer(value: str) -> pnr.Personnummer:
    try:
        return pnr.parse(value)
    except pnr.PersonnummerError as error:
        raise ValidationError({"personnummer": error.message}) from None


@transaction.atomic
def participant_create(
    *,
    personnummer: str,
    first_name: str,
    last_name: str,
    gender: str,
    unit: Unit,
    enrolled_on: datetime.date,
    coach: User | None = None,
    district: District | None = None,
    **background: object,
) -> Participant:
    """Register a participant; the personnummer in any accepted form is stored as 12 digits."""
    number = _normalised_personnummer(personnummer)
    participant = Participant(
        personnummer=number.number,
        birth_date=number.birth_date,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        gender=gender,
        unit=unit,
        coach=coach,
        district=district,
        enrolled_on=enrolled_on,
        **background,
    )
    participant.full_clean()
    participant.save()
    return participant


@transaction.atomic
def case_note_add(
    *, participant: Participant, author: User | None, text: str, corrects: CaseNote | None = None
) -> CaseNote:
    """Append a note. Notes are never edited: a correction is a new note pointing at the old."""
    if corrects is not None and corrects.participant_id != participant.pk:
        raise ValidationError({"corrects": _("A correction must concern the same participant.")})
    note = CaseNote(participant=participant, author=author, text=text.strip(), corrects=corrects)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def study_create(
    *,
    participant: Participant,
    kind: str,
    start_date: datetime.date,
    extent_percent: int,
    end_date: datetime.date | None = None,
    placement: Placement | None = None,
    course: str = "",
    provider: str = "",
) -> Study:
    if placement is not None and placement.participant_id != participant.pk:
        raise ValidationError({"placement": _("The placement belongs to another participant.")})
    study = Study(
        participant=participant,
        placement=placement,
        kind=kind,
        course=course,
        provider=provider,
        start_date=start_date,
        end_date=end_date,
        extent_percent=extent_percent,
    )
    study.full_clean()
    study.save()
    return study
