"""Tables 6-8: the main income source (SCB's register follow-up) of a cohort, two years
before its placements ended and one and two years after.
"""

from django.db.models import Count, F, Q, QuerySet

from followup.models import IncomeSource
from followup.register import REGISTER_COHORT_LAG
from participants.models import ConsentFlow, Participant
from participants.selectors import participants_with_consent
from placements.models import Placement
from reports.annual.shape import (
    Cell,
    Chart,
    ReportTable,
    count_cell,
    protected,
    share_cell,
    suppression_note,
)
from reports.annual.years import year_bounds
from reports.disclosure import Total
from reports.outcomes import age_group_expression

REGISTER_TABLES = (
    (
        "tabell-6",
        "Tabell 6",
        IncomeSource.SOCIAL_ASSISTANCE,
        "Ekonomiskt bistånd",
        "Tabell 6 Ekonomiskt bistånd som huvudsaklig inkomstkälla 2 år före avslutat "
        "Stockholmsjobb samt 1 respektive 2 år efter avslutat Stockholmsjobb. "
        "Åldersindelat deltagare under 30 år och deltagare över 30 år.",
    ),
    (
        "tabell-7",
        "Tabell 7",
        IncomeSource.EARNED_INCOME,
        "Förvärvsarbete",
        "Tabell 7 Förvärvsarbete som huvudsaklig inkomstkälla 2 år före avslutat "
        "Stockholmsjobb samt 1 respektive 2 år efter avslutat Stockholmsjobb. "
        "Åldersindelat deltagare under 30 år och deltagare över 30 år.",
    ),
    (
        "tabell-8",
        "Tabell 8",
        IncomeSource.STUDIES,
        "Studier",
        "Tabell 8 Studier som huvudsaklig inkomstkälla 2 år före avslutat Stockholmsjobb "
        "samt 1 respektive 2 år efter avslutat Stockholmsjobb. Åldersindelat deltagare "
        "under 30 år och deltagare över 30 år.",
    ),
)
# Years from the cohort year (the year the placements ended), as the report measures.
MEASUREMENT_POINTS = ((-2, "2 år före"), (1, "1 år efter"), (2, "2 år efter"))
# The keys are reports.outcomes.AGE_GROUPS.
AGE_GROUP_LABELS = {"<30": "Under 30 år", "30+": "30 år och äldre"}


def default_cohort_year(year: int) -> int:
    """The placements whose register follow-up a report of ``year`` shows: ended in year − 4.

    Tables 6-8 need the main income source two years after the end. SCB
    delivers a register year about two years after it (the city's report: the
    delivery of September 2021 reached 2019, for placements ended 2016-2017).
    A report of year Y is made early in Y+1, when the newest register year is
    Y−2: the placements ended in Y−4 are the latest with their +2 year in it.
    """
    return year - REGISTER_COHORT_LAG


def scb_consenting(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    """THE filter of the register tables: participants whose current SCB consent is given.

    Only they count in tables 6-8; the rest of the cohort is reported as left out.
    """
    return participants_with_consent(ConsentFlow.SCB, participants)


def register_tables(cohort_year: int) -> list[ReportTable]:
    """Tables 6-8: main income source (SCB) of the people whose placement ended in the cohort
    year, two years before the end year and one and two years after, per age group.

    The unit is the person, as in SCB's follow-up: their register row is one
    per person and year, so a person counts once however many placements
    ended that year. The age group is the age on the placement's start date,
    as in every other breakdown (DESIGN §4, ``age_group_expression``): the
    under-30 group then holds the youth job types (up to 29 at the start)
    whole, instead of moving those who turn 30 during the job to the older
    group. Someone with two placements in different age groups counts in both
    groups, once in "Samtliga". Four queries serve all three tables.
    """
    first, last = year_bounds(cohort_year)
    cohort = Placement.objects.filter(end_date__gte=first, end_date__lte=last)
    consenting = Q(participant__in=scb_consenting(Participant.objects.all()).values("pk"))
    people = {
        "persons": Count("participant", distinct=True),
        "consenting": Count("participant", distinct=True, filter=consenting),
    }
    grouped = cohort.annotate(age_group=age_group_expression()).order_by()
    cohort_counts: dict[str | None, dict] = {
        row["age_group"]: row for row in grouped.values("age_group").annotate(**people)
    }
    cohort_counts[None] = cohort.order_by().aggregate(**people)

    years = [cohort_year + offset for offset, _label in MEASUREMENT_POINTS]
    with_register = {
        "participant__register_outcomes__year__in": years,
    }
    register_values = {
        "register_year": F("participant__register_outcomes__year"),
        "income_source": F("participant__register_outcomes__income_source"),
    }
    found: dict[tuple[str | None, int, str], int] = {}
    for row in (
        grouped.filter(consenting, **with_register)
        .values("age_group", **register_values)
        .annotate(persons=Count("participant", distinct=True))
    ):
        found[row["age_group"], row["register_year"], row["income_source"]] = row["persons"]
    for row in (
        cohort.order_by()
        .filter(consenting, **with_register)
        .values(**register_values)
        .annotate(persons=Count("participant", distinct=True))
    ):
        found[None, row["register_year"], row["income_source"]] = row["persons"]

    groups: list[str | None] = [*AGE_GROUP_LABELS, None]
    registered = {
        (group, year): sum(n for (g, y, _source), n in found.items() if g == group and y == year)
        for group in groups
        for year in years
    }
    # "Samtliga" beside the two age groups: per year, the people with a register row are
    # protected like the parts of a sum (a person in both groups makes it less than one).
    totals = [Total(None, tuple(AGE_GROUP_LABELS))]
    hidden = {
        year: protected({group: registered[group, year] for group in groups}, totals)
        for year in years
    }

    # The cohort's own counts per age group. Those with consent are the sum of the
    # year's "with a row" and "without", so they are shown; small, they hide that
    # group's years too. Those without consent are everyone minus them: small,
    # they hide themselves and everyone.
    def cohort(group: str | None, key: str) -> int:
        return (cohort_counts.get(group) or {}).get(key) or 0

    consent_hidden = protected({group: cohort(group, "consenting") for group in groups}, totals)
    for year in years:
        hidden[year] |= consent_hidden
    people_hidden = protected(
        {group: cohort(group, "persons") - cohort(group, "consenting") for group in groups},
        totals,
    ) | protected({group: cohort(group, "persons") for group in groups}, totals)

    tables = []
    for slug, sheet, source, source_label, title in REGISTER_TABLES:
        header = [
            "Åldersgrupp",
            f"Avslutade {cohort_year} (personer)",
            "Utan samtycke till SCB-uppföljning (ej med)",
            "Med samtycke",
        ]
        formats = ["text", "count", "count", "count"]
        for offset, label in MEASUREMENT_POINTS:
            point = f"{label} ({cohort_year + offset})"
            header += [
                f"{point}: med registeruppgift",
                f"{point}: saknar registeruppgift",
                f"{point}: {source_label.lower()}",
                f"{point}: {source_label.lower()} %",
            ]
            formats += ["count", "count", "count", "share"]
        table = ReportTable(
            slug=slug,
            sheet=sheet,
            title=title,
            subtitle=(
                f"Personer vars Stockholmsjobb avslutades {cohort_year}; huvudsaklig "
                f"inkomstkälla enligt SCB {', '.join(str(y) for y in years[:-1])} och "
                f"{years[-1]}."
            ),
            header=header,
            formats=formats,
            notes=[
                "Endast deltagare som i dag har samtyckt till registeruppföljning via SCB "
                "ingår; övriga i kohorten redovisas som ”utan samtycke”.",
                "Andelen räknas på dem med en registeruppgift för året; de som saknar "
                "uppgift för året redovisas för sig.",
                "Åldersgrupp efter ålder när Stockholmsjobbet började. En person med två "
                "Stockholmsjobb i olika åldersgrupper räknas i båda men en gång i Samtliga.",
                suppression_note(),
            ],
            charts=[
                Chart(
                    kind="column",
                    title=f"{source_label} som huvudsaklig inkomstkälla, avslutade {cohort_year}",
                    y_title="Andel (%)",
                    categories=(0, 0, 1),
                    series=[
                        (label, 7 + 4 * index, 0, 1)
                        for index, (_offset, label) in enumerate(MEASUREMENT_POINTS)
                    ],
                )
            ],
        )
        for group, label in [*AGE_GROUP_LABELS.items(), (None, "Samtliga")]:
            counts = cohort_counts.get(group) or {}
            persons = counts.get("persons") or 0
            consenting_persons = counts.get("consenting") or 0
            row: list[Cell] = [
                label,
                count_cell(persons, group in people_hidden),
                count_cell(persons - consenting_persons, group in people_hidden),
                count_cell(consenting_persons, group in consent_hidden),
            ]
            for register_year in years:
                with_row = registered[group, register_year]
                with_source = found.get((group, register_year, source), 0)
                # Those without a row are the consenting minus those with one: hidden alike.
                hide = group in hidden[register_year]
                row += [
                    count_cell(with_row, hide),
                    count_cell(consenting_persons - with_row, hide),
                    count_cell(with_source, hide),
                    share_cell(with_source, with_row, hide=hide),
                ]
            table.rows.append(row)
        tables.append(table)
    return tables
