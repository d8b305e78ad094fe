import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from accounts.models import User
from followup.models import FollowUp
from participants.models import CaseNote, Participant
from participants.personnummer import is_valid, parse
from placements.models import (
    Internship,
    JobType,
    Placement,
    PlacementTarget,
    WageSubsidyCase,
    Workplace,
    follow_up_due_date,
)
from reports.annual.outcomes import outcome_tables

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 25)
# Small enough to be quick, big enough for every job type, both genders in
# every window and a live caseload for the demo coach.
SMALL = ("--per-year", "120")
WORK_OR_STUDIES = ["arbete_osubventionerat", "arbete_subventionerat", "studier"]


@pytest.fixture(autouse=True)
def frozen_today():
    noon = datetime.datetime(2026, 11, 25, 12, tzinfo=ZoneInfo("Europe/Stockholm"))
    with time_machine.travel(noon, tick=False):
        yield


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "participants": Participant.objects.count(),
        "placements": Placement.objects.count(),
        "follow-ups": FollowUp.objects.count(),
        "registered": FollowUp.objects.exclude(outcome="").count(),
        "workplaces": Workplace.objects.count(),
        "users": User.objects.count(),
        "notes": CaseNote.objects.count(),
    }


def shares(first: D, last: D) -> dict[str, float]:
    """Share working or studying by gender, and in total, for placements ended first..last."""
    followed_up = FollowUp.objects.filter(
        placement__end_date__range=(first, last), performed_on__isnull=False
    )
    total = followed_up.aggregate(
        n=Count("id"), ok=Count("id", filter=Q(outcome__in=WORK_OR_STUDIES))
    )
    by_gender = followed_up.values("placement__participant__gender").annotate(
        n=Count("id"), ok=Count("id", filter=Q(outcome__in=WORK_OR_STUDIES))
    )
    result = {row["placement__participant__gender"]: row["ok"] / row["n"] for row in by_gender}
    result["total"] = total["ok"] / total["n"]
    return result


def test_seed_creates_the_three_demo_users_with_their_roles():
    output = seed()

    assert "participants" in output
    for username, role in [("coach", "coach"), ("manager", "manager"), ("admin", "admin")]:
        user = authenticate(username=username, password="stockholm")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser
    assert User.objects.get(username="coach").unit.name == "Jobbtorg Järva"
    assert User.objects.get(username="manager").unit.name == "Jobbtorg Järva"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.unit is None


def test_other_staff_cannot_log_in_and_every_unit_has_coaches_and_a_manager():
    seed()

    others = User.objects.exclude(username__in=["coach", "manager", "admin"])
    assert others.exists()
    assert not any(user.has_usable_password() for user in others)
    per_unit = others.values("unit__name").annotate(
        coaches=Count("id", filter=Q(groups__name="coach")),
        managers=Count("id", filter=Q(groups__name="manager")),
    )
    assert len(per_unit) == 4
    assert all(row["coaches"] >= 3 and row["managers"] == 1 for row in per_unit)


def test_every_personnummer_is_valid_and_carries_the_birth_date_and_legal_gender():
    seed()

    rows = list(Participant.objects.values_list("personnummer", "birth_date", "gender"))
    assert rows
    for personnummer, birth_date, gender in rows:
        assert is_valid(personnummer), personnummer
        assert parse(personnummer).birth_date == birth_date
        assert parse(personnummer).legal_gender == gender
    # A few describe their gender otherwise: sensitive data, in no figure.
    assert Participant.objects.exclude(gender_self_described="").exists()


def test_table_3_shows_women_and_men_wherever_each_has_five_or_more_followed_up():
    seed()

    _table_2, table_3 = outcome_tables(2025)

    # Gender, period, window, ended, followed up, ...: nothing hidden, in any period.
    assert len(table_3.rows) == 24
    assert all(isinstance(row[3], int) and row[4] >= 5 for row in table_3.rows)
    assert {row[0] for row in table_3.rows} == {"Kvinnor", "Män"}


def test_placements_respect_the_age_range_and_never_overlap():
    seed()

    rows = Placement.objects.order_by("participant_id", "start_date").values_list(
        "participant_id",
        "participant__birth_date",
        "start_date",
        "end_date",
        "job_type__min_age",
        "job_type__max_age",
    )
    previous_participant, previous_end = None, None
    for participant, birth, start, end, min_age, max_age in rows:
        age = start.year - birth.year - ((start.month, start.day) < (birth.month, birth.day))
        assert min_age <= age <= max_age
        if participant == previous_participant:
            assert previous_end is not None and previous_end < start
        previous_participant, previous_end = participant, end
    assert Participant.objects.annotate(n=Count("placements")).filter(n=2).exists()
    assert Placement.objects.filter(end_date__isnull=True, start_date__lte=TODAY).exists()


def test_every_ended_placement_has_exactly_one_follow_up_with_the_right_due_date():
    seed()

    ended = Placement.objects.filter(end_date__isnull=False)
    assert ended.filter(followup__isnull=True).count() == 0
    assert FollowUp.objects.filter(placement__end_date__isnull=True).count() == 0
    assert FollowUp.objects.count() == ended.count()
    for end_date, due_date in FollowUp.objects.values_list("placement__end_date", "due_date"):
        assert due_date == follow_up_due_date(end_date)
    assert not FollowUp.objects.filter(performed_on__gt=TODAY).exists()


def test_shares_working_or_studying_follow_the_annual_report():
    seed()

    before = shares(D(2018, 1, 1), D(2019, 12, 31))
    vb_2020 = shares(D(2019, 9, 1), D(2020, 8, 31))

    assert 0.55 <= before["total"] <= 0.62
    assert 0.45 <= vb_2020["total"] <= 0.52
    assert vb_2020["kvinna"] < vb_2020["man"]
    assert before["kvinna"] - vb_2020["kvinna"] > before["man"] - vb_2020["man"]


def test_demo_coach_has_a_live_caseload_with_follow_ups_due_and_overdue():
    seed()

    coach = User.objects.get(username="coach")
    caseload = Participant.objects.filter(coach=coach)
    assert caseload.filter(placements__end_date__isnull=True).exists()
    open_followups = FollowUp.objects.filter(
        placement__participant__coach=coach, performed_on__isnull=True
    )
    assert open_followups.filter(due_date__range=(TODAY, TODAY + datetime.timedelta(7))).count()
    assert open_followups.filter(due_date__lt=TODAY).count()
    assert CaseNote.objects.filter(participant__coach=coach, corrects__isnull=False).exists()


def test_case_content_keeps_to_the_rules():
    seed()

    assert Internship.objects.exists()
    for start, end in Internship.objects.values_list("start_date", "end_date"):
        assert start <= end < start + datetime.timedelta(days=28)
    assert WageSubsidyCase.objects.filter(outcome="granted", decided_on__isnull=False).exists()
    for correction in CaseNote.objects.filter(corrects__isnull=False).select_related("corrects"):
        assert correction.participant_id == correction.corrects.participant_id
        assert correction.created_at > correction.corrects.created_at


def test_targets_cover_every_job_type_and_year_and_keep_an_edited_2021_row():
    PlacementTarget.objects.filter(job_type__code="basanstallning", year=2021).update(places=999)

    seed()

    job_types = JobType.objects.count()
    assert PlacementTarget.objects.filter(year__range=(2018, 2026)).count() == 9 * job_types
    kept = PlacementTarget.objects.get(job_type__code="basanstallning", year=2021)
    assert kept.places == 999


def test_years_option_limits_the_placement_starts():
    seed("--years", "2018-2020")

    years = set(Placement.objects.values_list("start_date__year", flat=True))
    assert years == {2018, 2019, 2020}


def test_a_second_run_without_force_is_refused_and_changes_nothing():
    seed()
    before = counts()

    with pytest.raises(CommandError, match="already holds participants"):
        seed()

    assert counts() == before


def test_if_empty_leaves_an_existing_database_alone():
    seed()
    before = counts()

    output = seed("--if-empty")

    assert "no demo data added" in output
    assert counts() == before


def test_force_replaces_the_data_without_duplicating_users():
    seed()
    before = counts()

    seed("--force")

    assert counts() == before
    assert User.objects.filter(username="coach").count() == 1
    assert authenticate(username="coach", password="stockholm") is not None


def test_the_same_seed_gives_the_same_data():
    seed("--seed", "7")
    first_run = counts()
    first_person = Participant.objects.order_by("pk").values_list(
        "personnummer", "first_name", "last_name"
    )[0]

    seed("--seed", "7", "--force")

    assert counts() == first_run
    assert (
        Participant.objects.order_by("pk").values_list("personnummer", "first_name", "last_name")[0]
        == first_person
    )


def test_no_note_is_written_later_than_the_moment_the_demo_is_seeded():
    early = datetime.datetime(2026, 11, 25, 7, 5, tzinfo=ZoneInfo("Europe/Stockholm"))
    with time_machine.travel(early, tick=False):
        seed()

    assert CaseNote.objects.filter(created_at__date=TODAY).exists()
    assert not CaseNote.objects.filter(created_at__gt=early).exists()
    for correction in CaseNote.objects.filter(corrects__isnull=False).select_related("corrects"):
        assert correction.created_at >= correction.corrects.created_at
