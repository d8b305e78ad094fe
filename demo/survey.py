"""Demo data for the participant survey: two September rounds with answers.

The answers follow the source document's survey roughly: a response rate
near 50 %, 74–80 % positive on the staff statements, 77 % feeling better,
62 % knowing what to do to get a job, 46 % having studied, and those who
studied more positive about studies (69 % against 43 %) and about their
chances of a job (69 % against 57 %). Deterministic: the same seed and day
give the same data.
"""

import datetime
import random

from django.db import transaction

from followup.models import STATEMENTS, Agreement, SurveyResponse
from survey.models import SurveyInvitation, SurveyRound, hash_token
from survey.services import invitations_issue, new_token

RESPONSE_RATE = 0.5
ON_PAPER = 0.1  # of the responses
LINKED = 0.15  # of the web responses: asked to be linked to their answers
PRINTED = 0.9  # of the invitations without a web response: a link was printed
BLANK = 0.03  # a statement left blank
STUDIED = 0.46

# The share answering "stämmer bra" or "stämmer ganska bra", by statement;
# a pair is (studied, not studied).
POSITIVE: dict[str, float | tuple[float, float]] = {
    "staff_support": 0.74,
    "staff_easy_to_reach": 0.80,
    "staff_interested": 0.78,
    "staff_listen": 0.77,
    "feel_better": 0.77,
    "know_next_steps": 0.62,
    "better_job_chances": (0.69, 0.57),
    "more_interested_in_studies": (0.69, 0.43),
}
NEGATIVE_STEPS = (Agreement.SOMEWHAT_DISAGREE, Agreement.DISAGREE, Agreement.DONT_KNOW)
NEGATIVE_WEIGHTS = (45, 30, 25)


def _september_years(today: datetime.date) -> tuple[int, int]:
    """The last two Septembers whose round has begun by ``today``."""
    year = today.year if today >= datetime.date(today.year, 9, 1) else today.year - 1
    return year - 1, year


def _answer(rng: random.Random, code: str, studied: bool | None) -> str:
    if rng.random() < BLANK:
        return ""
    positive = POSITIVE[code]
    if isinstance(positive, tuple):
        positive = positive[0] if studied else positive[1]
    if rng.random() < positive:
        return Agreement.AGREE if rng.random() < 0.55 else Agreement.SOMEWHAT_AGREE
    return rng.choices(NEGATIVE_STEPS, weights=NEGATIVE_WEIGHTS)[0]


def _response(
    rng: random.Random,
    invitation: SurveyInvitation,
    survey_round: SurveyRound,
    submitted_on: datetime.date,
    *,
    on_paper: bool,
) -> SurveyResponse:
    studied = rng.random() < STUDIED
    linked = not on_paper and rng.random() < LINKED
    return SurveyResponse(
        survey_round=survey_round,
        job_type_id=invitation.job_type_id,
        participant_id=invitation.participant_id if linked else None,
        studied_during_placement=None if rng.random() < BLANK else studied,
        submitted_on=submitted_on,
        on_paper=on_paper,
        **{code: _answer(rng, code, studied) for code in STATEMENTS},
    )


def _seed_round(
    rng: random.Random, name: str, opens_on: datetime.date, today: datetime.date
) -> dict[str, int]:
    closes_on = opens_on.replace(day=30)
    survey_round, created = SurveyRound.objects.get_or_create(
        name=name, defaults={"opens_on": opens_on, "closes_on": closes_on}
    )
    if not created and survey_round.invitations.exists():
        return {"invitations": 0, "responses": 0}
    invitations_issue(survey_round=survey_round)
    last_day = min(closes_on, today)
    days = (last_day - opens_on).days
    printed_at = datetime.datetime.combine(opens_on, datetime.time(9), tzinfo=datetime.UTC)
    invitations = list(survey_round.invitations.select_related("participant").order_by("pk"))
    responses: list[SurveyResponse] = []
    for invitation in invitations:
        answers = rng.random() < RESPONSE_RATE
        on_paper = answers and rng.random() < ON_PAPER
        if answers:
            submitted_on = opens_on + datetime.timedelta(days=rng.randint(0, max(days, 0)))
            responses.append(
                _response(rng, invitation, survey_round, submitted_on, on_paper=on_paper)
            )
        if (answers and not on_paper) or rng.random() < PRINTED:
            invitation.token_hash = hash_token(new_token())
            invitation.link_made_at = printed_at
            invitation.link_made_by_id = invitation.participant.coach_id
            invitation.used = answers and not on_paper
    SurveyInvitation.objects.bulk_update(
        invitations, ["token_hash", "link_made_at", "link_made_by", "used"], batch_size=2_000
    )
    # Shuffled, so the ids of the responses do not follow the invitations' order.
    rng.shuffle(responses)
    responses.sort(key=lambda response: response.submitted_on)
    SurveyResponse.objects.bulk_create(responses, batch_size=2_000)
    return {"invitations": len(invitations), "responses": len(responses)}


@transaction.atomic
def seed_survey(today: datetime.date, *, seed: int = 2021) -> dict[str, int]:
    """Two September rounds (last year's and this year's, or the two before when
    this year's has not begun) with invitations for the placements ongoing on
    1 September and answers from about half. A round that exists with
    invitations is left as it is. Returns row counts by kind."""
    rng = random.Random(seed)  # noqa: S311 - demo answers, not secrets
    counts = {"survey rounds": 0, "survey invitations": 0, "survey responses": 0}
    for year in _september_years(today):
        made = _seed_round(rng, f"September {year}", datetime.date(year, 9, 1), today)
        counts["survey rounds"] += 1
        counts["survey invitations"] += made["invitations"]
        counts["survey responses"] += made["responses"]
    return counts


def delete_survey_data() -> dict[str, int]:
    """Every survey round with its invitations and responses, for `seed_demo --force`.

    Like ``demo.seed.delete_demo_data``, whose participants it
    follows: never for real data.
    """
    responses, _ = SurveyResponse.objects.all().delete()
    rounds = SurveyRound.objects.count()
    SurveyRound.objects.all().delete()
    return {"survey rounds": rounds, "survey responses": responses}
