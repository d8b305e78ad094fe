"""The survey sheet: each round's response rate and the share agreeing with each
statement, from ``reports.survey_results``.
"""

from django.utils import translation

from followup.models import SurveyResponse
from reports.annual.shape import ReportTable, count_cell, protected, share_cell, suppression_note
from reports.annual.years import year_bounds
from reports.disclosure import Key, Total, is_small
from reports.survey_results import response_rates, round_results
from survey.models import SurveyRound
from survey.selectors import statement_label

# The statements as the city's report words them; a statement added later shows its label.
SURVEY_STATEMENTS = {
    "staff_support": "Personalen ger mig det stöd jag behöver på arbetsplatsen",
    "staff_easy_to_reach": "Det är lätt att få kontakt med personalen",
    "staff_interested": "Personalen vill veta hur det går för mig",
    "staff_listen": "Personalen lyssnar på mig",
    "feel_better": "Jag mår bättre",
    "know_next_steps": "Jag vet vad jag behöver göra för att få jobb",
    "better_job_chances": "Jag har större chans att få jobb nu",
    "more_interested_in_studies": "Jag har blivit mer intresserad av att studera",
}
# The report compares these between those who studied during the job and those who did not.
SURVEY_BY_STUDIED = ("more_interested_in_studies", "better_job_chances")


def _statement(code: str) -> str:
    if code in SURVEY_STATEMENTS:
        return SURVEY_STATEMENTS[code]
    with translation.override("sv"):
        return statement_label(code)


def survey_table(year: int) -> ReportTable:
    """The survey (enkätundersökningen) of the rounds that opened in the year.

    The results are ``reports.survey_results``': the share answering "stämmer bra" or
    "stämmer ganska bra" of all who answered a statement ("vet ej" included),
    counted over every response of the year's rounds, and each round's
    response rate. Two queries.
    """
    first, last = year_bounds(year)
    rounds = SurveyRound.objects.filter(opens_on__gte=first, opens_on__lte=last)
    rates = sorted(
        response_rates(rounds), key=lambda rate: (rate.survey_round.opens_on, rate.survey_round.pk)
    )
    table = ReportTable(
        slug="enkat",
        sheet="Enkät",
        title=f"Enkätundersökning bland deltagare i Stockholmsjobb {year}",
        subtitle=(
            "Svarsfrekvens per enkätomgång, och andel som svarat ”stämmer bra” eller "
            "”stämmer ganska bra” på enkätens påståenden."
        ),
        header=["Mått", "Antal", "Av", "Andel %"],
        formats=["text", "count", "count", "share"],
        notes=[
            "Svarsfrekvens: svar (på webben och på papper) av inbjudna.",
            "Påståendena: antal som svarat ”stämmer bra” eller ”stämmer ganska bra” av alla "
            "som svarat på påståendet, ”vet ej” inräknat.",
            "Har studerat: av dem som svarat ja eller nej på frågan.",
            suppression_note(),
        ],
    )
    if not rates:
        table.notes.insert(0, f"Ingen enkätomgång startade {year}.")
        return table

    def add(label: str, count: int, denominator: int, hide: bool | None = None) -> None:
        hide = is_small(denominator) if hide is None else hide
        table.rows.append(
            [
                label,
                count_cell(count, hide),
                count_cell(denominator, hide),
                share_cell(count, denominator, hide=hide),
            ]
        )

    for rate in rates:
        add(f"Svarsfrekvens, {rate.survey_round.name}", rate.responses, rate.invitations)
    results = round_results(SurveyResponse.objects.filter(survey_round__in=rounds))
    # A statement's answers split by studied or not: the two groups and those who did not
    # say whether they studied (shown nowhere) add up to the statement's row.
    split_hidden: dict[str, set[Key]] = {}
    split = [code for code in SURVEY_BY_STUDIED if code in results.statements]
    for code in split:
        answered = {
            "all": results.statements[code].answered,
            **{studied: results.by_studied[studied][code].answered for studied in (True, False)},
        }
        answered["rest"] = answered["all"] - answered[True] - answered[False]
        split_hidden[code] = protected(
            answered, [Total("all", (True, False, "rest"))], unshown=["rest"]
        )
    for code, result in results.statements.items():
        hide = "all" in split_hidden[code] if code in split_hidden else None
        add(_statement(code), result.positive, result.answered, hide)
    add("Har studerat under anställningen", results.studied, results.studied_answered)
    for code in split:
        for studied, group in ((True, "har studerat"), (False, "har inte studerat")):
            result = results.by_studied[studied][code]
            label = f"{_statement(code)} ({group})"
            add(label, result.positive, result.answered, studied in split_hidden[code])
    return table
