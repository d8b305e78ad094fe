"""The access log: what writes a row, what a row holds, and that nobody can change it."""

import datetime
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.context import current_request
from audit.models import AccessLogEntry, Action, AppendOnlyError
from audit.services import log_access, purge_before
from participants.models import Participant
from participants.selectors import participant_for_user
from participants.services import caseload_reassign
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

SECRET_SURNAME = "Hemligsson"
BIRTH = datetime.date(1984, 3, 9)
NUMBER = make_personnummer(BIRTH, 512)


def entries(**filters: object) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(**filters).order_by("id"))


def number_forms(number: str) -> list[str]:
    """Every way a personnummer may be written: 12 digits, with hyphen, 10 digits."""
    return [number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"]


def row_text(entry: AccessLogEntry) -> str:
    return " ".join(str(getattr(entry, field.attname)) for field in AccessLogEntry._meta.fields)


@pytest.fixture
def sensitive(unit, coach) -> Participant:
    """A participant whose name, number and disability must never reach the log."""
    return ParticipantFactory(
        unit=unit,
        coach=coach,
        first_name="Sigrid",
        last_name=SECRET_SURNAME,
        personnummer=NUMBER,
        birth_date=BIRTH,
        disability=True,
        months_social_assistance_before=37,
    )


# --- Reads and changes through the access helper ---------------------------------------


def test_reading_a_record_logs_who_unit_whom_action_path_and_address(client, coach, participant):
    client.force_login(coach)
    url = reverse("participants:detail", args=[participant.pk])

    response = client.get(url, {"show": "notes"}, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    [entry] = entries(action=Action.VIEW)
    assert entry.user == coach
    assert entry.username == "coach1"
    assert entry.unit_name == "Jobbtorg Järva"
    assert entry.participant_id == participant.pk
    assert (entry.object_type, entry.object_id) == ("participant", participant.pk)
    assert entry.path == url  # the query string is left out
    assert entry.method == "GET"
    assert entry.ip_address == "10.1.2.3"
    assert abs(timezone.now() - entry.at) < datetime.timedelta(minutes=1)


def test_the_address_behind_the_proxy_is_the_one_the_proxy_saw(
    client, coach, participant, settings
):
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PROXY_COUNT = 1
    client.force_login(coach)

    client.get(
        reverse("participants:detail", args=[participant.pk]),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44",
    )

    assert entries(action=Action.VIEW)[0].ip_address == "192.0.2.44"


def test_a_post_through_the_access_helper_is_logged_as_a_change(client, coach, participant):
    client.force_login(coach)
    url = reverse("participants:note_add", args=[participant.pk])

    response = client.post(url, {"text": "Träff om CV."})

    assert response.status_code == 302
    [entry] = entries(action=Action.CHANGE)
    assert (entry.participant_id, entry.path, entry.method) == (participant.pk, url, "POST")


def test_registering_a_participant_logs_a_create(client, coach, unit):
    client.force_login(coach)
    response = client.post(
        reverse("participants:register"),
        {
            "personnummer": f"{NUMBER[:8]}-{NUMBER[8:]}",
            "first_name": "Åsa",
            "last_name": "Öberg",
            "district": "",
            "unit": unit.pk,
            "coach": coach.pk,
            "enrolled_on": "2021-02-01",
            "foreign_born": "unknown",
            "education_level": "gymnasial",
            "months_social_assistance_before": "",
            "months_unemployed_before": "",
        },
    )

    created = Participant.objects.get(personnummer=NUMBER)
    assert response.status_code == 302
    [entry] = entries(action=Action.CREATE)
    assert (entry.user, entry.participant_id, entry.object_id) == (coach, created.pk, created.pk)


def test_the_helper_logs_outside_a_request_too(coach, participant):
    assert current_request() is None

    participant_for_user(coach, participant.pk)

    [entry] = entries(action=Action.VIEW)
    assert (entry.user, entry.participant_id, entry.path, entry.ip_address) == (
        coach,
        participant.pk,
        "",
        None,
    )


def test_the_request_is_forgotten_when_the_response_is_sent(client, coach):
    client.force_login(coach)
    client.get(reverse("participants:caseload"))
    assert current_request() is None


# --- Logins --------------------------------------------------------------------------------


def test_login_failed_login_and_logout_are_logged(client, coach):
    client.post(reverse("login"), {"username": "coach1", "password": "wrong horse"})
    client.post(reverse("login"), {"username": "coach1", "password": "correct horse battery"})
    client.post(reverse("logout"))

    failed, login, logout = entries(action__in=[Action.LOGIN_FAILED, Action.LOGIN, Action.LOGOUT])
    assert (failed.action, failed.user, failed.username) == (Action.LOGIN_FAILED, None, "coach1")
    assert failed.path == "/accounts/login/"
    assert failed.ip_address == "127.0.0.1"
    assert (login.action, login.user, login.unit_name) == (Action.LOGIN, coach, "Jobbtorg Järva")
    assert (logout.action, logout.user) == (Action.LOGOUT, coach)
    assert not any("horse" in row_text(entry) for entry in AccessLogEntry.objects.all())


def test_a_failed_login_of_an_unknown_username_keeps_the_username_only(client):
    client.post(reverse("login"), {"username": "nobody", "password": "hunter2"})

    [entry] = entries(action=Action.LOGIN_FAILED)
    assert (entry.user_id, entry.username, entry.unit_name) == (None, "nobody", "")
    assert "hunter2" not in row_text(entry)


# --- Refused requests -----------------------------------------------------------------------


def test_another_units_coach_is_refused_with_a_404_that_is_logged(client, other_coach, participant):
    client.force_login(other_coach)
    url = reverse("participants:detail", args=[participant.pk])

    assert client.get(url).status_code == 404

    [entry] = entries(action=Action.REFUSED)
    assert (entry.user, entry.unit_name) == (other_coach, "Jobbtorg Söderort")
    assert (entry.participant_id, entry.path, entry.detail) == (participant.pk, url, "HTTP 404")
    assert not entries(action=Action.VIEW)


def test_a_page_outside_the_role_is_refused_with_a_403_that_is_logged(client, coach):
    client.force_login(coach)

    assert client.get(reverse("audit:review")).status_code == 403

    [entry] = entries(action=Action.REFUSED)
    assert (entry.user, entry.path, entry.detail, entry.participant_id) == (
        coach,
        "/audit/",
        "HTTP 403",
        None,
    )


def test_a_missing_page_for_a_logged_in_user_is_a_logged_refusal(client, coach):
    client.force_login(coach)
    assert client.get("/no-such-page/").status_code == 404
    assert [entry.detail for entry in entries(action=Action.REFUSED)] == ["HTTP 404"]


def test_anonymous_requests_are_sent_to_log_in_not_logged_as_refused(client, participant):
    client.get(reverse("participants:detail", args=[participant.pk]))
    assert not entries(action=Action.REFUSED)


# --- Searches, exports and bulk writes ---------------------------------------------------


def test_a_personnummer_search_is_logged_without_the_number(client, coach, sensitive):
    client.force_login(coach)

    response = client.post(
        reverse("participants:caseload"), {"q": f"{NUMBER[:8]}-{NUMBER[8:]}"}, follow=True
    )

    assert list(response.context["page"]) == [sensitive]
    [entry] = entries(action=Action.SEARCH)
    assert (entry.user, entry.detail, entry.path) == (
        coach,
        "personnummer search",
        "/participants/",
    )
    for form in number_forms(NUMBER):
        assert form not in row_text(entry)


def test_an_admin_personnummer_search_is_logged_without_the_number(client, sensitive):
    client.force_login(AdminFactory())

    response = client.post(
        reverse("admin:participants_participant_changelist"),
        {"q": NUMBER, "_search": "1"},
        follow=True,
    )

    assert response.status_code == 200
    [entry] = entries(action=Action.SEARCH)
    assert (entry.object_type, entry.detail) == ("participant", "personnummer search")
    assert entry.path == "/admin/participants/participant/"


def test_opening_a_record_in_the_admin_is_logged(client, participant):
    admin = AdminFactory()
    client.force_login(admin)
    placement = PlacementFactory(participant=participant)

    client.get(reverse("admin:participants_participant_change", args=[participant.pk]))
    client.get(reverse("admin:placements_placement_change", args=[placement.pk]))

    assert [(e.user, e.participant_id, e.object_type) for e in entries(action=Action.VIEW)] == [
        (admin, participant.pk, "participant"),
        (admin, participant.pk, "placement"),
    ]


def test_the_export_command_logs_an_export_with_its_row_count(tmp_path, participant):
    PlacementFactory(
        participant=participant,
        start_date=datetime.date(2018, 2, 1),
        planned_end_date=datetime.date(2018, 12, 31),
    )
    PlacementFactory(participant=participant)
    PlacementFactory(participant=ParticipantFactory())

    call_command("export_placements", str(tmp_path / "out.csv"), stdout=io.StringIO())

    [entry] = entries(action=Action.EXPORT)
    assert (entry.user, entry.username, entry.object_type) == (None, "manage.py", "placement")
    assert entry.detail == "placements export: 3 rows"


def test_the_import_command_logs_a_bulk_change_per_participant_and_the_counts(tmp_path):
    path = tmp_path / "in.csv"
    other = make_personnummer(datetime.date(1991, 5, 5), 233)
    path.write_text(
        "personnummer,first_name,last_name,gender,job_type,workplace,start_date,end_date\n"
        f"{NUMBER},Sigrid,{SECRET_SURNAME},kvinna,basanstallning,Förskolan,2020-01-01,\n"
        f"{other},Olle,Olsson,man,basanstallning,Förskolan,2020-02-01,2020-12-31\n",
        encoding="utf-8",
    )

    call_command("import_placements", str(path), stdout=io.StringIO())

    summary, *per_participant = entries(action=Action.BULK_CHANGE)
    assert (summary.username, summary.participant_id, summary.object_type) == (
        "manage.py",
        None,
        "placement",
    )
    assert summary.detail.startswith("import of 2 rows: 2 participants created, 0 updated")
    assert sorted(e.participant_id for e in per_participant) == sorted(
        Participant.objects.values_list("pk", flat=True)
    )
    assert {e.detail for e in per_participant} == {"placements import"}


def test_a_failed_import_writes_neither_data_nor_log(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "personnummer,first_name,last_name,gender,job_type,workplace,start_date\n"
        "19840309-0000,Sigrid,Berg,kvinna,basanstallning,Förskolan,2020-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_placements", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not entries(action=Action.BULK_CHANGE)


def test_caseload_reassignment_logs_one_row_per_participant_moved(manager, unit):
    leaving, staying = CoachFactory(unit=unit), CoachFactory(unit=unit, username="stina")
    moved = ParticipantFactory.create_batch(3, unit=unit, coach=leaving)
    untouched = ParticipantFactory(unit=unit, coach=leaving)

    caseload_reassign(participants=moved, to_coach=staying, by_user=manager)

    summary, *rows = entries(action=Action.BULK_CHANGE)
    assert summary.participant_id is None
    assert summary.detail == "caseload reassignment: 3 participants to stina"
    assert [row.participant_id for row in rows] == sorted(p.pk for p in moved)
    assert {(row.user, row.unit_name) for row in rows} == {(manager, "Jobbtorg Järva")}
    assert untouched.pk not in {row.participant_id for row in rows}


# --- Nothing personal in the log -----------------------------------------------------------


def test_no_name_number_or_sensitive_value_reaches_any_log_row(client, coach, sensitive, tmp_path):
    """A busy day: reads, changes, searches in both places, refusals, export and import."""
    client.force_login(coach)
    detail = reverse("participants:detail", args=[sensitive.pk])
    client.get(detail, {"show": "notes"})
    client.post(reverse("participants:note_add", args=[sensitive.pk]), {"text": "Hemligt."})
    client.post(reverse("participants:caseload"), {"q": NUMBER}, follow=True)
    client.get(reverse("participants:caseload"), {"q": NUMBER}, follow=True)
    client.get(f"/participants/999999/?q={NUMBER}")
    CaseNoteFactory(participant=sensitive)
    client.force_login(CoachFactory(unit=ParticipantFactory().unit))
    client.get(detail)
    admin = AdminFactory()
    client.force_login(admin)
    client.post(
        reverse("admin:participants_participant_changelist"),
        {"q": NUMBER, "_search": "1"},
        follow=True,
    )
    client.get(reverse("admin:participants_participant_change", args=[sensitive.pk]))
    client.logout()
    client.post(reverse("login"), {"username": SECRET_SURNAME, "password": NUMBER})
    PlacementFactory(participant=sensitive)
    export = tmp_path / "export.csv"
    call_command("export_placements", str(export), stdout=io.StringIO())
    call_command("import_placements", str(export), stdout=io.StringIO())

    rows = list(AccessLogEntry.objects.all())
    assert {row.action for row in rows} >= {
        Action.VIEW,
        Action.CHANGE,
        Action.SEARCH,
        Action.REFUSED,
        Action.EXPORT,
        Action.BULK_CHANGE,
        Action.LOGIN_FAILED,
    }
    forbidden = [*number_forms(NUMBER), "Sigrid", "Hemligt", "disab", "assistance"]
    for row in rows:
        text = row_text(row)
        for word in forbidden:
            assert word not in text, (word, text)
        # The one name that may appear: what someone typed as a username.
        if row.action != Action.LOGIN_FAILED:
            assert SECRET_SURNAME not in text


def test_request_log_lines_carry_the_path_never_the_query_string(client, coach, caplog):
    client.force_login(coach)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get(f"/participants/999999/?q={NUMBER}")
        client.get(f"/audit/?participant=1&q={NUMBER}")

    messages = [record.getMessage() for record in caplog.records]
    assert "Not Found: /participants/999999/" in messages
    assert "Forbidden (Permission denied): /audit/" in messages
    assert not any(NUMBER in message for message in messages)


# --- Append-only -----------------------------------------------------------------------------


@pytest.fixture
def entry(coach, participant) -> AccessLogEntry:
    return log_access(action=Action.VIEW, participant_id=participant.pk, user=coach)


def test_a_row_cannot_be_saved_again(entry):
    entry.action = Action.CHANGE
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["action"])


def test_a_new_row_cannot_overwrite_an_existing_one(entry):
    impostor = AccessLogEntry(pk=entry.pk, action=Action.LOGIN, username="someone")
    with pytest.raises(DatabaseError), transaction.atomic():
        impostor.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).action == Action.VIEW


def test_a_row_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_queryset_refuses_update_delete_and_bulk_update(entry):
    rows = AccessLogEntry.objects.all()
    with pytest.raises(AppendOnlyError):
        rows.update(username="x")
    with pytest.raises(AppendOnlyError):
        rows.delete()
    entry.username = "x"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AccessLogEntry.objects.bulk_update([entry], ["username"])
    assert AccessLogEntry.objects.get(pk=entry.pk).username == "coach1"


def test_the_database_refuses_update_and_delete_in_raw_sql(entry):
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    for statement in (
        f"UPDATE {table} SET username = 'x'",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AccessLogEntry.objects.get(pk=entry.pk).username == "coach1"


def test_the_admin_shows_the_log_but_cannot_add_change_or_delete(client, entry):
    superuser = AdminFactory(is_superuser=True)
    client.force_login(superuser)
    change = reverse("admin:audit_accesslogentry_change", args=[entry.pk])
    delete = reverse("admin:audit_accesslogentry_delete", args=[entry.pk])

    assert client.get(reverse("admin:audit_accesslogentry_changelist")).status_code == 200
    assert client.get(change).status_code == 200
    assert client.post(change, {"username": "x", "action": "login"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:audit_accesslogentry_add"), {}).status_code == 403
    response = client.post(
        reverse("admin:audit_accesslogentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AccessLogEntry.objects.get(pk=entry.pk).username == "coach1"


def test_other_roles_do_not_see_the_log_in_the_admin(client, entry, unit):
    staff_without_role = ManagerFactory(unit=unit, is_staff=True)
    client.force_login(staff_without_role)
    assert client.get(reverse("admin:audit_accesslogentry_changelist")).status_code == 403


def test_deleting_a_user_keeps_their_rows_and_username(entry, coach):
    coach.delete()
    kept = AccessLogEntry.objects.get(pk=entry.pk)
    assert (kept.user_id, kept.username) == (entry.user_id, "coach1")
    assert not User.objects.filter(pk=entry.user_id).exists()


def test_deleting_a_participant_keeps_the_rows_about_them(entry, participant):
    participant_id = participant.pk
    participant.delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).participant_id == participant_id


# --- Retention: the one way out ----------------------------------------------------------------


def test_purge_deletes_only_rows_before_the_cutoff_and_logs_itself():
    now = timezone.now()
    for days in (3000, 2000, 10):
        AccessLogEntry.objects.create(
            action=Action.LOGIN, username=f"aged{days}", at=now - datetime.timedelta(days=days)
        )

    deleted = purge_before(now - datetime.timedelta(days=1900))

    assert deleted == 2
    assert list(
        AccessLogEntry.objects.filter(action=Action.LOGIN).values_list("username", flat=True)
    ) == ["aged10"]
    [purge] = entries(action=Action.BULK_CHANGE)
    assert purge.detail.startswith("retention: 2 access-log rows from before ")


def test_the_purge_permission_ends_with_the_purge(entry):
    table = connection.ops.quote_name(AccessLogEntry._meta.db_table)
    with transaction.atomic():
        purge_before(timezone.now() - datetime.timedelta(days=6 * 365))
        # Later in the same transaction, the trigger refuses again.
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_purge_within_the_retention_period_is_refused_and_deletes_nothing(entry):
    with pytest.raises(ValueError, match="keeps its rows for 5 years"):
        purge_before(timezone.now() - datetime.timedelta(days=4 * 365))
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
