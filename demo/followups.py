"""The demo's three-month follow-ups and their outcomes.

The outcomes are steered rather than drawn freely, so the dashboards tell the
story of the 2021 annual report at any data size: a share working or studying
around 58 % for placements that ended in 2018-2019, a drop to about 48.5 % in
the VB-2020 window (2019-09-01..2020-08-31) that is steeper for women, and a
recovery from 2021.
"""

import datetime
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby

from demo.people import Person
from followup.models import FollowUp, Outcome
from participants.models import Gender
from placements.models import EndReason, Placement, follow_up_due_date

REGISTERED_OLD = 0.96  # due more than a month ago
REGISTERED_RECENT = 0.45  # due in the last month: coaches are behind
RECENT_DAYS = 30

PRE_DROP = {Gender.KVINNA: 0.665, Gender.MAN: 0.63}
DROP = {Gender.KVINNA: 0.45, Gender.MAN: 0.515}
RECOVERED = {Gender.KVINNA: 0.545, Gender.MAN: 0.555}
# Absolute shares (unsubsidised work, subsidised work, studies): the 2020
# drop is mostly fewer subsidised jobs, while studies rise a little.
PRE_DROP_MIX = (0.34, 0.17, 0.105)
DROP_MIX = (0.29, 0.07, 0.125)
RECOVERED_MIX = (0.31, 0.115, 0.125)
FAILURE_OUTCOMES = {
    Outcome.JOB_SEEKER: 44,
    Outcome.OTHER_PROGRAMME: 20,
    Outcome.SICK_LEAVE: 12,
    Outcome.PARENTAL_LEAVE: 6,
    Outcome.NOT_REACHED: 18,
}
# Relative chance of being among a month's successes.
SUCCESS_WEIGHT_BY_JOB_TYPE = {
    "ungdomsanstallning": 1.3,
    "basanstallning": 0.9,
    "serviceassistent": 0.9,
    "arbetslagsanstallning": 0.8,
    "stockholmsvard": 0.7,
    "jobbstartsanstallning": 1.1,
}
SUCCESS_WEIGHT_BY_END_REASON = {
    EndReason.WORK: 6.0,
    EndReason.STUDIES: 6.0,
    EndReason.ILLNESS: 0.3,
    EndReason.DISMISSED: 0.5,
    EndReason.OWN_REQUEST: 0.8,
    EndReason.OTHER: 0.8,
}
EMPLOYERS = (
    "Stockholms stad, äldreomsorg", "Stockholms stad, förskola", "Bemanningsbolaget Direkt AB",
    "Lokalvårdsbolaget Norr AB", "Matkompaniet Söderort AB", "Omsorgsgruppen Väst AB",
    "Lagerhallen Årsta AB", "Restaurang Kvarnen i Tensta", "Flyttfirman Snabb & Säker AB",
    "Byggservice Syd AB", "Butiken på hörnet", "Kollektivtrafikens städservice AB",
)  # fmt: skip
SCHOOLS = (
    "Komvux Stockholm", "Sfi Stockholm", "Yrkesvux Söderort", "Yrkesvux Järva",
    "Folkhögskolan i Stockholm", "Vårdutbildningen Kista", "Stockholms universitet",
)  # fmt: skip


def plan_followups(
    rng: random.Random, people: Sequence[Person], today: datetime.date, keep_open: set[int]
) -> list[FollowUp]:
    """One follow-up per ended placement; most of those already due are registered."""
    followups = []
    recent = today - datetime.timedelta(days=RECENT_DAYS)
    for person in people:
        for placement in person.placements:
            if placement.end_date is None:
                continue
            due = follow_up_due_date(placement.end_date)
            followup = FollowUp(placement=placement, due_date=due)
            chance = REGISTERED_OLD if due < recent else REGISTERED_RECENT
            if due < today and id(placement) not in keep_open and rng.random() < chance:
                performed = due + datetime.timedelta(days=rng.randint(-5, 7))
                followup.performed_on = min(performed, today)
                followup.performed_by = person.participant.coach
            followups.append(followup)
    return followups


def _period_weights(end: datetime.date) -> tuple[float, float, float]:
    """How much of (before the drop, the drop, the recovery) a month of ends is.

    Before mid-2019 nothing has dropped; July and August 2019 slide into
    the drop that covers September 2019 to December 2020; 2021 climbs back.
    """
    month = end.year * 12 + end.month - 1
    drop_starts, drop_full = 2019 * 12 + 6, 2019 * 12 + 8
    recovery_starts, recovery_full = 2021 * 12, 2021 * 12 + 11
    if month < drop_starts:
        return 1.0, 0.0, 0.0
    if month < drop_full:
        into = (month - drop_starts + 1) / (drop_full - drop_starts + 1)
        return 1 - into, into, 0.0
    if month < recovery_starts:
        return 0.0, 1.0, 0.0
    if month < recovery_full:
        into = (month - recovery_starts + 1) / (recovery_full - recovery_starts + 1)
        return 0.0, 1 - into, into
    return 0.0, 0.0, 1.0


def _success_share(end: datetime.date, gender: str) -> float:
    """The planned share working or studying for placements ending in `end`'s month."""
    pre, drop, recovered = _period_weights(end)
    return pre * PRE_DROP[gender] + drop * DROP[gender] + recovered * RECOVERED[gender]


def assign_outcomes(rng: random.Random, registered: Sequence[FollowUp]) -> None:
    """Give registered follow-ups outcomes that hit the planned shares.

    Per gender and month of end, the number working or studying is the
    planned share of the month's follow-ups, with the rounding carried to the
    next month; any window of months is then within one person of the plan.
    Who succeeds is drawn at random, weighted so young people and those who
    left for work or studies succeed more often.
    """
    by_gender: dict[str, list[FollowUp]] = defaultdict(list)
    for followup in registered:
        by_gender[followup.placement.participant.gender].append(followup)
    for gender, followups in by_gender.items():
        followups.sort(key=lambda f: f.placement.end_date)
        carry = 0.0
        for (year, month), group in groupby(
            followups, key=lambda f: (f.placement.end_date.year, f.placement.end_date.month)
        ):
            group = list(group)
            month_start = datetime.date(year, month, 1)
            expected = _success_share(month_start, gender) * len(group) + carry
            successes = min(len(group), max(0, math.floor(expected + 0.5)))
            carry = expected - successes
            for followup in _weighted_sample(rng, group, successes):
                followup.outcome = _success_outcome(rng, followup.placement)
            for followup in group:
                if not followup.outcome:
                    followup.outcome = _failure_outcome(rng, followup.placement, gender)
                followup.employer_or_school = _employer_or_school(rng, followup)
                if followup.outcome == Outcome.NOT_REACHED and rng.random() < 0.5:
                    followup.note = "Nåddes inte på telefon eller sms trots tre försök."


def _weighted_sample(rng: random.Random, items: Sequence[FollowUp], k: int) -> list[FollowUp]:
    # Efraimidis-Spirakis: the k largest u ** (1 / weight) are a weighted
    # sample without replacement.
    def key(followup: FollowUp) -> float:
        placement = followup.placement
        weight = SUCCESS_WEIGHT_BY_JOB_TYPE.get(placement.job_type.code, 1.0)
        weight *= SUCCESS_WEIGHT_BY_END_REASON.get(placement.end_reason, 1.0)
        return rng.random() ** (1 / weight)

    keyed = [(key(item), index) for index, item in enumerate(items)]
    return [items[index] for _, index in sorted(keyed, reverse=True)[:k]]


def _success_outcome(rng: random.Random, placement: Placement) -> str:
    if placement.end_reason == EndReason.STUDIES:
        return Outcome.STUDIES
    if placement.end_reason == EndReason.WORK:
        return Outcome.WORK_UNSUBSIDISED if rng.random() < 0.7 else Outcome.WORK_SUBSIDISED
    periods = _period_weights(placement.end_date)
    mixes = (PRE_DROP_MIX, DROP_MIX, RECOVERED_MIX)
    mix = [sum(w * m[i] for w, m in zip(periods, mixes, strict=True)) for i in range(3)]
    outcomes = [Outcome.WORK_UNSUBSIDISED, Outcome.WORK_SUBSIDISED, Outcome.STUDIES]
    return rng.choices(outcomes, mix)[0]


def _failure_outcome(rng: random.Random, placement: Placement, gender: str) -> str:
    weights = dict(FAILURE_OUTCOMES)
    if gender == Gender.KVINNA:
        weights[Outcome.PARENTAL_LEAVE] *= 2
    elif gender == Gender.MAN:
        weights[Outcome.PARENTAL_LEAVE] //= 2
    if placement.end_reason == EndReason.ILLNESS:
        weights[Outcome.SICK_LEAVE] *= 4
    if _period_weights(placement.end_date)[1]:
        weights[Outcome.JOB_SEEKER] += 10  # fewer vacancies in 2020
    return rng.choices(list(weights), list(weights.values()))[0]


def _employer_or_school(rng: random.Random, followup: FollowUp) -> str:
    if rng.random() < 0.15:
        return ""
    if followup.outcome in (Outcome.WORK_UNSUBSIDISED, Outcome.WORK_SUBSIDISED):
        # Many stay on where they had their Stockholmsjobb.
        if rng.random() < 0.35:
            return followup.placement.workplace.name
        return rng.choice(EMPLOYERS)
    if followup.outcome == Outcome.STUDIES:
        return rng.choice(SCHOOLS)
    return ""
