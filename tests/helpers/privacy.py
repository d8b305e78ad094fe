"""A whole case in every table, for the tests of extracts and retention."""

import datetime
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from accounts.models import User
from audit.models import Action
from audit.services import log_access
from followup.models import FollowUp, RegisterOutcome, SurveyResponse
from participants.models import (
    CaseNote,
    CaseStatusChange,
    Consent,
    LearningGoal,
    Participant,
    ParticipantChange,
    Study,
    SupportActivity,
    TransferRequest,
    TransferStatus,
    Unit,
)
from placements.models import Internship, Placement, WageSubsidyCase, follow_up_due_date
from survey.models import SurveyInvitation, SurveyRound
from tests.factories import (
    CaseNoteFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    make_personnummer,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@dataclass
class Case:
    """A participant with a row of every kind, and what identifies them."""

    participant: Participant
    marker: str  # in every free-text field, so free text is found wherever it went
    rows: dict[type[Model], list[Model]] = field(default_factory=dict)

    @property
    def needles(self) -> list[str]:
        number = self.participant.personnummer
        return [
            number,
            f"{number[:8]}-{number[8:]}",
            number[2:],
            f"{number[2:8]}-{number[8:]}",
            self.participant.first_name,
            self.participant.last_name,
            self.marker,
        ]


def build_case(
    *,
    on: datetime.date,
    unit: Unit,
    coach: User,
    first_name: str,
    last_name: str,
    birth: datetime.date,
    serial: int,
    marker: str,
) -> Case:
    """Everything about one person, dated from ``on`` over about 15 months.

    Run it under frozen time: the automatic timestamps take the frozen date.
    """
    participant = ParticipantFactory(
        unit=unit,
        coach=coach,
        first_name=first_name,
        last_name=last_name,
        personnummer=make_personnummer(birth, serial),
        birth_date=birth,
        enrolled_on=on,
        foreign_born=True,
        education_level="gymnasial",
        months_social_assistance_before=14,
        months_unemployed_before=22,
        disability=True,
    )
    placement = PlacementFactory(
        participant=participant,
        workplace=WorkplaceFactory(name=f"Förskolan Gläntan {serial}"),
        funding="amf",
        start_date=on + days(30),
        planned_end_date=on + days(395),
        extended_on=on + days(200),
        end_date=on + days(365),
        end_reason="completed",
    )
    followup = FollowUp.objects.create(
        placement=placement,
        due_date=follow_up_due_date(placement.end_date),
        performed_on=follow_up_due_date(placement.end_date) + days(5),
        outcome="studier",
        employer_or_school=f"Komvux Järva {marker}",
        note=f"Läser till undersköterska {marker}",
        performed_by=coach,
    )
    survey_round, _created = SurveyRound.objects.get_or_create(
        name=f"Hösten {on.year}",
        defaults={"opens_on": on + days(190), "closes_on": on + days(220)},
    )
    note = CaseNoteFactory(participant=participant, author=coach, text=f"Första träffen {marker}")
    correction = CaseNote.objects.create(
        participant=participant,
        author=coach,
        text=f"Rättelse: andra träffen {marker}",
        corrects=note,
    )
    rows: dict[type[Model], list[Model]] = {
        Participant: [participant],
        Placement: [placement],
        FollowUp: [followup],
        CaseNote: [note, correction],
        SupportActivity: [
            SupportActivity.objects.create(
                participant=participant,
                placement=placement,
                phase="before",
                kind="mapping",
                date=on + days(5),
                note=f"Kartläggning av intressen {marker}",
                recorded_by=coach,
            )
        ],
        LearningGoal: [
            LearningGoal.objects.create(
                participant=participant,
                placement=placement,
                description=f"Truckkort A {marker}",
                target_industry="Lager och logistik",
                target_date=on + days(200),
                status="reached",
                reviewed_on=on + days(190),
                next_review_on=on + days(300),
            )
        ],
        Study: [
            Study.objects.create(
                participant=participant,
                placement=placement,
                kind="sfi",
                course="Sfi kurs D",
                provider="Hermods Järva",
                start_date=on + days(40),
                end_date=on + days(200),
                extent_percent=25,
                completed=True,
            )
        ],
        Internship: [
            Internship.objects.create(
                participant=participant,
                placement=placement,
                employer=f"Lagerbolaget {marker}",
                occupation="Truckförare",
                start_date=on + days(100),
                end_date=on + days(113),
            )
        ],
        WageSubsidyCase: [
            WageSubsidyCase.objects.create(
                participant=participant,
                placement=placement,
                kind="nystartsjobb",
                employer=f"Byggbolaget {marker}",
                applied_on=on + days(370),
                decided_on=on + days(390),
                outcome="granted",
            )
        ],
        RegisterOutcome: [
            RegisterOutcome.objects.create(
                participant=participant, year=on.year + 1, income_source="studier"
            )
        ],
        SurveyInvitation: [
            SurveyInvitation.objects.create(
                survey_round=survey_round, participant=participant, job_type=placement.job_type
            )
        ],
        # Linked to the person because they asked for it.
        SurveyResponse: [
            SurveyResponse.objects.create(
                survey_round=survey_round,
                job_type=placement.job_type,
                participant=participant,
                staff_listen="stammer_bra",
                studied_during_placement=True,
                submitted_on=on + days(200),
            )
        ],
        Consent: [
            Consent.objects.create(
                participant=participant,
                flow="scb",
                given=True,
                decided_on=on + days(1),
                recorded_by=coach,
            )
        ],
        # The coach corrected the phone number.
        ParticipantChange: [
            ParticipantChange.objects.create(
                participant=participant,
                field="phone",
                old_value="08-123 456 78",
                new_value=f"070-{serial} 45 67 {marker}",
                changed_by=coach,
                changed_at=at(on + days(3)),
            )
        ],
        # They declined support for a week and came back.
        CaseStatusChange: [
            CaseStatusChange.objects.create(
                participant=participant,
                kind="close",
                date=on + days(15),
                reason="avbojt",
                changed_by=coach,
                changed_at=at(on + days(15)),
            ),
            CaseStatusChange.objects.create(
                participant=participant,
                kind="reopen",
                date=on + days(22),
                changed_by=coach,
                changed_at=at(on + days(22)),
            ),
        ],
        # Another unit asked to take the person over, and was declined.
        TransferRequest: [
            TransferRequest.objects.create(
                participant=participant,
                from_unit=unit,
                to_unit=Unit.objects.get_or_create(name="Jobbtorg Spånga")[0],
                requested_by=coach,
                requested_at=at(on + days(10)),
                reason=f"Har flyttat till Spånga {marker}",
                status=TransferStatus.DECLINED,
                decided_by=coach,
                decided_at=at(on + days(12)),
            )
        ],
    }
    return Case(participant=participant, marker=marker, rows=rows)


def log_reads_of(case: Case, coach: User, admin: User) -> None:
    """The copies in the logs: access-log rows and the admin's own log, at the frozen time."""
    participant = case.participant
    log_access(
        action=Action.VIEW,
        participant_id=participant.pk,
        object_type="participant",
        object_id=participant.pk,
        user=coach,
    )
    placement = case.rows[Placement][0]
    log_access(
        action=Action.CHANGE,
        participant_id=participant.pk,
        object_type="placement",
        object_id=placement.pk,
        user=coach,
    )
    for row in (participant, case.rows[CaseNote][0], case.rows[FollowUp][0]):
        LogEntry.objects.create(
            user=admin,
            content_type=ContentType.objects.get_for_model(row),
            object_id=str(row.pk),
            object_repr=str(row),
            action_flag=CHANGE,
            change_message=f'[{{"changed": {{"fields": ["{participant.last_name}"]}}}}]',
        )
