"""Writes for the participant survey: invitations, printed links, answers."""

import datetime
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import AccessLogEntry, Action
from audit.services import log_access, log_bulk_change
from followup.models import STATEMENTS, SurveyResponse
from placements.models import Placement
from survey.models import SurveyInvitation, SurveyRound, hash_token

# 16 random bytes: 128 bits, far beyond guessing, and a link short enough
# for a QR code a phone reads at arm's length.
TOKEN_BYTES = 16
WRITE_BATCH = 2_000


class InvitationUnavailable(Exception):
    """The link cannot be used: unknown, already used, or its round is not open.

    One exception for all three, so no caller can tell a visitor which.
    """


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def survey_link(token: str) -> str:
    """The address a participant opens: the site's own, never another host."""
    return settings.SITE_URL.rstrip("/") + reverse("survey:respond", args=[token])


# --- Issuing invitations --------------------------------------------------------------------


def _first_placement_per_participant(rows: Iterator[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Rows come ordered by participant; keep each participant's first (latest start)."""
    previous = None
    for participant_id, job_type_id in rows:
        if participant_id != previous:
            previous = participant_id
            yield participant_id, job_type_id


@transaction.atomic
def invitations_issue(*, survey_round: SurveyRound, issued_by: User | None = None) -> int:
    """Invite everyone with a placement ongoing on the round's first day; return how many.

    Participants invited to the round already are left as they are, so the
    action can run again (e.g. after late registrations). The job type is the
    placement's on that day. Streaming and bulk inserts: a bounded number of
    queries whatever the number of placements.
    """
    # Two administrators pressing the button at once take turns here.
    SurveyRound.objects.select_for_update().filter(pk=survey_round.pk).first()
    rows = (
        Placement.objects.active_on(survey_round.opens_on)
        .exclude(participant__survey_invitations__survey_round=survey_round)
        .order_by("participant_id", "-start_date")
        .values_list("participant_id", "job_type_id")
        .iterator(chunk_size=WRITE_BATCH)
    )
    invited = _first_placement_per_participant(rows)
    participant_ids: list[int] = []
    while batch := list(islice(invited, WRITE_BATCH)):
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(
                    survey_round=survey_round, participant_id=participant_id, job_type_id=job_type
                )
                for participant_id, job_type in batch
            ]
        )
        participant_ids.extend(participant_id for participant_id, _job_type in batch)
    if participant_ids:
        log_bulk_change(
            participant_ids=participant_ids,
            summary=f"survey round {survey_round.pk}: {len(participant_ids)} invitations issued",
            detail="survey invitation issued",
            object_type="surveyinvitation",
            user=issued_by,
        )
    return len(participant_ids)


# --- Rounds ---------------------------------------------------------------------------------


@transaction.atomic
def survey_round_create(
    *,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    created_by: User | None = None,
) -> tuple[SurveyRound, int]:
    """Create a round and invite everyone with a placement ongoing on its first day, at once.

    Returns the round and the number of invitations (``invitations_issue``,
    the service the admin's action calls too). One transaction: a round is
    never left without the invitations it was created with.
    """
    survey_round = SurveyRound(
        name=name, opens_on=opens_on, closes_on=closes_on, created_by=created_by
    )
    survey_round.full_clean()
    survey_round.save()
    return survey_round, invitations_issue(survey_round=survey_round, issued_by=created_by)


def survey_round_closable(survey_round: SurveyRound, *, today: datetime.date) -> None:
    """ValidationError unless the round can be closed today (open, and opened before today)."""
    if today > survey_round.closes_on:
        raise ValidationError(
            _("The round closed on %(date)s already.")
            % {"date": survey_round.closes_on.isoformat()},
            code="closed",
        )
    if today <= survey_round.opens_on:
        # Yesterday cannot become the last day of a round that opens today or later.
        raise ValidationError(
            _("The round opens on %(date)s; it can be closed from the day after.")
            % {"date": survey_round.opens_on.isoformat()},
            code="not_open",
        )


@transaction.atomic
def survey_round_close(*, survey_round: SurveyRound, today: datetime.date) -> SurveyRound:
    """Close an open round now: yesterday becomes its last day, so no link works from today.

    Answers already given stay; printing links stops too (a link could not be
    used). Refused (ValidationError) for a round that is not open or that
    opened today.
    """
    locked = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    survey_round_closable(locked, today=today)
    locked.closes_on = today - datetime.timedelta(days=1)
    locked.full_clean()
    locked.save(update_fields=["closes_on"])
    return locked


# --- Printing links -------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationLink:
    """A link as printed: shown this once, never stored."""

    invitation: SurveyInvitation
    token: str

    @property
    def url(self) -> str:
        return survey_link(self.token)


def _log_prints(invitations: list[SurveyInvitation], user: User) -> None:
    """One "print" row per participant, like a read of their record, in bulk."""
    first, rest = invitations[0], invitations[1:]
    template = log_access(
        action=Action.PRINT,
        participant_id=first.participant_id,
        object_type="surveyinvitation",
        object_id=first.pk,
        detail="survey link printed",
        user=user,
    )
    shared = {
        name: getattr(template, name)
        for name in ("user_id", "username", "unit_name", "path", "method", "ip_address", "at")
    }
    AccessLogEntry.objects.bulk_create(
        [
            AccessLogEntry(
                action=Action.PRINT,
                participant_id=invitation.participant_id,
                object_type="surveyinvitation",
                object_id=invitation.pk,
                detail=template.detail,
                **shared,
            )
            for invitation in rest
        ],
        batch_size=WRITE_BATCH,
    )


@transaction.atomic
def survey_round_check_printable(survey_round: SurveyRound, *, today: datetime.date) -> None:
    """Links are printed only while the round is open: a participant could not use one later.

    Before the round opens a link would only say "not open yet"; after it
    closes it would say that the link does not work.
    """
    if today < survey_round.opens_on:
        raise ValidationError(
            _("The round opens on %(date)s; links can be printed from then.")
            % {"date": survey_round.opens_on.isoformat()},
            code="not_open",
        )
    if today > survey_round.closes_on:
        raise ValidationError(
            _("The round closed on %(date)s; its links no longer work, so none are printed.")
            % {"date": survey_round.closes_on.isoformat()},
            code="closed",
        )


def invitation_links_make(
    *, invitations: list[SurveyInvitation], made_by: User
) -> list[InvitationLink]:
    """A new token for each unused invitation; the links to print, in the order given.

    The caller has checked that ``made_by`` may read every invitation's
    participant (the view fetches them through ``participants_for_user``).
    A token made earlier for the same invitation stops working: printing
    again replaces a lost sheet. Used invitations are skipped. Refused
    (ValidationError) unless every invitation's round is open today.
    """
    rounds = SurveyRound.objects.filter(pk__in={i.survey_round_id for i in invitations})
    for survey_round in rounds:
        survey_round_check_printable(survey_round, today=timezone.localdate())
    ids = [invitation.pk for invitation in invitations]
    unused = set(
        SurveyInvitation.objects.select_for_update()
        .filter(pk__in=ids, used=False)
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    links: list[InvitationLink] = []
    for invitation in invitations:
        if invitation.pk not in unused:
            continue
        token = new_token()
        invitation.token_hash = hash_token(token)
        invitation.link_made_at = now
        invitation.link_made_by = made_by
        links.append(InvitationLink(invitation=invitation, token=token))
    if links:
        SurveyInvitation.objects.bulk_update(
            [link.invitation for link in links],
            ["token_hash", "link_made_at", "link_made_by"],
            batch_size=WRITE_BATCH,
        )
        _log_prints([link.invitation for link in links], made_by)
    return links


# --- Answering ------------------------------------------------------------------------------


@transaction.atomic
def survey_answer_submit(
    *, token: str, answers: Mapping[str, object], link_to_participant: bool
) -> SurveyResponse:
    """Store a participant's answers and use up their link, in one transaction.

    The invitation row is locked first (``select_for_update``), so of two
    tabs submitting at once one stores and the other gets
    InvitationUnavailable. The response keeps the round and the job type at
    issue; the participant only when they ticked the box. Not written to the
    access log: the participant is the one acting, on their own answers.
    """
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("survey_round")
        .filter(token_hash=hash_token(token))
        .first()
    )
    today = timezone.localdate()
    if invitation is None or invitation.used or not invitation.survey_round.is_open_on(today):
        raise InvitationUnavailable
    response = SurveyResponse(
        survey_round=invitation.survey_round,
        job_type_id=invitation.job_type_id,
        participant_id=invitation.participant_id if link_to_participant else None,
        studied_during_placement=answers.get("studied_during_placement"),
        submitted_on=today,
        on_paper=False,
        **{code: answers.get(code) or "" for code in STATEMENTS},
    )
    response.full_clean()
    response.save()
    invitation.used = True
    invitation.save(update_fields=["used"])
    return response
