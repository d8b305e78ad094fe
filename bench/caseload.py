"""Benchmark: the coaches' caseload and participant pages at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \
        .venv/bin/python bench/caseload.py

Uses the data set of bench/dataset.py (loaded once), gives a coach a unit of
about 5,000 participants with a caseload of 300, and a participant with a long
case history, then prints the median server time and the query count of the
caseload (my caseload, the whole unit, a name search, a filter) and of the
participant page. Target (issue 4): under 150 ms with a bounded query count.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import load_dataset, start_django, time_page

RUNS = int(os.environ.get("BENCH_RUNS", 10))
CASELOAD = 300
HISTORY = 40


def _coach_and_participant():
    from django.utils import timezone

    from accounts.models import User
    from participants.models import CaseNote, Participant, SupportActivity, Unit
    from tests.factories import CoachFactory

    unit = Unit.objects.get(name="Bench unit 0")
    coach = User.objects.filter(username="bench-coach").first() or CoachFactory(
        username="bench-coach", unit=unit
    )
    if not Participant.objects.filter(coach=coach).exists():
        ids = list(
            Participant.objects.filter(unit=unit)
            .order_by("pk")
            .values_list("pk", flat=True)[:CASELOAD]
        )
        Participant.objects.filter(pk__in=ids).update(coach=coach)
    # The participant with the longest history of the caseload: two placements and notes.
    participant = (
        Participant.objects.filter(coach=coach, placements__isnull=False).order_by("-pk").first()
    )
    if participant.notes.count() < HISTORY:
        CaseNote.objects.bulk_create(
            CaseNote(participant=participant, author=coach, text=f"Anteckning {i}")
            for i in range(HISTORY)
        )
        SupportActivity.objects.bulk_create(
            SupportActivity(
                participant=participant,
                phase="during",
                kind="coaching_talk",
                date=timezone.localdate(),
                recorded_by=coach,
            )
            for _ in range(HISTORY)
        )
    return coach, participant


def main() -> None:
    start_django()
    from django.test import Client

    from participants.models import Participant
    from placements.models import Placement

    load_dataset()
    coach, participant = _coach_and_participant()
    unit_size = Participant.objects.filter(unit=coach.unit).count()
    print(
        f"data: {Placement.objects.count():,} placements; the coach's unit holds "
        f"{unit_size:,} participants, their caseload {CASELOAD}; the participant page shows "
        f"{participant.notes.count()} notes and {participant.activities.count()} activities"
    )
    client = Client()
    client.force_login(coach)
    pages = [
        ("caseload, mine", "/participants/"),
        ("caseload, whole unit", "/participants/?scope=unit"),
        ("caseload, unit, page 50", "/participants/?scope=unit&page=50"),
        ("caseload, name search", "/participants/?scope=unit&q=Person1"),
        (
            "caseload, unit, awaiting follow-up",
            "/participants/?scope=unit&status=awaiting_followup",
        ),
        ("caseload, unit, followed up", "/participants/?scope=unit&status=followed_up"),
        ("caseload, unit, follow-up overdue", "/participants/?scope=unit&followup_due=overdue"),
        ("participant page", f"/participants/{participant.pk}/"),
        ("follow-ups, whole unit", "/followups/?scope=unit"),
        ("workplaces", "/workplaces/"),
    ]
    for label, path in pages:
        time_page(client, label, path, runs=RUNS)


if __name__ == "__main__":
    main()
