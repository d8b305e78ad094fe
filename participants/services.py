from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.models import Action
from audit.services import log_access, log_bulk_change
from core.locking import RecordChanged, lock_unchanged
from core.periods import overlapping, periods_overlap
from participants import personnummer as pnr
from participants.contact import NORMALISERS
from participants.models import (
    MAX_STUDY_EXTENT_PERCENT,
    CaseNote,
    CaseStatusChange,
    CaseStatusKind,
    ClosureReason,
    Consent,
    ConsentFlow,
    District,
    GoalStatus,
    LearningGoal,
    Participant,
    ParticipantChange,
    Study,
    SupportActivity,
    TransferRequest,
    TransferStatus,
    Unit,
)
from participants.selectors import (
    can_decide_transfer,
    can_see_sensitive,
    consent_state,
    has_consent,
    participants_for_user,
)

if TYPE_CHECKING:
    from placements.models import Placement


def _normalised_personnummer(value: str) -> pnr.Personnummer:
    try:
        return pnr.parse(value)
    except pnr.PersonnummerError as error:
        raise ValidationError({"personnummer": error.message}) from None


def social_assistance_check(
    *, participant: Participant | None, months: int | None, district_consent_now: bool = False
) -> None:
    """Refuse months of social assistance unless the district flow has consent.

    The figure is information from the district administration's social
    services: it may be recorded only when the participant consents to that
    exchange, given in the same submission (`district_consent_now`) or
    already current. Clearing the figure is always allowed.
    """
    if months is None or district_consent_now:
        return
    if (
        participant is not None
        and participant.pk
        and has_consent(participant, ConsentFlow.DISTRICT)
    ):
        return
    raise ValidationError(
        {
            "months_social_assistance_before": _(
                "Months of social assistance come from the district administration: record "
                "them only when the participant has consented to information exchange with "
                "the district administration."
            )
        }
    )


ALREADY_REGISTERED = _("This personal identity number is already registered.")


@transaction.atomic
def participant_create(
    *,
    personnummer: str,
    first_name: str,
    last_name: str,
    unit: Unit,
    enrolled_on: datetime.date,
    coach: User | None = None,
    district: District | None = None,
    consents: Mapping[str, bool] | None = None,
    registered_by: User | None = None,
    **background: object,
) -> Participant:
    """Register a participant; the personnummer in any accepted form is stored as 12 digits.

    `consents` holds the decisions taken at registration, by flow (a flow
    not asked yet is left out); they are recorded as made today by
    `registered_by`. Birth date and legal gender come from the personnummer.
    Sensitive data (disability, a self-described gender) is kept only from a
    user who may see it.
    """
    if {"gender", "birth_date"} & set(background):
        raise TypeError("Gender and birth date come from the personnummer.")
    consents = dict(consents or {})
    number = _normalised_personnummer(personnummer)
    if not (registered_by is not None and can_see_sensitive(registered_by)):
        for field in Participant.SENSITIVE_FIELDS:
            background.pop(field, None)
    social_assistance_check(
        participant=None,
        months=background.get("months_social_assistance_before"),
        district_consent_now=consents.get(ConsentFlow.DISTRICT) is True,
    )
    if "gender_self_described" in background:
        background["gender_self_described"] = str(background["gender_self_described"]).strip()
    background = {field: _normalised(field, value) for field, value in background.items()}
    participant = Participant(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        unit=unit,
        coach=coach,
        district=district,
        enrolled_on=enrolled_on,
        **background,
    )
    participant.set_personnummer(number)
    participant.full_clean()
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError:
        # Registered by another request between the check above and this insert.
        raise ValidationError({"personnummer": ALREADY_REGISTERED}) from None
    for flow, given in consents.items():
        consent_record(
            participant=participant,
            flow=flow,
            given=given,
            decided_on=timezone.localdate(),
            recorded_by=registered_by,
        )
    return participant


@transaction.atomic
def participant_set_sensitive(
    *,
    participant: Participant,
    changed_by: User,
    loaded_at: datetime.datetime | None = None,
    **values: object,
) -> Participant:
    """Record sensitive data: ``disability`` (yes, no, or unknown: None) and/or
    ``gender_self_described`` (the participant's own words, or empty).

    Only a user who may see these fields may set them. Raises RecordChanged
    when the participant was saved by someone else after `loaded_at`.
    """
    if not can_see_sensitive(changed_by):
        raise PermissionDenied
    unknown = set(values) - set(Participant.SENSITIVE_FIELDS)
    if unknown:
        raise TypeError(f"Not sensitive fields: {sorted(unknown)}")
    current = lock_unchanged(Participant.objects, pk=participant.pk, loaded_at=loaded_at)
    before = {field: getattr(current, field) for field in values}
    for field, value in values.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    current.full_clean(exclude=[f.name for f in Participant._meta.fields if f.name not in values])
    changed = [field for field in values if getattr(current, field) != before[field]]
    if not changed:
        return current
    current.save(update_fields=[*changed, "updated_at"])
    _record_changes(
        participant=current,
        changes=[(field, before[field], getattr(current, field)) for field in changed],
        changed_by=changed_by,
    )
    return current


# --- A participant's own data and its history ----------------------------------------------

# Besides the participant's own data (Participant.DETAIL_FIELDS), what the
# Django admin also changes: the case's unit, coach and enrolment date. The
# participant page moves people between units only by a transfer.
ADMIN_FIELDS = ("unit", "coach", "enrolled_on")


def _normalised(field: str, value: object) -> object:
    """A typed value as it is stored: contact details in their one form, text trimmed."""
    if not isinstance(value, str):
        return value
    normalise = NORMALISERS.get(field)
    return normalise(value) if normalise is not None else " ".join(value.split())


def _as_text(value: object) -> str:
    """A field's value as the history keeps it: a code, a name, true or false, or empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    return str(value)


def _record_changes(
    *,
    participant: Participant,
    changes: Iterable[tuple[str, object, object]],
    changed_by: User | None,
    reason: str = "",
) -> list[ParticipantChange]:
    """One history row per field changed, all with the same time."""
    now = timezone.now()
    rows = [
        ParticipantChange(
            participant=participant,
            field=field,
            old_value=_as_text(old),
            new_value=_as_text(new),
            reason=reason,
            changed_by=changed_by,
            changed_at=now,
        )
        for field, old, new in changes
    ]
    for row in rows:
        row.full_clean()
    return ParticipantChange.objects.bulk_create(rows)


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    changed_by: User | None,
    loaded_at: datetime.datetime | None = None,
    **values: object,
) -> Participant:
    """Correct a participant's own data (``Participant.DETAIL_FIELDS``); the Django
    admin also their unit, coach and enrolment date (``ADMIN_FIELDS``).

    Only the fields whose value changes are saved, each with a history row
    (``ParticipantChange``: the value before and after, who and when) in the
    same transaction. The personnummer is corrected by ``personnummer_correct``
    and the sensitive fields by ``participant_set_sensitive``. A new figure of
    months of social assistance needs the district flow's consent. Raises
    RecordChanged when the participant was saved by someone else after
    `loaded_at`.
    """
    unknown = set(values) - set(Participant.DETAIL_FIELDS) - set(ADMIN_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of a participant's own data: {sorted(unknown)}")
    current = lock_unchanged(Participant.objects, pk=participant.pk, loaded_at=loaded_at)
    before = {field: getattr(current, field) for field in values}
    for field, value in values.items():
        setattr(current, field, _normalised(field, value))
    changed = [field for field in values if getattr(current, field) != before[field]]
    if not changed:
        return current
    if "months_social_assistance_before" in changed:
        social_assistance_check(participant=current, months=current.months_social_assistance_before)
    # Only what changes is checked: an old value nobody touches does not block a correction.
    current.full_clean(exclude=[f.name for f in Participant._meta.fields if f.name not in changed])
    current.save(update_fields=[*changed, "updated_at"])
    _record_changes(
        participant=current,
        changes=[(field, before[field], getattr(current, field)) for field in changed],
        changed_by=changed_by,
    )
    return current


PERSONNUMMER_OBJECT = "personnummer"


def _number_taken() -> str:
    return _(
        "Another participant is already registered with this number; nothing was changed. "
        "If both records are the same person, ask the register's keeper to merge them."
    )


@transaction.atomic
def personnummer_correct(
    *, participant: Participant, new_number: str, reason: str, by_user: User
) -> Participant:
    """Correct a personnummer typed wrong at registration: an administrator's logged act.

    The number is read as registration reads it (any accepted form, stored as
    12 digits) and brings its birth date and legal gender with it. A number
    another participant has is refused without naming them: two records of
    one person are a matter for the register's keeper, not for a correction.
    The history keeps the old and new numbers masked, with the reason; the
    access log gets a row that says a number was corrected, never which.
    """
    if not by_user.has_role(Role.ADMIN):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the number is corrected.")})
    number = _normalised_personnummer(new_number)
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if number.number == current.personnummer:
        raise ValidationError(
            {"personnummer": _("This is the number already recorded; nothing to correct.")}
        )
    taken = Participant.objects.filter(personnummer=number.number).exclude(pk=current.pk)
    if taken.exists():
        raise ValidationError({"personnummer": _number_taken()})
    derived = ("personnummer", "birth_date", "gender")
    old = {field: getattr(current, field) for field in derived}
    current.set_personnummer(number)
    current.full_clean(
        exclude=[f.name for f in Participant._meta.fields if f.name not in derived],
        validate_unique=False,
    )
    try:
        with transaction.atomic():
            current.save(update_fields=[*derived, "updated_at"])
    except IntegrityError:
        # Registered by another request between the check above and this save.
        raise ValidationError({"personnummer": _number_taken()}) from None
    changes = [("personnummer", pnr.mask(old["personnummer"]), number.masked)]
    changes += [
        (field, old[field], getattr(current, field))
        for field in ("birth_date", "gender")
        if old[field] != getattr(current, field)
    ]
    _record_changes(participant=current, changes=changes, changed_by=by_user, reason=reason)
    log_access(
        action=Action.CHANGE,
        participant_id=current.pk,
        object_type=PERSONNUMMER_OBJECT,
        object_id=current.pk,
        detail="personal identity number corrected",
        user=by_user,
    )
    return current


# --- Closing and reopening a case ---------------------------------------------------------


def _latest_status_change(participant: Participant) -> CaseStatusChange | None:
    return participant.status_changes.order_by("-date", "-changed_at", "-id").first()


@transaction.atomic
def case_close(
    *,
    participant: Participant,
    closed_on: datetime.date,
    reason: str,
    by_user: User | None,
    loaded_at: datetime.datetime | None = None,
) -> Participant:
    """End the participant's enrolment ("avsluta inskrivning") on a day, for a reason.

    The day is not in the future, not before the enrolment and not before
    the case was last reopened. A case with a placement that has not ended is
    not closed: the placement is ended first (its follow-up then runs its
    course, whatever the case). A closed case leaves the active caseload.
    Raises RecordChanged when the participant was saved by someone else after
    `loaded_at`.
    """
    current = lock_unchanged(Participant.objects, pk=participant.pk, loaded_at=loaded_at)
    if current.is_closed:
        raise ValidationError(
            _("The case is already closed (on %(date)s).")
            % {"date": current.closed_on.isoformat()},
            code="already_closed",
        )
    errors: dict[str, str] = {}
    if reason not in ClosureReason.values:
        errors["reason"] = _("Choose why the case is closed.")
    if closed_on > timezone.localdate():
        errors["closed_on"] = _("The closing date cannot be in the future.")
    elif closed_on < current.enrolled_on:
        errors["closed_on"] = _(
            "The case cannot be closed before the participant was enrolled (%(date)s)."
        ) % {"date": current.enrolled_on.isoformat()}
    elif (latest := _latest_status_change(current)) is not None and closed_on < latest.date:
        errors["closed_on"] = _(
            "The case was reopened on %(date)s; it cannot be closed before that."
        ) % {"date": latest.date.isoformat()}
    if errors:
        raise ValidationError(errors)
    # The reverse relation, not an import: placements live on a floor above.
    ongoing = current.placements.filter(end_date__isnull=True).order_by("start_date").first()
    if ongoing is not None:
        raise ValidationError(
            _("The placement that started %(date)s has not ended: end it before closing the case.")
            % {"date": ongoing.start_date.isoformat()},
            code="placement_ongoing",
        )
    current.closed_on = closed_on
    current.closed_reason = reason
    current.full_clean()
    current.save(update_fields=["closed_on", "closed_reason", "updated_at"])
    event = CaseStatusChange(
        participant=current,
        kind=CaseStatusKind.CLOSE,
        date=closed_on,
        reason=reason,
        changed_by=by_user,
    )
    event.full_clean()
    event.save()
    return current


@transaction.atomic
def case_reopen(
    *,
    participant: Participant,
    on: datetime.date,
    by_user: User | None,
    loaded_at: datetime.datetime | None = None,
) -> Participant:
    """Open a closed case again from a day: not in the future, not before it was closed.

    The closing stays in the timeline; the case is active again and back in
    the caseload. Raises RecordChanged when the participant was saved by
    someone else after `loaded_at`.
    """
    current = lock_unchanged(Participant.objects, pk=participant.pk, loaded_at=loaded_at)
    if not current.is_closed:
        raise ValidationError(_("The case is not closed."), code="not_closed")
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if on < current.closed_on:
        raise ValidationError(
            {
                "on": _("The case was closed on %(date)s; it cannot be reopened before that.")
                % {"date": current.closed_on.isoformat()}
            }
        )
    current.closed_on = None
    current.closed_reason = ""
    current.full_clean()
    current.save(update_fields=["closed_on", "closed_reason", "updated_at"])
    event = CaseStatusChange(
        participant=current, kind=CaseStatusKind.REOPEN, date=on, changed_by=by_user
    )
    event.full_clean()
    event.save()
    return current


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
    return case_record_save(record=study)


def study_version(study: Study) -> str:
    """The version a study's update form carries: a digest of what the form can change.

    Studies have no ``updated_at``: the values themselves tell whether
    someone saved the study since the form was opened.
    """
    values = "|".join(
        str(getattr(study, name))
        for name in ("course", "provider", "end_date", "extent_percent", "completed")
    )
    return hashlib.sha256(values.encode()).hexdigest()[:16]


@transaction.atomic
def study_update(
    *,
    study: Study,
    end_date: datetime.date | None,
    completed: bool | None,
    extent_percent: int,
    course: str = "",
    provider: str = "",
    loaded_version: str | None = None,
    today: datetime.date | None = None,
) -> Study:
    """Change a study, or end it: its end date and whether it was completed.

    Whether a study was completed is known once it has ended: ``completed``
    (yes or no) needs an end date not after today. The extent keeps the 50 %
    limit with the studies running beside it (``study_check_extent``), also
    when a later end date makes the study run into another one. Raises
    RecordChanged when the study was saved by someone else after the form
    showing ``loaded_version`` was opened.
    """
    today = today or timezone.localdate()
    # The participant first, as every study write locks it: the limit is checked one at a time.
    Participant.objects.select_for_update().filter(pk=study.participant_id).first()
    current = Study.objects.select_for_update().get(pk=study.pk)
    if loaded_version is not None and study_version(current) != loaded_version:
        raise RecordChanged(current)
    if completed is not None and end_date is None:
        raise ValidationError(
            {"end_date": _("Enter the end date: a study is completed or not once it has ended.")}
        )
    if completed is not None and end_date > today:
        raise ValidationError(
            {
                "completed": _(
                    "The study ends %(date)s: whether it was completed is known once it has ended."
                )
                % {"date": end_date.isoformat()}
            }
        )
    current.course = course.strip()
    current.provider = provider.strip()
    current.end_date = end_date
    current.extent_percent = extent_percent
    current.completed = completed
    current.full_clean()
    study_check_extent(current)
    current.save(update_fields=["course", "provider", "end_date", "extent_percent", "completed"])
    return current


def placement_check_belongs(*, participant: Participant, placement: Placement | None) -> None:
    """A record of a participant's links only to one of that participant's own placements.

    The one copy of the rule, for every kind of record that may name a
    placement (studies, activities, goals, internships, wage subsidies) and
    every path that writes one.
    """
    if placement is not None and placement.participant_id != participant.pk:
        raise ValidationError({"placement": _("The placement belongs to another participant.")})


def study_check_extent(study: Study, *, others: Iterable[Study] = ()) -> None:
    """Studies running at the same time take at most 50 % of working time together.

    The busiest day of this study's period decides: the extents of every
    study of the participant running that day, this one included. `others`
    are studies saved in the same form (an admin inline), counted as they
    will be rather than as the database has them.
    """
    siblings = [other for other in others if other is not study and other.start_date]
    concurrent = [
        *Study.objects.filter(participant_id=study.participant_id)
        .filter(overlapping(study.start_date, study.end_date))
        .exclude(pk__in=[s.pk for s in [study, *siblings] if s.pk is not None])
        .values_list("start_date", "end_date", "extent_percent"),
        *(
            (other.start_date, other.end_date, other.extent_percent or 0)
            for other in siblings
            if periods_overlap(study.start_date, study.end_date, other.start_date, other.end_date)
        ),
    ]
    # The sum can only rise on a day a study starts.
    days = {study.start_date} | {start for start, _, _ in concurrent if start > study.start_date}
    busiest = max(
        study.extent_percent
        + sum(extent for start, end, extent in concurrent if periods_overlap(start, end, day, day))
        for day in days
    )
    if busiest > MAX_STUDY_EXTENT_PERCENT:
        raise ValidationError(
            {
                "extent_percent": _(
                    "Studies at the same time would take %(total)s %% of working time; "
                    "together they may take at most %(limit)s %%."
                )
                % {"total": busiest, "limit": MAX_STUDY_EXTENT_PERCENT}
            },
            code="extent",
        )


CaseRecord = TypeVar("CaseRecord", Study, LearningGoal, SupportActivity)


def case_record_check(record: CaseRecord, *, others: Iterable[CaseRecord] = ()) -> None:
    """The rules of a study, goal or activity beyond its own fields, for a form to show.

    Its placement is the participant's own, and a study keeps the 50 % limit
    with the others running beside it (`others`: rows saved in the same form).
    """
    placement_check_belongs(participant=record.participant, placement=record.placement)
    if isinstance(record, Study):
        study_check_extent(record, others=[other for other in others if isinstance(other, Study)])


@transaction.atomic
def case_record_save(*, record: CaseRecord) -> CaseRecord:
    """Save a participant's study, learning goal or support activity, new or changed.

    Every path ends here (the page's create functions, the admin and its
    inlines), so the record's rules hold whichever wrote it.
    """
    placement_check_belongs(participant=record.participant, placement=record.placement)
    record.full_clean()
    if isinstance(record, Study):
        # Locked, so that two studies saved at once cannot both pass the limit.
        Participant.objects.select_for_update().filter(pk=record.participant_id).first()
        study_check_extent(record)
    record.save()
    return record


@transaction.atomic
def support_activity_add(
    *,
    participant: Participant,
    phase: str,
    kind: str,
    date: datetime.date,
    recorded_by: User | None,
    note: str = "",
    placement: Placement | None = None,
) -> SupportActivity:
    """Record support given before, during or after the placement."""
    activity = SupportActivity(
        participant=participant,
        placement=placement,
        phase=phase,
        kind=kind,
        date=date,
        note=note.strip(),
        recorded_by=recorded_by,
    )
    return case_record_save(record=activity)


@transaction.atomic
def learning_goal_create(
    *,
    participant: Participant,
    description: str,
    target_industry: str,
    target_date: datetime.date | None = None,
    next_review_on: datetime.date | None = None,
    status: str = GoalStatus.PLANNED,
    placement: Placement | None = None,
) -> LearningGoal:
    """Plan a learning goal tied to the industry the participant aims for."""
    goal = LearningGoal(
        participant=participant,
        placement=placement,
        description=description.strip(),
        target_industry=target_industry.strip(),
        target_date=target_date,
        next_review_on=next_review_on,
        status=status,
    )
    return case_record_save(record=goal)


@transaction.atomic
def learning_goal_update(
    *,
    goal: LearningGoal,
    status: str,
    reviewed_on: datetime.date | None,
    next_review_on: datetime.date | None,
    target_date: datetime.date | None,
    loaded_at: datetime.datetime | None = None,
) -> LearningGoal:
    """Record a review: the goal's status and when it is next looked at.

    Raises RecordChanged when the goal was saved by someone else after
    `loaded_at`.
    """
    goal = lock_unchanged(LearningGoal.objects, pk=goal.pk, loaded_at=loaded_at)
    if reviewed_on is not None and next_review_on is not None and next_review_on < reviewed_on:
        raise ValidationError(
            {"next_review_on": _("The next review cannot be before the last review.")}
        )
    goal.status = status
    goal.reviewed_on = reviewed_on
    goal.next_review_on = next_review_on
    goal.target_date = target_date
    goal.full_clean()
    goal.save(
        update_fields=["status", "reviewed_on", "next_review_on", "target_date", "updated_at"]
    )
    return goal


def coach_refusal(*, coach: User | None, unit_ids: Iterable[int] = ()) -> str | None:
    """Why the user cannot be the coach of participants of these units, or None if they can.

    A participant's coach is an active coach of the participant's own unit:
    the one rule for every write that gives participants a coach (a caseload
    reassignment, an approved transfer).
    """
    if coach is None or not coach.is_active or not coach.has_role(Role.COACH):
        return _("Participants can only be moved to an active coach.")
    if any(unit_id != coach.unit_id for unit_id in unit_ids):
        return _("The new coach must work in the participants' unit.")
    return None


@transaction.atomic
def caseload_reassign(*, participants: Iterable[Participant], to_coach: User, by_user: User) -> int:
    """Give participants another coach in one statement; returns how many were moved.

    The new coach must be an active coach of the participants' unit. Only
    managers and admins reassign, and only participants they may read.
    """
    if not (by_user.has_role(Role.MANAGER) or by_user.has_role(Role.ADMIN)):
        raise PermissionDenied
    if (refusal := coach_refusal(coach=to_coach)) is not None:
        raise ValidationError({"to_coach": refusal})
    ids = {participant.pk for participant in participants}
    chosen = participants_for_user(by_user).filter(pk__in=ids)
    if chosen.count() != len(ids):
        raise ValidationError(_("You may not move some of these participants."))
    units = chosen.order_by().values_list("unit_id", flat=True).distinct()
    if (refusal := coach_refusal(coach=to_coach, unit_ids=units)) is not None:
        raise ValidationError({"to_coach": refusal})
    # update() skips auto_now: stamp the change so that concurrent edits notice it.
    moved = chosen.update(coach=to_coach, updated_at=timezone.now())
    # A bulk write bypasses every per-record log: one row per participant moved.
    log_bulk_change(
        participant_ids=sorted(ids),
        summary=f"caseload reassignment: {moved} participants to {to_coach.get_username()}",
        detail=f"caseload reassignment to {to_coach.get_username()}",
        user=by_user,
    )
    return moved


# --- Consent per data flow ------------------------------------------------------------------


def consent_check(*, participant: Participant, flow: str, decided_on: datetime.date) -> None:
    """The rules a decision must keep, besides the model's own (date 2000..today).

    A decision dated before the flow's current one is refused: it would go
    into the history without changing anything, which is not what the person
    recording it means.
    """
    if flow not in ConsentFlow.values:
        raise ValidationError({"flow": _("Choose one of the data flows.")})
    current = consent_state(participant)[flow]
    if current is not None and decided_on < current.decided_on:
        raise ValidationError(
            {
                "decided_on": _(
                    "The current decision for this data flow is of %(date)s; a new decision "
                    "cannot be dated before it."
                )
                % {"date": current.decided_on.isoformat()}
            }
        )


@transaction.atomic
def consent_record(
    *,
    participant: Participant,
    flow: str,
    given: bool,
    decided_on: datetime.date,
    recorded_by: User | None,
) -> Consent:
    """Append the participant's decision about a data flow: consent given, or refused/withdrawn.

    Earlier decisions stay as they were: processing done while consent was
    given remains lawful after a withdrawal.
    """
    # Decisions for one participant are recorded one at a time, so that the
    # "not before the current decision" check sees the latest row.
    Participant.objects.select_for_update().get(pk=participant.pk)
    consent_check(participant=participant, flow=flow, decided_on=decided_on)
    consent = Consent(
        participant=participant,
        flow=flow,
        given=bool(given),
        decided_on=decided_on,
        recorded_by=recorded_by,
    )
    consent.full_clean()
    consent.save()
    return consent


# --- Transfer between units -----------------------------------------------------------------

TRANSFER_OBJECT = "transferrequest"


def transfer_check_asker(*, user: User, to_unit: Unit) -> None:
    """A coach asks for their own unit; an administrator for any active unit."""
    if not (
        user.has_role(Role.ADMIN)
        or (user.has_role(Role.COACH) and user.unit_id is not None and user.unit_id == to_unit.pk)
    ):
        raise PermissionDenied
    if not to_unit.active:
        raise ValidationError({"unit": _("Participants cannot be moved to a unit that is closed.")})


@transaction.atomic
def transfer_ask(
    *, personnummer: str, to_unit: Unit, requested_by: User, reason: str = ""
) -> TransferRequest | None:
    """Ask for the person with this number to be moved to ``to_unit``.

    A request is stored, and logged, only when the person is registered in
    another unit and ``to_unit`` has no request waiting for them yet; for an
    unknown number, a person already in ``to_unit`` or a request already
    waiting, nothing is written at all. Whoever answers the asker answers the
    same either way: what this returns is never shown to them. The only
    refusals (ValidationError, PermissionDenied) are about the asker and the
    unit, never about the person.
    """
    transfer_check_asker(user=requested_by, to_unit=to_unit)
    number = _normalised_personnummer(personnummer)
    # Locked, as a decision locks it: a request and an approval of the same
    # person happen one after the other, so a request never names a unit the
    # person has just left.
    participant = Participant.objects.select_for_update().filter(personnummer=number.number).first()
    if participant is None or participant.unit_id == to_unit.pk:
        return None
    waiting = TransferRequest.objects.filter(
        participant=participant, to_unit=to_unit, status=TransferStatus.PENDING
    )
    if waiting.exists():
        return None
    transfer = TransferRequest(
        participant=participant,
        from_unit_id=participant.unit_id,
        to_unit=to_unit,
        requested_by=requested_by,
        reason=reason.strip(),
    )
    transfer.full_clean()
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError:
        # The same unit asked at the same moment: that request stands.
        return None
    log_access(
        action=Action.CREATE,
        participant_id=participant.pk,
        object_type=TRANSFER_OBJECT,
        object_id=transfer.pk,
        detail="transfer requested",
        user=requested_by,
    )
    return transfer


def _decider_name(user: User | None) -> str:
    if user is None:
        return _("a user who has since been removed")
    return user.get_full_name() or user.get_username()


def _locked_for_decision(
    *, transfer: TransferRequest, decided_by: User
) -> tuple[TransferRequest, Participant]:
    """The request and its participant, locked, once it is sure the request still waits.

    The participant first, then the request, in every path: a request, a
    decision and a second manager's decision on the same person wait for one
    another instead of deadlocking. Whoever comes second finds the request
    decided and is told so.
    """
    participant = Participant.objects.select_for_update().get(pk=transfer.participant_id)
    current = TransferRequest.objects.select_for_update().get(pk=transfer.pk)
    if not current.is_pending:
        when = formats.date_format(timezone.localtime(current.decided_at), "SHORT_DATETIME_FORMAT")
        values = {"name": _decider_name(current.decided_by), "when": when}
        if current.status == TransferStatus.APPROVED:
            message = _("This request was already approved by %(name)s (%(when)s).")
        else:
            message = _("This request was already declined by %(name)s (%(when)s).")
        raise ValidationError(message % values, code="decided")
    if not can_decide_transfer(decided_by, participant):
        raise PermissionDenied
    return current, participant


def _transfer_decide(
    *, transfer: TransferRequest, status: str, decided_by: User, detail: str
) -> None:
    transfer.status = status
    transfer.decided_by = decided_by
    transfer.decided_at = timezone.now()
    transfer.full_clean()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    log_access(
        action=Action.CHANGE,
        participant_id=transfer.participant_id,
        object_type=TRANSFER_OBJECT,
        object_id=transfer.pk,
        detail=detail,
        user=decided_by,
    )


@transaction.atomic
def transfer_approve(*, transfer: TransferRequest, decided_by: User) -> TransferRequest:
    """Move the participant to the asking unit; the asker becomes their coach if they can be.

    The whole case goes with the participant: no other record carries a unit
    (placements, follow-ups and the journal hang off the participant; the
    dashboards' snapshots count them under their new unit from the next
    computation). The old coach works in the old unit, so the participant
    has no coach when the asker is not an active coach of the new unit (an
    administrator asking, or a coach who has since moved on); the new unit's
    manager then assigns one. The other units' requests for the person are
    moot and are declined. Nobody approves their own request.
    """
    transfer, participant = _locked_for_decision(transfer=transfer, decided_by=decided_by)
    if transfer.requested_by_id == decided_by.pk:
        raise ValidationError(
            _("You cannot approve your own request: another manager or administrator decides."),
            code="own_request",
        )
    to_unit = transfer.to_unit
    if participant.unit_id == to_unit.pk:
        raise ValidationError(
            _("The participant is already in %(unit)s.") % {"unit": to_unit}, code="moot"
        )
    if not to_unit.active:
        raise ValidationError(
            _("%(unit)s is closed: the participant cannot be moved there.") % {"unit": to_unit},
            code="closed",
        )
    # Decided, and logged, before the move: the access log judges the decider's
    # reach as it was when they decided, on a participant of their own unit.
    _transfer_decide(
        transfer=transfer,
        status=TransferStatus.APPROVED,
        decided_by=decided_by,
        detail=f"transfer approved (request {transfer.pk})",
    )
    others = TransferRequest.objects.select_for_update().filter(
        participant=participant, status=TransferStatus.PENDING
    )
    for other in others.order_by("pk"):
        _transfer_decide(
            transfer=other,
            status=TransferStatus.DECLINED,
            decided_by=decided_by,
            detail=f"transfer declined (request {other.pk}): moved by request {transfer.pk}",
        )
    asker = transfer.requested_by
    participant.unit = to_unit
    participant.coach = asker if coach_refusal(coach=asker, unit_ids=[to_unit.pk]) is None else None
    participant.full_clean()
    participant.save(update_fields=["unit", "coach", "updated_at"])
    return transfer


@transaction.atomic
def transfer_decline(*, transfer: TransferRequest, decided_by: User) -> TransferRequest:
    """Decline the request: nothing of the case changes, and the asker is not told."""
    transfer, _participant = _locked_for_decision(transfer=transfer, decided_by=decided_by)
    _transfer_decide(
        transfer=transfer,
        status=TransferStatus.DECLINED,
        decided_by=decided_by,
        detail=f"transfer declined (request {transfer.pk})",
    )
    return transfer
