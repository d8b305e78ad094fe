"""Studies and internships during the placements that ended in the year, and the
learning goals due in it.
"""

from django.db.models import Count, Exists, OuterRef, Q

from participants.models import LearningGoal, Study
from placements.models import Internship, Placement
from reports.annual.shape import ReportTable, count_cell, share_cell, suppression_note
from reports.annual.years import year_bounds
from reports.disclosure import is_small


def support_table(year: int) -> ReportTable:
    """Studies and internships during the placements ended in the year, and learning goals
    due in the year. Three queries.

    A study or internship counts for a placement when it is the same
    participant's and overlaps the placement's dates, whether or not the coach
    linked it to the placement.
    """
    first, last = year_bounds(year)

    def during(model: type) -> Exists:
        overlapping = model.objects.filter(
            participant=OuterRef("participant"), start_date__lte=OuterRef("end_date")
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("start_date")))
        return Exists(overlapping)

    ended = (
        Placement.objects.filter(end_date__gte=first, end_date__lte=last)
        .order_by()
        .aggregate(
            ended=Count("pk"),
            studied=Count("pk", filter=Q(during(Study))),
            with_internship=Count("pk", filter=Q(during(Internship))),
        )
    )
    internships = Internship.objects.filter(start_date__gte=first, start_date__lte=last).count()
    goals = (
        LearningGoal.objects.filter(target_date__gte=first, target_date__lte=last)
        .order_by()
        .aggregate(due=Count("pk"), reached=Count("pk", filter=Q(status="reached")))
    )
    table = ReportTable(
        slug="studier-och-praktik",
        sheet="Studier och praktik",
        title=f"Andel som studerat under anställningen, lärandemål och praktik {year}",
        subtitle=(
            f"Stockholmsjobb som avslutats {year}, praktik som påbörjats {year} och "
            f"lärandemål med måldatum {year}."
        ),
        header=["Mått", "Antal", "Av", "Andel %"],
        formats=["text", "count", "count", "share"],
        notes=[
            "Studier och praktik räknas när de är deltagarens egna och pågick någon dag "
            "under anställningen.",
            suppression_note(totals=False),
        ],
    )
    for label, count, denominator in (
        ("Avslutade Stockholmsjobb med studier under anställningen", "studied", "ended"),
        ("Avslutade Stockholmsjobb med minst en praktik", "with_internship", "ended"),
    ):
        table.rows.append(
            [
                label,
                count_cell(ended[count], is_small(ended[denominator])),
                count_cell(ended[denominator], is_small(ended[denominator])),
                share_cell(ended[count], ended[denominator], hide=is_small(ended[denominator])),
            ]
        )
    table.rows.append(["Praktikperioder som påbörjats under året", internships, None, None])
    table.rows.append(
        [
            "Lärandemål med måldatum under året som nåtts",
            count_cell(goals["reached"], is_small(goals["due"])),
            count_cell(goals["due"], is_small(goals["due"])),
            share_cell(goals["reached"], goals["due"], hide=is_small(goals["due"])),
        ]
    )
    return table
