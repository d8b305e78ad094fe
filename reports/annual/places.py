"""Table 1: places per job type, grouped by setting as the city's report does."""

from django.db.models import Count, Q

from placements.models import JobType, Placement, PlacementTarget, Setting
from reports.annual.shape import ReportTable, shown_job_types
from reports.annual.years import year_bounds

SETTING_HEADINGS = {
    Setting.ORDINARY: "Stockholmsjobb inom stadens ordinarie verksamheter",
    Setting.ADAPTED: "Stockholmsjobb med särskilt anpassade arbetsplatser",
}


def _length(job_type: JobType) -> str:
    months = (
        f"{job_type.max_months} mån"
        if job_type.min_months == job_type.max_months
        else f"{job_type.min_months}–{job_type.max_months} mån"
    )
    return f"{months}, kan förlängas" if job_type.extendable else months


def places_table(year: int) -> ReportTable:
    """Table 1: per job type, grouped by setting as the report does, with subtotals and total.

    Planned places (the year's PlacementTarget), placements started in the
    year, active on 31 December and ended in the year. Three queries. These
    are counts of places, not shares of people, so no cell is suppressed.
    """
    first, last = year_bounds(year)
    counted = {
        row["job_type"]: row
        for row in Placement.objects.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by()
        .values("job_type")
        .annotate(
            started=Count("pk", filter=Q(start_date__gte=first)),
            active=Count("pk", filter=Q(end_date__isnull=True) | Q(end_date__gte=last)),
            ended=Count("pk", filter=Q(end_date__lte=last)),
        )
    }
    targets = dict(PlacementTarget.objects.filter(year=year).values_list("job_type_id", "places"))
    job_types = shown_job_types([*counted, *targets])
    table = ReportTable(
        slug="tabell-1",
        sheet="Tabell 1",
        title=f"Tabell 1 Sammanställning av olika typer av Stockholmsjobb {year}",
        subtitle=(
            f"Planerade platser, Stockholmsjobb som påbörjats {year}, pågick den 31 december "
            f"{year} och avslutats {year}, per typ av Stockholmsjobb."
        ),
        header=[
            "Arbetsplats",
            "Typ av Stockholmsjobb",
            "Målgrupp",
            "Längd på anställning",
            f"Planerade platser {year}",
            f"Påbörjade {year}",
            f"Pågående 31 december {year}",
            f"Avslutade {year}",
        ],
        formats=["text", "text", "text", "text", "count", "count", "count", "count"],
        notes=[
            "Pågående: påbörjat senast den 31 december och inte avslutat före den dagen.",
            "En deltagare med två Stockholmsjobb räknas en gång per anställning.",
            "Planerade platser saknas (tom cell) för en typ som inte har något mål för året.",
        ],
    )
    grand = _PlaceSums()
    for setting in Setting:
        sums = _PlaceSums()
        for job_type in (jt for jt in job_types if jt.setting == setting):
            row = counted.get(job_type.pk, {})
            figures = (
                targets.get(job_type.pk),
                row.get("started", 0),
                row.get("active", 0),
                row.get("ended", 0),
            )
            sums.add(*figures)
            table.rows.append(
                [
                    SETTING_HEADINGS[setting],
                    job_type.name,
                    job_type.target_group,
                    _length(job_type),
                    *figures,
                ]
            )
        table.rows.append([SETTING_HEADINGS[setting], "Summa", "", "", *sums.values()])
        grand.add(*sums.values())
    table.rows.append(["Samtliga", "Totalt", "", "", *grand.values()])
    return table


class _PlaceSums:
    def __init__(self) -> None:
        self.target: int | None = None
        self.started = self.active = self.ended = 0

    def add(self, target: int | None, started: int, active: int, ended: int) -> None:
        if target is not None:
            self.target = (self.target or 0) + target
        self.started += started
        self.active += active
        self.ended += ended

    def values(self) -> tuple[int | None, int, int, int]:
        return self.target, self.started, self.active, self.ended
