"""Reads for the participant survey."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from followup.models import SurveyResponse
from participants.selectors import participants_for_user
from survey.models import SurveyInvitation, SurveyRound, hash_token


def usable_invitation(token: str) -> SurveyInvitation | None:
    """The invitation a link opens, or None: unknown, used, or its round not open today.

    One answer, None, for all three, so the public page cannot tell a visitor
    whether a link ever existed.
    """
    invitation = (
        SurveyInvitation.objects.select_related("survey_round")
        .filter(token_hash=hash_token(token), used=False)
        .first()
    )
    if invitation is None or not invitation.survey_round.is_open_on(timezone.localdate()):
        return None
    return invitation


def invitations_for_user(user: User, survey_round: SurveyRound) -> QuerySet[SurveyInvitation]:
    """The round's invitations of the participants the user may read (the access helper's scope)."""
    return (
        SurveyInvitation.objects.filter(
            survey_round=survey_round,
            participant__in=participants_for_user(user).values("pk"),
        )
        .select_related("participant__coach", "job_type", "link_made_by")
        .order_by(
            "participant__coach__last_name",
            "participant__coach__first_name",
            "participant__coach_id",
            "participant__last_name",
            "participant__first_name",
            "pk",
        )
    )


def coaches_with_invitations(user: User, survey_round: SurveyRound) -> list[dict]:
    """Per coach of the user's readable participants: id, name and counts. One grouped query."""
    return list(
        SurveyInvitation.objects.filter(
            survey_round=survey_round,
            participant__in=participants_for_user(user).values("pk"),
        )
        .values(
            "participant__coach_id",
            "participant__coach__first_name",
            "participant__coach__last_name",
        )
        .annotate(
            total=Count("pk"),
            with_link=Count("pk", filter=Q(token_hash__isnull=False)),
            used=Count("pk", filter=Q(used=True)),
        )
        .order_by("participant__coach__last_name", "participant__coach__first_name")
    )


def statement_label(code: str) -> str:
    """The statement's wording (translated), from the model's field."""
    return str(SurveyResponse._meta.get_field(code).verbose_name)


def _count_of(queryset: QuerySet) -> Subquery:
    counted = queryset.order_by().values("survey_round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), Value(0))


def with_response_counts(rounds: QuerySet[SurveyRound]) -> QuerySet[SurveyRound]:
    """The rounds annotated with ``invitation_count``, ``used_count`` and ``response_count``.

    Subqueries, so a list of rounds is still one query.
    """
    return rounds.annotate(
        invitation_count=_count_of(SurveyInvitation.objects.filter(survey_round=OuterRef("pk"))),
        used_count=_count_of(
            SurveyInvitation.objects.filter(survey_round=OuterRef("pk"), used=True)
        ),
        response_count=_count_of(SurveyResponse.objects.filter(survey_round=OuterRef("pk"))),
    )
