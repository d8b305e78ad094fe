import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp
from reports.models import OutcomeSnapshot, SnapshotStatus
from reports.snapshots import snapshot_compute
from tests.factories import (
    AdminFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2021, 6, 15)  # current period: T1-2021, window 2020-01-01..2020-12-31
MID_2020 = D(2020, 6, 30)


def ended_with(outcome: str, *, unit, gender="kvinna", end=MID_2020, **participant):
    # A fixed birth date: the factory's sequence would make everyone under 30
    # once enough participants were made earlier in the run.
    participant = ParticipantFactory(
        unit=unit, gender=gender, birth_date=D(1980, 6, 15), **participant
    )
    placement = PlacementFactory(
        participant=participant,
        start_date=end - datetime.timedelta(days=300),
        planned_end_date=end,
        end_date=end,
        end_reason="completed",
    )
    FollowUpFactory(
        placement=placement, outcome=outcome, performed_on=end + datetime.timedelta(days=92)
    )
    return placement


def snapshot() -> OutcomeSnapshot:
    fresh = OutcomeSnapshot.objects.create()
    return snapshot_compute(snapshot_id=fresh.pk)


@pytest.fixture
def figures(unit, other_unit):
    # Own unit: 7 women, 5 working or studying (one describes her gender as "annat"); 6 men,
    # 3 working. Other unit: 5 men, 5 working.
    for outcome in [
        "studier",
        "arbete_subventionerat",
        "arbete_osubventionerat",
        "arbete_osubventionerat",
        "ej_nadd",
        "arbetssokande",
    ]:
        ended_with(outcome, unit=unit)
    for outcome in ["arbete_osubventionerat"] * 3 + ["sjukskriven"] * 3:
        ended_with(outcome, unit=unit, gender="man")
    for _ in range(5):
        ended_with("arbete_subventionerat", unit=other_unit, gender="man")
    ended_with("studier", unit=unit, gender="kvinna", gender_self_described="Annat")
    return snapshot()


def dashboard(client, **params):
    with time_machine.travel(TODAY):
        return client.get(reverse("reports:dashboard"), params)


def test_manager_starts_on_their_own_unit_and_may_choose_all_units(client, manager, figures):
    client.force_login(manager)
    response = dashboard(client)
    assert response.status_code == 200
    headline = response.context["outcomes"]["headline"]
    # Their own unit: 8 working or studying of 13 followed up.
    assert (headline["followed_up"], headline["share_work_or_studies"]) == (13, 61.5)
    response = dashboard(client, unit="all")
    headline = response.context["outcomes"]["headline"]
    # 4 + 3 + 5 + 1 working or studying of 18 followed up = 72.2 %
    assert headline["followed_up"] == 18
    assert headline["share_work_or_studies"] == 72.2
    assert response.context["outcomes"]["current"].label == "T1-2021"
    assert "72,2 %" in response.content.decode()  # Swedish decimal comma


def test_coach_sees_only_their_own_units_figures(client, coach, figures):
    client.force_login(coach)
    response = dashboard(client)
    headline = response.context["outcomes"]["headline"]
    assert headline["followed_up"] == 13
    assert headline["share_work_or_studies"] == 61.5  # 8 / 13
    assert response.context["own_unit_only"]


def test_women_and_men_add_up_to_the_total_and_a_self_description_is_in_no_figure(
    client, manager, figures
):
    client.force_login(manager)
    response = dashboard(client, unit="all")
    shares = response.context["tables"][0]
    row = dict(zip(shares.header, next(r for r in shares.rows if r[0] == "T1-2021"), strict=True))
    followed = [
        value
        for header, value in row.items()
        if header.lower().endswith(("followed up", "uppföljda"))
    ]
    # All, women, men: 18 = 7 + 11, nothing hidden.
    assert followed == [18, 7, 11]
    assert "Annat" not in response.content.decode()
    for table in response.context["tables"]:
        with time_machine.travel(TODAY):
            text = client.get(reverse("reports:dashboard_csv", args=[table.slug])).content
        assert "Annat" not in text.decode("utf-8-sig")


def test_a_small_cell_shows_below_five_and_no_share(client, manager, unit):
    for outcome in ["studier", "arbetssokande", "studier"]:
        ended_with(outcome, unit=unit)
    for _ in range(6):
        ended_with("arbete_osubventionerat", unit=unit, gender="man")
    snapshot()
    client.force_login(manager)
    response = dashboard(client)
    shares = response.context["tables"][0]
    row = dict(zip(shares.header, next(r for r in shares.rows if r[0] == "T1-2021"), strict=True))
    women = [value for header, value in row.items() if header.startswith(("Kvinna", "Woman"))]
    # The women's followed-up count and share; the men's (6) must then go too,
    # or the total would give the women away.
    assert women == ["<5", None]


def test_filters_narrow_the_figures(client, manager, figures):
    client.force_login(manager)
    response = dashboard(client, age_group="30+", unit="all")
    assert response.context["outcomes"]["headline"]["followed_up"] == 18  # all born 1980
    response = dashboard(client, age_group="<30", unit="all")
    assert response.context["outcomes"]["headline"]["followed_up"] == 0
    assert response.context["outcomes"]["headline"]["share_work_or_studies"] is None


def test_every_table_downloads_as_csv_without_personal_data(client, manager, figures):
    client.force_login(manager)
    page = dashboard(client)
    people = list(ParticipantFactory._meta.model.objects.values_list("last_name", "personnummer"))
    for table in page.context["tables"]:
        with time_machine.travel(TODAY):
            response = client.get(reverse("reports:dashboard_csv", args=[table.slug]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0][0].startswith("# ")  # which filters made it
        assert rows[1] == table.header
        assert len(rows) == len(table.rows) + 2
        for last_name, personnummer in people:
            assert last_name not in text
            assert personnummer[:8] not in text


def test_unknown_csv_table_is_404(client, manager, figures):
    client.force_login(manager)
    assert client.get(reverse("reports:dashboard_csv", args=["nothing"])).status_code == 404


def test_places_in_use_against_target(client, manager, unit):
    PlacementFactory(
        participant=ParticipantFactory(unit=unit),
        start_date=D(2021, 2, 1),
        planned_end_date=D(2022, 1, 31),
    )
    client.force_login(manager)
    with time_machine.travel(D(2021, 6, 15)):
        response = client.get(reverse("reports:dashboard"))
    places = next(t for t in response.context["tables"] if t.slug == "places")
    bas = next(r for r in places.rows if r[0] == "Basanställning")
    assert bas[1:4] == [342, 1, 1]


def test_overdue_follow_ups_per_coach(client, manager, coach, unit):
    for due in (D(2021, 5, 1), D(2021, 6, 1), D(2021, 7, 1)):
        FollowUpFactory(
            placement__participant=ParticipantFactory(unit=unit, coach=coach), due_date=due
        )
    client.force_login(manager)
    response = dashboard(client)
    overdue = next(t for t in response.context["tables"] if t.slug == "overdue")
    assert overdue.rows == [[f"{coach.first_name} {coach.last_name}", unit.name, 2, D(2021, 5, 1)]]
    assert FollowUp.objects.count() == 3


def test_dashboard_without_any_snapshot_says_so(client, manager):
    client.force_login(manager)
    response = dashboard(client)
    assert response.status_code == 200
    assert response.context["snapshot"] is None


def test_dashboard_query_count_does_not_depend_on_the_data(
    client, manager, unit, django_assert_max_num_queries
):
    for index in range(3):
        ended_with("studier", unit=unit, end=D(2019, 3, 1) + datetime.timedelta(days=30 * index))
    snapshot()
    client.force_login(manager)
    dashboard(client)
    with django_assert_max_num_queries(23) as small:
        dashboard(client)
    for index in range(40):
        ended_with("ej_nadd", unit=unit, end=D(2018, 3, 1) + datetime.timedelta(days=20 * index))
    snapshot()
    with django_assert_max_num_queries(23) as large:
        dashboard(client)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_user_without_a_role_is_refused(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_admin_triggers_a_recompute_and_sees_it_finish(
    client, figures, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:snapshot_recompute"))
    assert response.status_code == 302
    newest = OutcomeSnapshot.objects.order_by("-created_at").first()
    assert newest != figures
    assert newest.status == SnapshotStatus.DONE
    status = client.get(reverse("reports:snapshot_status", args=[newest.pk]))
    assert status["HX-Refresh"] == "true"


def test_manager_cannot_trigger_a_recompute(client, manager):
    client.force_login(manager)
    assert client.post(reverse("reports:snapshot_recompute")).status_code == 403
    assert not OutcomeSnapshot.objects.exists()


def test_pending_snapshot_shows_a_polling_progress_fragment(client, manager, figures):
    pending = OutcomeSnapshot.objects.create(status=SnapshotStatus.RUNNING)
    client.force_login(manager)
    response = client.get(reverse("reports:snapshot_status", args=[pending.pk]))
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()
    assert "HX-Refresh" not in response


def test_a_recompute_the_queue_refuses_says_so_instead_of_computing(
    client, figures, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("reports.tasks.compute_snapshot_task.delay", refuse)
    # The last good figures were computed the day before.
    OutcomeSnapshot.objects.filter(pk=figures.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2021, 6, 14, 12, 0))
    )
    client.force_login(AdminFactory())
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:snapshot_recompute"))

    page = dashboard(client)

    refused = OutcomeSnapshot.objects.order_by("-created_at").first()
    assert refused.status == SnapshotStatus.FAILED
    assert page.context["pending"] == refused
    html = page.content.decode()
    assert 'data-status="failed"' in html
    assert "task queue did not answer" in html or "svarade inte" in html
    assert 'hx-trigger="every 2s"' not in html
    assert not list(page.context["messages"])  # nothing says "being computed"
    assert page.context["snapshot"] == figures  # the last good figures stay


def test_a_computation_whose_worker_died_is_shown_failed_and_a_new_one_can_start(
    client, figures, django_capture_on_commit_callbacks
):
    def at(hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime(2021, 6, 14, hour, 0))

    # Asked for two hours before the dashboard is read (TODAY, at midnight), after the
    # last good snapshot: past the time limit, so its worker is gone.
    lost = OutcomeSnapshot.objects.create(status=SnapshotStatus.RUNNING)
    OutcomeSnapshot.objects.filter(pk=lost.pk).update(created_at=at(22))
    OutcomeSnapshot.objects.filter(pk=figures.pk).update(created_at=at(21))
    admin = AdminFactory()
    client.force_login(admin)

    page = dashboard(client)

    lost.refresh_from_db()
    assert lost.status == SnapshotStatus.FAILED
    assert page.context["pending"] == lost
    assert "worker was lost" in page.context["pending"].failure or "försvann" in (
        page.context["pending"].failure
    )
    # The figures shown are the last good ones; a new computation starts on request.
    assert page.context["snapshot"] == figures
    with time_machine.travel(TODAY), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:snapshot_recompute"))
    assert response["Location"].startswith("/dashboard/#snapshot-")
    newest = OutcomeSnapshot.objects.order_by("-created_at").first()
    assert newest.status == SnapshotStatus.DONE
    assert dashboard(client).context["pending"] is None


@pytest.mark.parametrize("slug", ["job-types", "places", "overdue"])
def test_dashboard_csvs_write_typed_names_as_text_not_formulas(client, manager, unit, slug):
    from placements.models import JobType

    JobType.objects.filter(code="basanstallning").update(name="=HYPERLINK(1)")
    coach = UserFactory(unit=unit, first_name="+Carl", last_name="@Berg")
    coach.groups.add(Group.objects.get(name="coach"))
    participant = ParticipantFactory(unit=unit, coach=coach, birth_date=D(1980, 6, 15))
    ended = PlacementFactory(
        participant=participant,
        start_date=D(2020, 1, 1),
        planned_end_date=D(2020, 6, 30),
        end_date=D(2020, 6, 30),
        end_reason="completed",
    )
    FollowUpFactory(placement=ended, outcome="", performed_on=None)  # overdue by TODAY
    PlacementFactory(
        participant=ParticipantFactory(unit=unit),
        start_date=D(2021, 2, 1),
        planned_end_date=D(2022, 1, 31),
    )
    snapshot()
    client.force_login(manager)

    with time_machine.travel(TODAY):
        text = client.get(reverse("reports:dashboard_csv", args=[slug])).content.decode("utf-8-sig")

    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    assert cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert any(cell.startswith("'") for cell in cells), "the typed name is in the file"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_a_recompute_goes_back_to_the_dashboard_never_to_another_site(
    client, figures, next_url, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:snapshot_recompute"), {"next": next_url})

    assert response.status_code == 302
    assert response["Location"].startswith("/dashboard/#snapshot-")


def test_a_recompute_keeps_the_dashboards_filters(
    client, figures, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:snapshot_recompute"), {"next": "/dashboard/?age_group=30%2B"}
        )

    assert response["Location"].startswith("/dashboard/?age_group=30%2B#snapshot-")
