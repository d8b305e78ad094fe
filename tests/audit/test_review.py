"""The administrators' review of the access log: access, filters, flags, the monthly sample."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review, monthly_sample
from audit.services import log_access
from participants.selectors import participant_for_user
from tests.factories import AdminFactory, CoachFactory, ManagerFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

URL = "/audit/"
MAY = datetime.date(2024, 5, 1)


@pytest.fixture
def admin():
    return AdminFactory(username="admin1")


def flags() -> dict[tuple[str, int], bool]:
    return {
        (entry.username, entry.participant_id): entry.flagged
        for entry in log_for_review().filter(action=Action.VIEW)
    }


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


# --- Who may review ---------------------------------------------------------------------


def test_url_names():
    assert reverse("audit:review") == URL
    assert reverse("audit:sample") == "/audit/sample/"


def test_admin_reviews_the_log(client, admin):
    client.force_login(admin)
    response = client.get(URL)
    assert response.status_code == 200
    assert (URL, "Åtkomstlogg") in [
        (url, str(label)) for url, label in response.context["nav_items"]
    ]


@pytest.mark.parametrize("factory", [CoachFactory, ManagerFactory])
def test_coaches_and_managers_may_not_review_the_log(client, unit, factory):
    user = factory(unit=unit)
    client.force_login(user)
    for url in (URL, "/audit/sample/", "/audit/sample.csv?month=2024-05&size=5"):
        assert client.get(url).status_code == 403
    response = client.get(reverse("participants:caseload"))
    assert URL not in [url for url, _label in response.context["nav_items"]]


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


# --- Filters ---------------------------------------------------------------------------------


def test_filters_by_user_participant_and_period(client, admin, coach, participant, other_coach):
    log_access(action=Action.VIEW, participant_id=participant.pk, user=coach)
    log_access(action=Action.VIEW, participant_id=participant.pk + 1000, user=coach)
    log_access(action=Action.LOGIN, user=other_coach)
    AccessLogEntry.objects.create(
        action=Action.VIEW, username="coach1", participant_id=participant.pk, at=at(MAY)
    )
    client.force_login(admin)

    def listed(**params: object) -> list[tuple[str, str, int | None]]:
        response = client.get(URL, params)
        assert response.status_code == 200
        return [(e.username, e.action, e.participant_id) for e in response.context["page"]]

    assert listed(username="COACH2") == [("coach2", "login", None)]
    assert listed(username="coach1", participant=participant.pk) == [
        ("coach1", "view", participant.pk),
        ("coach1", "view", participant.pk),
    ]
    assert listed(date_from="2024-05-01", date_to="2024-05-01") == [
        ("coach1", "view", participant.pk)
    ]
    assert listed(date_to="2024-04-30") == []


def test_the_period_is_whole_days_in_stockholm(client, admin):
    # 23:30 on 31 May in Stockholm is 21:30 UTC: still May.
    AccessLogEntry.objects.create(
        action=Action.LOGIN,
        username="late",
        at=at(MAY, 23).replace(minute=30) + datetime.timedelta(days=30),
    )
    client.force_login(admin)
    response = client.get(URL, {"date_from": "2024-05-31", "date_to": "2024-05-31"})
    assert [e.username for e in response.context["page"]] == ["late"]


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    client, admin, django_assert_max_num_queries
):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(action=Action.VIEW, username="c", participant_id=n) for n in range(120)
    )
    client.force_login(admin)
    client.get(URL)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page": 2})
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count >= 120


# --- Flags -----------------------------------------------------------------------------------


def test_reads_outside_the_readers_unit_and_caseload_are_flagged(unit, other_unit, coach, admin):
    colleague = CoachFactory(unit=unit, username="colleague")
    manager = ManagerFactory(unit=unit, username="boss")
    other_manager = ManagerFactory(unit=other_unit, username="otherboss")
    own = ParticipantFactory(unit=unit, coach=coach)
    colleagues = ParticipantFactory(unit=unit, coach=colleague)
    for reader, participant in [
        (coach, own),
        (coach, colleagues),
        (colleague, colleagues),
        (manager, own),
        (other_manager, own),
        (admin, own),
    ]:
        log_access(action=Action.VIEW, participant_id=participant.pk, user=reader)

    assert flags() == {
        ("coach1", own.pk): False,  # own caseload, own unit
        ("coach1", colleagues.pk): True,  # own unit, not own caseload
        ("colleague", colleagues.pk): False,
        ("boss", own.pk): False,  # a manager's work is the whole unit
        ("otherboss", own.pk): True,  # but not another unit
        ("admin1", own.pk): True,  # admins have no unit
    }


def test_a_read_is_judged_as_it_was_then_not_after_a_move_or_reassignment(
    unit, other_unit, coach, participant
):
    participant_for_user(coach, participant.pk)
    assert flags() == {("coach1", participant.pk): False}

    # The person moves on: the work done before is not flagged afterwards.
    participant.coach = CoachFactory(unit=unit, username="colleague")
    participant.save()
    participant.unit = other_unit
    participant.save()

    assert flags() == {("coach1", participant.pk): False}
    log_access(action=Action.VIEW, participant_id=participant.pk, user=coach)
    reads = log_for_review().filter(action=Action.VIEW).order_by("id")
    assert [entry.flagged for entry in reads] == [False, True]


def test_a_row_written_before_reach_was_kept_is_judged_by_today(unit, other_unit, coach):
    participant = ParticipantFactory(unit=unit, coach=coach)
    AccessLogEntry.objects.create(
        action=Action.VIEW,
        user=coach,
        username=coach.username,
        unit_name=unit.name,
        participant_id=participant.pk,
    )
    assert flags() == {("coach1", participant.pk): False}

    participant.unit = other_unit
    participant.save()

    assert flags() == {("coach1", participant.pk): True}


def test_reads_refusals_about_a_participant_and_collisions_are_flagged(coach, participant):
    log_access(action=Action.REFUSED, participant_id=participant.pk + 1, user=coach)
    log_access(action=Action.REFUSED, user=coach, detail="HTTP 403")
    log_access(action=Action.COLLISION, participant_id=participant.pk + 2, user=coach)
    log_access(action=Action.LOGIN, user=coach)
    log_access(action=Action.CREATE, participant_id=participant.pk, user=coach)

    assert sorted((entry.action, entry.flagged) for entry in log_for_review()) == sorted(
        [
            (Action.REFUSED, True),  # someone asked for a record outside their access
            (Action.REFUSED, False),  # a page, no participant
            (Action.COLLISION, True),
            (Action.LOGIN, False),
            (Action.CREATE, False),
        ]
    )


def test_only_flagged_filter(client, admin, unit, coach, participant):
    elsewhere = ParticipantFactory(unit=unit)
    participant_for_user(coach, participant.pk)
    participant_for_user(coach, elsewhere.pk)
    client.force_login(admin)

    response = client.get(URL, {"flagged": "on"})

    assert [(e.participant_id, e.flagged) for e in response.context["page"]] == [
        (elsewhere.pk, True)
    ]
    assert (
        "Outside unit or caseload"
        in client.get(URL, headers={"Accept-Language": "en"}).content.decode()
    )


# --- The monthly sample ---------------------------------------------------------------------


@pytest.fixture
def may_and_june():
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            action=Action.VIEW,
            username=f"user{n % 7}",
            participant_id=n,
            at=at(MAY + datetime.timedelta(days=n % 31), hour=n % 24),
        )
        for n in range(300)
    )
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(action=Action.VIEW, username="june", at=at(datetime.date(2024, 6, 2)))
        for _ in range(20)
    )


def sample_ids(month: datetime.date, size: int) -> list[int]:
    return [entry.pk for entry in monthly_sample(month, size)]


def test_the_sample_is_the_same_for_the_same_month_and_size(may_and_june):
    first = sample_ids(MAY, 25)

    # More rows in later months do not change May's sample.
    AccessLogEntry.objects.create(
        action=Action.LOGIN, username="later", at=at(datetime.date(2024, 7, 1))
    )

    assert sample_ids(MAY, 25) == first
    assert len(set(first)) == 25
    assert all(entry.at.month == 5 for entry in AccessLogEntry.objects.filter(pk__in=first))
    assert {e.username for e in AccessLogEntry.objects.filter(pk__in=first)} != {"user0"}


def test_the_sample_differs_between_months_and_spreads_over_the_month(may_and_june):
    may = sample_ids(MAY, 20)
    june = sample_ids(datetime.date(2024, 6, 1), 20)
    assert len(june) == 20 and not set(may) & set(june)
    ids = sorted(AccessLogEntry.objects.filter(at__month=5).values_list("pk", flat=True))
    assert may != ids[:20]  # not simply the first rows


def test_the_sample_cannot_be_foretold_from_the_code(may_and_june, settings):
    # Drawn with the month alone as the seed (anyone can compute it), the sample
    # is not the server's; a server with another key draws other rows.
    import random

    total = AccessLogEntry.objects.filter(at__month=5).count()
    ids = sorted(AccessLogEntry.objects.filter(at__month=5).values_list("pk", flat=True))
    public = random.Random(f"access-log-sample-{MAY:%Y-%m}")
    foretold = sorted(ids[position] for position in public.sample(range(total), 25))
    drawn = sample_ids(MAY, 25)
    assert sorted(drawn) != foretold

    settings.SECRET_KEY = "another-servers-key-" + "x" * 40
    assert sorted(sample_ids(MAY, 25)) != sorted(drawn)


def test_a_sample_larger_than_the_month_is_the_whole_month(may_and_june):
    assert len(sample_ids(datetime.date(2024, 6, 1), 100)) == 20
    assert sample_ids(datetime.date(2023, 1, 1), 10) == []


def test_the_sample_page_and_its_csv(client, admin, may_and_june):
    AccessLogEntry.objects.create(
        action=Action.LOGIN_FAILED, username="=HYPERLINK(1)", at=at(datetime.date(2024, 6, 3))
    )
    client.force_login(admin)
    params = {"month": "2024-06", "size": "30"}

    page = client.get("/audit/sample/", params)
    download = client.get("/audit/sample.csv", params)

    assert page.status_code == 200
    assert len(page.context["entries"]) == 21
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["at", "username", "unit_name", "action", "participant_id"]
    assert len(rows) == 22
    assert [row[1] for row in rows if "HYPERLINK" in row[1]] == ["'=HYPERLINK(1)"]
    assert client.get("/audit/sample.csv", params).content == download.content
    exports = AccessLogEntry.objects.filter(action=Action.EXPORT)
    assert {(e.user, e.detail) for e in exports} == {(admin, "access-log sample 2024-06: 21 rows")}
    assert exports.count() == 2


def test_the_sample_form_rejects_a_bad_size(client, admin):
    client.force_login(admin)
    response = client.get("/audit/sample/", {"month": "2024-05", "size": "0"})
    assert response.context["entries"] is None
    assert "size" in response.context["form"].errors
    assert client.get("/audit/sample.csv", {"month": "x", "size": "5"}).status_code == 400
