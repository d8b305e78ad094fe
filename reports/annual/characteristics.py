"""Table 4: who started a placement in the year, per job type and in all."""

from collections.abc import Mapping
from typing import Any

from django.db.models import Aggregate, Count, Expression, IntegerField, Q, Sum
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear

from core.numbers import one_decimal
from participants.models import EducationLevel, Gender
from placements.models import Placement
from reports.annual.shape import (
    Cell,
    ReportTable,
    count_cell,
    figure_cell,
    protected,
    share_cell,
    shown_job_types,
    suppression_note,
)
from reports.annual.statistics import Percentiles, mean, percentiles
from reports.annual.years import year_bounds
from reports.disclosure import Key, Total


def _age_at_start() -> Expression:
    """Age in whole years on the placement's start date.

    The arithmetic of ``reports.outcomes.age_group_expression``: the dates as
    YYYYMMDD numbers, their difference divided by 10000. The cast makes it an
    integer division on PostgreSQL too, where EXTRACT gives a numeric.
    """

    def as_number(name: str) -> Expression:
        return ExtractYear(name) * 10000 + ExtractMonth(name) * 100 + ExtractDay(name)

    difference = as_number("start_date") - as_number("participant__birth_date")
    return Cast(difference, IntegerField()) / 10000


EDUCATION_COLUMNS = {
    EducationLevel.PRIMARY: "Förgymnasial",
    EducationLevel.SECONDARY: "Gymnasial",
    EducationLevel.TERTIARY: "Eftergymnasial",
}


def _characteristics_aggregates() -> dict[str, Aggregate]:
    aggregates: dict[str, Aggregate] = {
        "started": Count("pk"),
        "age_total": Sum(_age_at_start()),
        "women": Count("pk", filter=Q(participant__gender=Gender.KVINNA)),
        "birth_known": Count("participant__foreign_born"),
        "foreign_born": Count("pk", filter=Q(participant__foreign_born=True)),
        "education_known": Count(
            "pk", filter=Q(participant__education_level__in=list(EDUCATION_COLUMNS))
        ),
    }
    for level in EDUCATION_COLUMNS:
        aggregates[f"education_{level}"] = Count("pk", filter=Q(participant__education_level=level))
    return aggregates


MONTHS_BEFORE = {
    "assistance": "participant__months_social_assistance_before",
    "unemployment": "participant__months_unemployed_before",
}


def characteristics_table(year: int) -> ReportTable:
    """Table 4: who started a placement in the year, per job type and in all.

    A placement counts once (a participant with two counts twice), with the
    participant's background as registered. Each share and median is over the
    placements whose participant has a known value, and that count stands next
    to it. Four queries.
    """
    first, last = year_bounds(year)
    started = Placement.objects.filter(start_date__gte=first, start_date__lte=last)
    aggregates = _characteristics_aggregates()
    per_job_type = {
        row["job_type"]: row for row in started.order_by().values("job_type").annotate(**aggregates)
    }
    total = started.order_by().aggregate(**aggregates)
    medians = percentiles(started, values=MONTHS_BEFORE, fractions=(0.5,), group="job_type")
    median_total = percentiles(started, values=MONTHS_BEFORE, fractions=(0.5,))
    table = ReportTable(
        slug="tabell-4",
        sheet="Tabell 4",
        title=f"Tabell 4 Egenskaper för deltagare i Stockholmsjobb som påbörjats {year}",
        subtitle=(
            "Ålder vid anställningens start; bakgrund enligt deltagarens uppgifter vid "
            "inskrivningen. Andelar och medianer räknas på dem med känd uppgift."
        ),
        header=[
            "Typ av Stockholmsjobb",
            "Påbörjade",
            "Medelålder vid start (år)",
            "Kvinnor",
            "Kvinnor %",
            "Känt födelseland",
            "Utrikes födda",
            "Utrikes födda %",
            "Känd utbildningsnivå",
            *(heading for label in EDUCATION_COLUMNS.values() for heading in (label, f"{label} %")),
            "Känt antal månader med försörjningsstöd",
            "Median månader med försörjningsstöd före",
            "Känt antal månader som arbetslös",
            "Median månader inskriven arbetslös före",
        ],
        formats=[
            "text",
            "count",
            "decimal",
            "count",
            "share",
            "count",
            "count",
            "share",
            "count",
            *(["count", "share"] * len(EDUCATION_COLUMNS)),
            "count",
            "decimal",
            "count",
            "decimal",
        ],
        notes=[
            "Utbildningsnivåns andelar räknas på dem med känd nivå; ”okänd” ingår inte.",
            "Medianerna är kontinuerliga (percentile_cont): mellan två mittersta värden "
            "visas medelvärdet av dem.",
            suppression_note(),
        ],
    )
    job_types = shown_job_types(per_job_type)
    # Per row (a job type's id, or "all"): its figures and the counts that are denominators.
    figures: dict[Key, tuple[Mapping[str, Any], Percentiles]] = {
        job_type.pk: (per_job_type.get(job_type.pk, {}), medians.get(job_type.pk, {}))
        for job_type in job_types
    }
    figures["all"] = (total, median_total.get(None, {}))
    known = {key: _characteristics_denominators(*values) for key, values in figures.items()}
    # "Samtliga" is the sum of the job types shown (an inactive one with placements shows too).
    totals = [Total("all", tuple(job_type.pk for job_type in job_types))]
    hidden = {
        count: protected({key: values[count] for key, values in known.items()}, totals)
        for count in CHARACTERISTICS_DENOMINATORS
    }
    labels = {**{job_type.pk: job_type.name for job_type in job_types}, "all": "Samtliga"}
    for key, (row, row_medians) in figures.items():
        hide = {count: key in keys for count, keys in hidden.items()}
        table.rows.append(_characteristics_row(labels[key], row, row_medians, known[key], hide))
    return table


CHARACTERISTICS_DENOMINATORS = (
    "started",
    "birth_known",
    "education_known",
    *(f"{name}_known" for name in MONTHS_BEFORE),
)


def _characteristics_denominators(row: Mapping[str, Any], medians: Percentiles) -> dict[str, int]:
    counts = {name: row.get(name) or 0 for name in ("started", "birth_known", "education_known")}
    for name in MONTHS_BEFORE:
        counts[f"{name}_known"] = medians.get(name, (0, [None]))[0]
    return counts


def _characteristics_row(
    label: str,
    row: Mapping[str, Any],
    medians: Percentiles,
    known: Mapping[str, int],
    hide: Mapping[str, bool],
) -> list[Cell]:
    started, birth_known, education_known = (
        known["started"],
        known["birth_known"],
        known["education_known"],
    )
    women, foreign_born = row.get("women") or 0, row.get("foreign_born") or 0
    cells: list[Cell] = [
        label,
        count_cell(started, hide["started"]),
        figure_cell(mean(row.get("age_total"), started), hide["started"]),
        count_cell(women, hide["started"]),
        share_cell(women, started, hide=hide["started"]),
        count_cell(birth_known, hide["birth_known"]),
        count_cell(foreign_born, hide["birth_known"]),
        share_cell(foreign_born, birth_known, hide=hide["birth_known"]),
        count_cell(education_known, hide["education_known"]),
    ]
    for level in EDUCATION_COLUMNS:
        count = row.get(f"education_{level}") or 0
        cells += [
            count_cell(count, hide["education_known"]),
            share_cell(count, education_known, hide=hide["education_known"]),
        ]
    for name in MONTHS_BEFORE:
        _known, (median,) = medians.get(name, (0, [None]))
        cells += [
            count_cell(known[f"{name}_known"], hide[f"{name}_known"]),
            figure_cell(one_decimal(median), hide[f"{name}_known"]),
        ]
    return cells
