"""Benchmark: the coaches' caseload and participant pages at national scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/stockholmsjobb_bench \
        .venv/bin/python bench/caseload.py

Uses the data set of bench/dataset.py (loaded once), gives a coach a unit of
about 5,000 participants with a caseload of 300, and a participant with a long
case history, then prints the median server time and the query count of the
caseload (my caseload, the whole unit, a name search, a filter) and of the
participant page. Target (issue 4): under 150 ms with a bounded query count.

Then the coach's week (/) at two caseload sizes, 30 and 300, each caseload
with goals due for review, studies ending and wage subsidies waiting beside
the data set's placements and follow-ups: the query counts (which must be
equal), the median server times, and their ratio to the caseload page of the
same coach measured in the same run (a machine-independent figure).
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.setup import load_dataset, start_django, time_page

RUNS = int(os.environ.get("BENCH_RUNS", 10))
CASELOAD = 300
HISTORY = 40
# The week's two caseload sizes: the query count must not grow from one to the other.
SMALL_CASELOAD = 30


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


def _week_caseload(username: str, size: int, first: int):
    """A coach with `size` participants of the second bench unit and their week's items.

    Every third participant has a goal due for review, a study ending and a
    wage subsidy waiting; every other one a support activity this month. The
    placements and follow-ups are the data set's own.
    """
    import datetime

    from django.utils import timezone

    from accounts.models import User
    from participants.models import LearningGoal, Participant, Study, SupportActivity, Unit
    from placements.models import WageSubsidyCase
    from tests.factories import CoachFactory

    unit = Unit.objects.get(name="Bench unit 1")
    coach = User.objects.filter(username=username).first() or CoachFactory(
        username=username, unit=unit
    )
    if Participant.objects.filter(coach=coach).exists():
        return coach
    today = timezone.localdate()
    ids = list(
        Participant.objects.filter(unit=unit, coach__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[first : first + size]
    )
    Participant.objects.filter(pk__in=ids).update(coach=coach)
    some = ids[::3]
    LearningGoal.objects.bulk_create(
        LearningGoal(
            participant_id=pk,
            description="Truckkort",
            target_industry="Lager",
            status="in_progress",
            next_review_on=today + datetime.timedelta(days=index % 10 - 5),
        )
        for index, pk in enumerate(some)
    )
    Study.objects.bulk_create(
        Study(
            participant_id=pk,
            kind="sfi",
            start_date=today - datetime.timedelta(days=200),
            end_date=today + datetime.timedelta(days=index % 40 - 10),
            extent_percent=20,
        )
        for index, pk in enumerate(some)
    )
    WageSubsidyCase.objects.bulk_create(
        WageSubsidyCase(participant_id=pk, applied_on=today - datetime.timedelta(days=index % 90))
        for index, pk in enumerate(some)
    )
    SupportActivity.objects.bulk_create(
        SupportActivity(
            participant_id=pk,
            phase="during",
            kind="coaching_talk",
            date=today - datetime.timedelta(days=index % 20),
        )
        for index, pk in enumerate(ids[::2])
    )
    return coach


def _measure(client, path: str, runs: int) -> tuple[float, int]:
    """The median server time (seconds) and the query count of a page, after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings), len(queries.captured_queries)


def _coach_week() -> None:
    from django.db import connection
    from django.test import Client

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    figures = {}
    for size, username, first in (
        (SMALL_CASELOAD, "bench-week-small", 0),
        (CASELOAD, "bench-week-large", SMALL_CASELOAD),
    ):
        coach = _week_caseload(username, size, first)
        client = Client()
        client.force_login(coach)
        week, week_queries = _measure(client, "/", RUNS)
        reference, _queries = _measure(client, "/participants/", RUNS)
        figures[size] = (week, week_queries, reference)
        print(
            f"coach's week, caseload {size}: median {week * 1000:.0f} ms server time over "
            f"{RUNS} requests; {week_queries} queries; the caseload page of the same coach "
            f"{reference * 1000:.0f} ms (ratio week / caseload {week / reference:.2f})"
        )
    small, large = figures[SMALL_CASELOAD], figures[CASELOAD]
    verdict = "equal" if small[1] == large[1] else "NOT equal"
    print(
        f"coach's week: queries {small[1]} and {large[1]} ({verdict}); "
        f"ratio week({CASELOAD}) / week({SMALL_CASELOAD}) {large[0] / small[0]:.2f}"
    )


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
        # A name is searched by POST and kept in the session, never in the address.
        ("caseload, name search", "/participants/?scope=unit&search=name"),
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
        if "search=name" in path:
            client.post("/participants/?scope=unit", {"q": "Person1"})
        time_page(client, label, path, runs=RUNS)
    _coach_week()


if __name__ == "__main__":
    main()
