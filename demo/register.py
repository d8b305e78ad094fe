"""Demo SCB register rows: main income source before and after the placement.

For every demo participant whose current consent covers the SCB flow, one
row per measure year (the cohort year −2, +1 and +2) that SCB could have
delivered by now (up to last year). The shares follow the programme's own
report (tables 6–8): for the 30+, social assistance 60 % two years before
and 6–8 % after, earned income 10 % before and about 38 % after; for the
under-30s, 26 % → 10 % → 8 % and 22 % → 56 %, with more studies before.
"""

import datetime
import random

from django.db.models import F

from followup.models import IncomeSource, RegisterOutcome
from participants.models import ConsentFlow
from participants.selectors import participants_with_consent
from placements.models import Placement

# (social assistance, earned income, studies) at the measure points −2, +1, +2.
PROFILES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "<30": ((0.26, 0.22, 0.25), (0.10, 0.56, 0.11), (0.08, 0.58, 0.10)),
    "30+": ((0.60, 0.10, 0.02), (0.06, 0.38, 0.01), (0.08, 0.40, 0.03)),
}
OFFSETS = (-2, 1, 2)
# What the rest is, in these proportions.
REST = (
    (IncomeSource.UNEMPLOYMENT, 0.4),
    (IncomeSource.LABOUR_MARKET_PROGRAMME, 0.3),
    (IncomeSource.OTHER, 0.3),
)


def _draw(rng: random.Random, shares: tuple[float, float, float]) -> str:
    social_assistance, earned, studies = shares
    roll = rng.random()
    for code, share in (
        (IncomeSource.SOCIAL_ASSISTANCE, social_assistance),
        (IncomeSource.EARNED_INCOME, earned),
        (IncomeSource.STUDIES, studies),
    ):
        if roll < share:
            return code
        roll -= share
    rest = [code for code, _ in REST]
    return rng.choices(rest, weights=[weight for _, weight in REST])[0]


def seed_register_outcomes(*, rng: random.Random, today: datetime.date) -> int:
    """Create the register rows; returns how many. Expects no register rows yet."""
    last_year = today.year - 1
    consenting = participants_with_consent(ConsentFlow.SCB).values("pk")
    ended = (
        Placement.objects.filter(participant__in=consenting, end_date__isnull=False)
        .annotate(birth_date=F("participant__birth_date"))
        .order_by("participant_id", "end_date")
        .values_list("participant_id", "end_date", "birth_date")
    )
    rows: dict[tuple[int, int], str] = {}
    for participant_id, end, birth in ended.iterator(chunk_size=5000):
        age = end.year - birth.year - ((end.month, end.day) < (birth.month, birth.day))
        profile = PROFILES["<30" if age < 30 else "30+"]
        for offset, shares in zip(OFFSETS, profile, strict=True):
            year = end.year + offset
            if year <= last_year and (participant_id, year) not in rows:
                rows[participant_id, year] = _draw(rng, shares)
    RegisterOutcome.objects.bulk_create(
        [
            RegisterOutcome(participant_id=participant_id, year=year, income_source=code)
            for (participant_id, year), code in sorted(rows.items())
        ],
        batch_size=5000,
    )
    return len(rows)
