"""The participant survey's results: counts per statement and scale step, shares, response rate.

A plain module with a stable API: the results page (``reports.survey_views``)
and the annual report's survey sheet (``reports.annual.survey``) show it.

- :func:`round_results` counts a round (or any queryset of responses) in one
  aggregate query, plus one count of the round's invitations.
- :func:`response_rates` gives every round's responses and invitations in one
  query.
- ``as_dict(suppress=True)`` is what pages and published reports show:
  a cell whose denominator is 1 to ``SMALL_CELL_THRESHOLD − 1`` shows its
  counts as ``"<5"`` and no share (DESIGN §4, ``reports.disclosure.is_small``,
  as everywhere). Without ``suppress`` the figures are exact.

What the shares count (decided here, used everywhere):

- **Positive** is "stämmer bra" + "stämmer ganska bra".
- **The denominator** of a statement's share is everyone who answered it,
  "vet ej" included; a statement left blank is not counted. "Vet ej" is an
  answer: the person was asked and does not agree. Leaving it out would
  raise every share, and the source document's percentages ("mellan 74 och
  80 procent har svarat stämmer ganska bra och stämmer bra") are shares of
  all who answered.
- **Studied** is the share answering "ja" of those answering "ja" or "nej".
  The split by studied counts the responses that answered that question;
  a response without it is in neither group.
- **Response rate** is responses (web and paper) over invitations. Paper forms
  go to invited participants, so the invited are the denominator.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from core.numbers import percent
from followup.models import (
    JOB_STATEMENTS,
    STAFF_STATEMENTS,
    STATEMENTS,
    Agreement,
    SurveyResponse,
)
from reports.disclosure import hidden_text, is_small
from survey.models import SurveyInvitation, SurveyRound
from survey.selectors import statement_label, with_response_counts

# The scale steps in the order the form and the tables show them.
SCALE: tuple[str, ...] = tuple(Agreement.values)
POSITIVE_STEPS: tuple[str, ...] = (Agreement.AGREE, Agreement.SOMEWHAT_AGREE)
STUDIED_GROUPS: tuple[bool, ...] = (True, False)


def _share(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class StatementResult:
    """One statement among one group of responses."""

    code: str
    # Every scale step (SCALE), blank answers not included.
    counts: dict[str, int]

    @property
    def label(self) -> str:
        return statement_label(self.code)

    @property
    def group(self) -> str:
        """``staff`` (bemötande) or ``job`` (anställningens betydelse)."""
        return "staff" if self.code in STAFF_STATEMENTS else "job"

    @property
    def answered(self) -> int:
        """Responses with an answer to this statement, "vet ej" included."""
        return sum(self.counts.values())

    @property
    def positive(self) -> int:
        return sum(self.counts[step] for step in POSITIVE_STEPS)

    @property
    def share_positive(self) -> Decimal | None:
        """Positive over answered, per cent with one decimal; None when nobody answered."""
        return percent(self.positive, self.answered)

    def is_suppressed(self, threshold: int | None = None) -> bool:
        return is_small(self.answered, threshold)

    def as_dict(
        self, *, suppress: bool = False, threshold: int | None = None, hide: bool = False
    ) -> dict[str, Any]:
        """``code``, ``label``, ``counts`` by step, ``answered``, ``positive``,
        ``share_positive`` (a number or None) and ``suppressed``. ``hide`` hides
        the result whatever its size (its sibling in a split is small)."""
        hidden = hide or (suppress and self.is_suppressed(threshold))
        mark = hidden_text(threshold)
        return {
            "code": self.code,
            "label": self.label,
            "counts": {step: mark if hidden else count for step, count in self.counts.items()},
            "answered": mark if hidden else self.answered,
            "positive": mark if hidden else self.positive,
            "share_positive": None if hidden else _share(self.share_positive),
            "suppressed": hidden,
        }


@dataclass(frozen=True)
class SurveyResults:
    """Everything the results page and the annual report show for a round."""

    survey_round: SurveyRound | None
    responses: int
    on_paper: int
    # None when counted from a queryset of responses rather than a round.
    invitations: int | None
    # By statement code, in STATEMENTS order.
    statements: dict[str, StatementResult]
    studied: int
    not_studied: int
    # True: answered that they studied during the job; False: that they did not.
    by_studied: dict[bool, dict[str, StatementResult]] = field(default_factory=dict)

    @property
    def response_rate(self) -> Decimal | None:
        """Responses over invitations, per cent; None without invitations."""
        if self.invitations is None:
            return None
        return percent(self.responses, self.invitations)

    @property
    def studied_answered(self) -> int:
        return self.studied + self.not_studied

    @property
    def share_studied(self) -> Decimal | None:
        return percent(self.studied, self.studied_answered)

    def staff_statements(self) -> list[StatementResult]:
        return [self.statements[code] for code in STAFF_STATEMENTS]

    def job_statements(self) -> list[StatementResult]:
        return [self.statements[code] for code in JOB_STATEMENTS]

    def share_studied_is_suppressed(self, threshold: int | None = None) -> bool:
        return is_small(self.studied_answered, threshold)

    def split_is_suppressed(self, code: str, threshold: int | None = None) -> bool:
        """Whether a statement's split by studied / not studied is hidden, both sides.

        One side alone would not do: the whole statement is shown, so a hidden
        side would be the whole minus the side shown.
        """
        return any(group[code].is_suppressed(threshold) for group in self.by_studied.values())

    def split_as_dict(
        self, code: str, studied: bool, *, threshold: int | None = None
    ) -> dict[str, Any]:
        """One side of a statement's split, as published (small cells hidden)."""
        return self.by_studied[studied][code].as_dict(
            suppress=True, threshold=threshold, hide=self.split_is_suppressed(code, threshold)
        )

    def as_dict(self, *, suppress: bool = False, threshold: int | None = None) -> dict[str, Any]:
        """The results as plain data (JSON-ready). ``suppress`` hides small cells."""
        mark = hidden_text(threshold)
        studied_hidden = suppress and self.share_studied_is_suppressed(threshold)
        return {
            "round": self.survey_round.name if self.survey_round is not None else None,
            "responses": self.responses,
            "on_paper": self.on_paper,
            "invitations": self.invitations,
            "response_rate": _share(self.response_rate),
            "statements": [
                result.as_dict(suppress=suppress, threshold=threshold)
                for result in self.statements.values()
            ],
            "studied": {
                "yes": mark if studied_hidden else self.studied,
                "no": mark if studied_hidden else self.not_studied,
                "answered": mark if studied_hidden else self.studied_answered,
                "share_yes": None if studied_hidden else _share(self.share_studied),
                "suppressed": studied_hidden,
            },
            "by_studied": {
                "yes" if studied else "no": [
                    self.split_as_dict(code, studied, threshold=threshold)
                    if suppress
                    else result.as_dict(threshold=threshold)
                    for code, result in group.items()
                ]
                for studied, group in self.by_studied.items()
            },
        }


def _alias(statement: int, step: int, group: str) -> str:
    return f"s{statement}_{step}_{group}"


def _aggregates() -> dict[str, Count]:
    groups: dict[str, Q] = {
        "all": Q(),
        "yes": Q(studied_during_placement=True),
        "no": Q(studied_during_placement=False),
    }
    aggregates: dict[str, Count] = {
        "responses": Count("pk"),
        "on_paper": Count("pk", filter=Q(on_paper=True)),
        "studied": Count("pk", filter=groups["yes"]),
        "not_studied": Count("pk", filter=groups["no"]),
    }
    for i, code in enumerate(STATEMENTS):
        for j, step in enumerate(SCALE):
            for group, condition in groups.items():
                aggregates[_alias(i, j, group)] = Count("pk", filter=Q(**{code: step}) & condition)
    return aggregates


def _statements(row: dict[str, int], group: str) -> dict[str, StatementResult]:
    return {
        code: StatementResult(
            code=code,
            counts={step: row[_alias(i, j, group)] or 0 for j, step in enumerate(SCALE)},
        )
        for i, code in enumerate(STATEMENTS)
    }


def round_results(
    round_or_responses: SurveyRound | QuerySet[SurveyResponse],
) -> SurveyResults:
    """The results of a round, or of any queryset of responses (then without a rate).

    Two queries for a round (the aggregate and the invitations' count), one
    for a queryset; the data size does not change that.
    """
    if isinstance(round_or_responses, SurveyRound):
        survey_round: SurveyRound | None = round_or_responses
        responses = SurveyResponse.objects.filter(survey_round=survey_round)
        invitations: int | None = SurveyInvitation.objects.filter(survey_round=survey_round).count()
    else:
        survey_round = None
        responses = round_or_responses
        invitations = None
    row = responses.order_by().aggregate(**_aggregates())
    return SurveyResults(
        survey_round=survey_round,
        responses=row["responses"] or 0,
        on_paper=row["on_paper"] or 0,
        invitations=invitations,
        statements=_statements(row, "all"),
        studied=row["studied"] or 0,
        not_studied=row["not_studied"] or 0,
        by_studied={True: _statements(row, "yes"), False: _statements(row, "no")},
    )


@dataclass(frozen=True)
class RoundResponseRate:
    survey_round: SurveyRound
    invitations: int
    responses: int
    answered_on_the_web: int  # invitations whose link was used

    @property
    def response_rate(self) -> Decimal | None:
        return percent(self.responses, self.invitations)


def response_rates(rounds: QuerySet[SurveyRound] | None = None) -> list[RoundResponseRate]:
    """Per round, newest first: invitations, responses and the rate. One query."""
    queryset = SurveyRound.objects.all() if rounds is None else rounds
    return [
        RoundResponseRate(
            survey_round=survey_round,
            invitations=survey_round.invitation_count,
            responses=survey_round.response_count,
            answered_on_the_web=survey_round.used_count,
        )
        for survey_round in with_response_counts(queryset).order_by("-opens_on", "-id")
    ]
