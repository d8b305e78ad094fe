"""How many rows of a month's access log the monthly review flags, for a simulated month of work.

    .venv/bin/python bench/review_flags.py [--days 20] [--seed 2024] [--keep]

Run from a checkout (the current directory is the project). The script makes
a fresh SQLite database in a temporary file (or uses ``--database-url``, an
empty database you made; only SQLite has been tried), migrates it, runs
``seed_demo``, then plays a working month with Django's test client as the
demo's staff: every coach, every manager and the administrator, each logged
in with ``force_login`` (the other staff of the demo have no usable
password; the access log's login row is the same). The seed writes no
access-log rows of reads, so this is what fills the month.

What happens in the month (all choices from one seeded ``random.Random``, so
two checkouts with the same demo data make the same requests):

- each coach, every working day: their caseload, sometimes the whole unit
  and the follow-up list, and one to three of their active participants'
  pages, with notes, support activities, follow-ups registered and, a few
  times a month, a new placement;
- each manager, three days a week: the unit's caseload, the unit's
  participants of any coach, the dashboard, the follow-up list;
- the administrator, once a week: the admin's changelists and a change page,
  participants of every unit, the review page, a register extract;
- scripted once: a manager POSTs a case note and a placement (403), a coach
  POSTs an overlapping placement, a placement outside the job type's length
  (not confirmed, then corrected), an empty note; a coach registers a new
  person for themselves, another one for a colleague, and a personnummer
  registered in another unit (a collision); a coach covers for a sick
  colleague; a coach looks up and opens a participant of their unit they
  have nothing to do with (the suspicious read) and probes a participant id
  of another unit (404); a manager moves part of a coach's caseload to
  another coach after the first coach has read them.

Then, for the current month (``month_bounds(today)``), it counts the log's
rows, the rows the review flags (the checkout's own
``audit.selectors.log_for_review``), by action and by role, the requests and
their statuses, and which scripted or routine requests the flagged rows
came from. The same file runs on an older checkout (24db068, before the
review's fixes): it uses only URLs, forms and selectors both versions have,
and counts actions by their stored names.
"""

import argparse
import bisect
import datetime
import io
import logging
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

CHECKOUT = Path.cwd()
NOTE_TEXTS = (
    "Samtal om veckans arbetstider; går bra.",
    "Ringde arbetsplatsen, handledaren nöjd.",
    "Deltagaren sjuk två dagar, återkommer måndag.",
    "Planerade nästa steg: CV och ansökningar.",
    "Uppföljningssamtal på Jobbtorg.",
    "Diskuterade studier på Komvux efter anställningen.",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=20, help="working days (default 20)")
    parser.add_argument("--seed", type=int, default=2024, help="random seed of the month")
    parser.add_argument(
        "--database-url",
        default="",
        help="default: SQLite in a new temporary file (deleted at the end unless --keep)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--label", default="", help="a name for the printed tables")
    parser.add_argument(
        "--show-flagged", type=int, default=60, help="flagged request groups listed (default 60)"
    )
    parser.add_argument("--requests-out", default="", help="write every request to this file")
    return parser.parse_args()


def start_django(database_url: str) -> None:
    """Settings as the project reads them, with the protections a simulation cannot pass off."""
    sys.path.insert(0, str(CHECKOUT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "stockholmsjobb.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["REQUIRE_2FA"] = "false"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # No broker, no Redis: tasks run in-process, the cache is local memory.
    os.environ["CELERY_BROKER_URL"] = ""
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # WhiteNoise's note that collectstatic has not run: pages are rendered without it.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    # Pages are rendered without collectstatic, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # django-axes has no environment variable; the simulation logs in with force_login.
    settings.AXES_ENABLED = False
    # Templates' contexts on the responses; DEBUG stays off.
    setup_test_environment(debug=False)
    # 403s and 404s are part of the month: no warning line for each.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    logging.getLogger("django.security").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.ERROR)


# --- Requests and the rows they wrote ---------------------------------------------------------


@dataclass
class Sent:
    """One request of the month, and the access-log rows it wrote."""

    user: str
    role: str
    label: str
    method: str
    path: str
    status: int
    outcome: str  # what the answer says happened
    first_row: int = 0  # ids of its rows: first_row < id <= last_row
    last_row: int = 0


@dataclass
class Month:
    rng: random.Random
    today: datetime.date
    sent: list[Sent] = field(default_factory=list)
    # (last row id, index in sent or -1 for a login) in the order written.
    marks: list[tuple[int, int]] = field(default_factory=list)
    logins: Counter = field(default_factory=Counter)
    last_row: int = 0
    clients: dict = field(default_factory=dict)
    roles: dict = field(default_factory=dict)

    def _latest_row(self) -> int:
        from django.db.models import Max

        from audit.models import AccessLogEntry

        return AccessLogEntry.objects.aggregate(top=Max("id"))["top"] or 0

    def start(self) -> None:
        self.last_row = self._latest_row()
        self.marks.append((self.last_row, -2))  # the seed's rows

    def login(self, user) -> None:
        from django.test import Client

        client = self.clients.get(user.pk)
        if client is None:
            client = self.clients[user.pk] = Client()
        client.force_login(user)
        self.logins[self.roles[user.pk]] += 1
        self.last_row = self._latest_row()
        self.marks.append((self.last_row, -1))

    def request(self, user, label: str, method: str, path: str, data=None, *, htmx=False):
        client = self.clients[user.pk]
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        if method == "GET":
            response = client.get(path, data or {}, **headers)
        else:
            response = client.post(path, data or {}, **headers)
        if response.has_header("HX-Retarget"):
            outcome = "saved"  # a case form's save answers htmx with the refreshed timeline
        elif "attachment" in response.get("Content-Disposition", ""):
            outcome = "file"
        elif response.status_code == 302:
            outcome = "redirected"
        elif response.status_code >= 400:
            outcome = "refused"
        elif method == "POST":
            outcome = "form shown again, not saved"
        else:
            outcome = "shown"
        first = self.last_row
        self.last_row = self._latest_row()
        self.sent.append(
            Sent(
                user=user.get_username(),
                role=self.roles[user.pk],
                label=label,
                method=method,
                path=path,
                status=response.status_code,
                outcome=outcome,
                first_row=first,
                last_row=self.last_row,
            )
        )
        self.marks.append((self.last_row, len(self.sent) - 1))
        return response

    def origin(self, row_id: int) -> Sent | str:
        """The request (or login, or seed) that wrote the row."""
        ends = [end for end, _index in self.marks]
        position = bisect.bisect_left(ends, row_id)
        if position >= len(self.marks):
            return "after the month"
        index = self.marks[position][1]
        if index == -2:
            return "seed_demo"
        if index == -1:
            return "login"
        return self.sent[index]


# --- The demo's people -----------------------------------------------------------------------


@dataclass
class Staff:
    coaches: dict  # unit name -> [User]
    managers: dict  # unit name -> [User]
    admins: list
    by_name: dict


def load_staff(month: Month) -> Staff:
    from accounts.models import User

    coaches, managers, admins, by_name = defaultdict(list), defaultdict(list), [], {}
    for user in User.objects.select_related("unit").prefetch_related("groups").order_by("username"):
        groups = sorted(group.name for group in user.groups.all())
        role = groups[0] if groups else "(no role)"
        month.roles[user.pk] = role
        by_name[user.username] = user
        unit = user.unit.name if user.unit_id else ""
        if role == "coach":
            coaches[unit].append(user)
        elif role == "manager":
            managers[unit].append(user)
        elif role == "admin":
            admins.append(user)
    return Staff(dict(coaches), dict(managers), admins, by_name)


def active_caseload(coach, today: datetime.date) -> list:
    """The participants a coach is working with now: placed, just ended, or newly enrolled."""
    from django.db.models import Q

    from participants.models import Participant

    recent = today - datetime.timedelta(days=150)
    return list(
        Participant.objects.filter(coach=coach)
        .filter(
            Q(placements__end_date__isnull=True)
            | Q(placements__end_date__gte=recent)
            | Q(enrolled_on__gte=recent)
        )
        .distinct()
        .order_by("pk")
    )


def open_followups(participants: list, today: datetime.date) -> list:
    """Follow-ups of these participants that are due (or overdue) and not yet registered."""
    from followup.models import FollowUp

    return list(
        FollowUp.objects.filter(
            placement__participant__in=participants,
            performed_on__isnull=True,
            due_date__lte=today + datetime.timedelta(days=7),
        )
        .select_related("placement")
        .order_by("due_date", "pk")
    )


def free_for_placement(participant, today: datetime.date) -> bool:
    """No ongoing placement and none ending after today: a new one can start."""
    from django.db.models import Q

    return not participant.placements.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    ).exists()


def ongoing_placement(participant):
    return participant.placements.filter(end_date__isnull=True).order_by("-start_date").first()


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def placement_data(month: Month, participant, *, start: datetime.date, months: int | None = None):
    """A placement of a job type the participant's age fits, of a length it allows."""
    from dateutil.relativedelta import relativedelta

    from placements.models import JobType, Workplace

    age = age_on(participant.birth_date, start)
    job_types = [
        job
        for job in JobType.objects.filter(active=True).order_by("pk")
        if job.min_age <= age <= job.max_age
    ] or list(JobType.objects.filter(active=True).order_by("pk"))
    job = month.rng.choice(job_types)
    workplace = month.rng.choice(list(Workplace.objects.filter(active=True).order_by("pk")))
    length = months if months is not None else month.rng.randint(job.min_months, job.max_months)
    end = start + relativedelta(months=length) - datetime.timedelta(days=1)
    data = {
        "job_type": job.pk,
        "workplace": workplace.pk,
        "funding": "sdf",
        "start_date": start.isoformat(),
        "planned_end_date": end.isoformat(),
    }
    return data, job


def personnummer_with_check(birth: datetime.date, serial: int) -> str:
    """A 12-digit personnummer with a valid check digit (Luhn over the 10-digit form)."""
    nine = f"{birth:%y%m%d}{serial:03d}"
    total = 0
    for position, digit in enumerate(nine):
        product = int(digit) * (2 if position % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{birth:%Y%m%d}{serial:03d}{(10 - total % 10) % 10}"


def registration_data(unit, coach, number: str, first: str, last: str, today: datetime.date):
    return {
        "personnummer": f"{number[:8]}-{number[8:]}",
        "first_name": first,
        "last_name": last,
        "district": "",
        "unit": unit.pk,
        "coach": coach.pk,
        "enrolled_on": today.isoformat(),
        "foreign_born": "unknown",
        "education_level": "gymnasial",
        "months_social_assistance_before": "",
        "months_unemployed_before": "6",
        "consent_district": "",
        "consent_scb": "given",
    }


LOADED_AT = re.compile(r'name="loaded_at"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="loaded_at"')


def loaded_at_on_page(html: str, action: str, followup) -> str:
    """The version the follow-up's form on the participant page carries."""
    for chunk in html.split("<form")[1:]:
        if f'action="{action}"' in chunk.split(">", 1)[0]:
            found = LOADED_AT.search(chunk.split("</form>", 1)[0])
            if found:
                return found.group(1) or found.group(2) or ""
    from core.forms import version_of

    return version_of(followup) if followup is not None and followup.pk else ""


# --- The month's work ---------------------------------------------------------------------------


class Simulation:
    def __init__(self, month: Month, staff: Staff) -> None:
        self.m = month
        self.staff = staff
        self.rng = month.rng
        self.today = month.today
        self.caseloads = {
            coach.pk: active_caseload(coach, self.today)
            for unit_coaches in staff.coaches.values()
            for coach in unit_coaches
        }
        self.visited = defaultdict(list)  # coach pk -> participants opened, in order
        self.moved: set[int] = set()  # participant pks the manager moved
        self.placed: set[int] = set()  # participant pks given a placement this month
        self.registered_followups: set[int] = set()

    # Pages every role opens -----------------------------------------------------------------

    def participant_visit(self, user, participant, label: str, *, work: bool) -> None:
        """Open the page; a coach working on the case may add a note or an activity."""
        from participants.models import SupportActivity

        rng, pk = self.rng, participant.pk
        self.m.request(user, label, "GET", f"/participants/{pk}/")
        if rng.random() < 0.15:
            show = rng.choice(["notes", "placements", "followups", "activities"])
            self.m.request(
                user, label, "GET", f"/participants/{pk}/timeline/", {"show": show}, htmx=True
            )
        if not work:
            return
        if rng.random() < 0.4:
            self.m.request(user, label, "GET", f"/participants/{pk}/notes/", htmx=True)
            self.m.request(
                user,
                label + " + note",
                "POST",
                f"/participants/{pk}/notes/",
                {"text": rng.choice(NOTE_TEXTS)},
                htmx=True,
            )
        if rng.random() < 0.15:
            kinds = [value for value, _label in SupportActivity._meta.get_field("kind").choices]
            phase = "during" if ongoing_placement(participant) else "after"
            self.m.request(
                user,
                label + " + activity",
                "POST",
                f"/participants/{pk}/activities/",
                {"kind": rng.choice(kinds), "phase": phase, "date": self.today.isoformat()},
                htmx=True,
            )

    def register_followup(self, user, followup, label: str) -> None:
        participant = followup.placement.participant
        pk, placement_pk = participant.pk, followup.placement_id
        page = self.m.request(user, label, "GET", f"/participants/{pk}/")
        action = f"/participants/{pk}/followups/{placement_pk}/"
        loaded_at = loaded_at_on_page(page.content.decode(errors="replace"), action, followup)
        self.m.request(
            user,
            label + " + follow-up registered",
            "POST",
            action,
            {
                "outcome": self.rng.choice(["arbete_osubventionerat", "studier", "arbetssokande"]),
                "performed_on": self.today.isoformat(),
                "employer_or_school": "",
                "note": "Uppföljning per telefon.",
                "loaded_at": loaded_at,
            },
            htmx=True,
        )
        self.registered_followups.add(followup.pk)

    def new_placement(self, user, participant, label: str) -> None:
        pk = participant.pk
        start = self.today + datetime.timedelta(days=self.rng.randint(7, 21))
        data, _job = placement_data(self.m, participant, start=start)
        self.m.request(user, label, "GET", f"/participants/{pk}/")
        self.m.request(user, label, "GET", f"/participants/{pk}/placements/", htmx=True)
        self.m.request(
            user, label + " + placement", "POST", f"/participants/{pk}/placements/", data, htmx=True
        )
        self.placed.add(pk)

    # A day of each role -------------------------------------------------------------------

    def coach_day(self, coach, day: int) -> None:
        rng = self.rng
        self.m.login(coach)
        self.m.request(coach, "coach: caseload", "GET", "/participants/")
        if rng.random() < 0.25:
            self.m.request(coach, "coach: caseload", "GET", "/participants/", {"scope": "unit"})
        if rng.random() < 0.2:
            self.m.request(coach, "coach: caseload", "GET", "/participants/", {"page": "2"})
        if day % 5 == 0:
            self.m.request(coach, "coach: follow-up list", "GET", "/followups/")
        caseload = [p for p in self.caseloads[coach.pk] if p.pk not in self.moved]
        if not caseload:
            return
        for participant in rng.sample(caseload, min(len(caseload), rng.choice([1, 2, 2, 3]))):
            self.participant_visit(coach, participant, "coach: own participant", work=True)
            self.visited[coach.pk].append(participant)
        # A follow-up that is due, about twice a week.
        if rng.random() < 0.4:
            due = [
                f
                for f in open_followups(caseload, self.today)
                if f.pk not in self.registered_followups
            ]
            if due:
                self.register_followup(coach, due[0], "coach: own participant")
        # A new placement, a couple of times a month.
        if rng.random() < 0.1:
            free = [
                p for p in caseload if p.pk not in self.placed and free_for_placement(p, self.today)
            ]
            if free:
                self.new_placement(coach, rng.choice(free), "coach: own participant")

    def manager_day(self, manager, day: int) -> None:
        from participants.models import Participant

        rng = self.rng
        self.m.login(manager)
        self.m.request(manager, "manager: caseload (unit)", "GET", "/participants/")
        if day % 5 == 0:
            self.m.request(manager, "manager: dashboard", "GET", "/dashboard/")
        if day % 5 == 2:
            self.m.request(manager, "manager: follow-up list", "GET", "/followups/")
        unit = list(
            Participant.objects.filter(unit_id=manager.unit_id)
            .exclude(coach=None)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in rng.sample(unit, rng.choice([2, 3, 4])):
            participant = Participant.objects.get(pk=pk)
            self.participant_visit(manager, participant, "manager: unit participant", work=False)

    def admin_day(self, admin, day: int) -> None:
        from participants.models import Participant as P

        rng = self.rng
        self.m.login(admin)
        self.m.request(admin, "admin: admin pages", "GET", "/")
        self.m.request(admin, "admin: admin pages", "GET", "/admin/")
        for changelist in rng.sample(
            [
                "/admin/participants/participant/",
                "/admin/placements/placement/",
                "/admin/participants/casenote/",
                "/admin/followup/followup/",
                "/admin/accounts/user/",
            ],
            3,
        ):
            self.m.request(admin, "admin: changelist", "GET", changelist)
        units = sorted({p.unit_id for p in P.objects.only("unit_id")})
        for unit_id in rng.sample(units, 2):
            pks = list(
                P.objects.filter(unit_id=unit_id).order_by("pk").values_list("pk", flat=True)
            )
            pk = rng.choice(pks)
            self.participant_visit(admin, P.objects.get(pk=pk), "admin: participant", work=False)
        pk = rng.choice(list(P.objects.order_by("pk").values_list("pk", flat=True)))
        self.m.request(
            admin,
            "admin: participant in the admin",
            "GET",
            f"/admin/participants/participant/{pk}/change/",
        )
        self.m.request(admin, "admin: access-log review", "GET", "/audit/")
        if day % 10 == 6:
            # A register extract (GDPR art. 15) someone asked for: the page, then the file.
            pk = rng.choice(list(P.objects.order_by("pk").values_list("pk", flat=True)))
            url = f"/privacy/participants/{pk}/extract/"
            self.m.request(admin, "admin: register extract", "GET", url)
            self.m.request(admin, "admin: register extract", "POST", url)
        if day % 10 == 1:
            self.m.request(admin, "admin: dashboard", "GET", "/dashboard/")

    # The month -------------------------------------------------------------------------------

    def run(self, days: int) -> None:
        staff = self.staff
        coaches = [c for unit in sorted(staff.coaches) for c in staff.coaches[unit]]
        managers = [m for unit in sorted(staff.managers) for m in staff.managers[unit]]
        for day in range(days):
            for coach in coaches:
                self.coach_day(coach, day)
            for manager in managers:
                if day % 5 in (0, 2, 4):
                    self.manager_day(manager, day)
            for admin in staff.admins:
                if day % 5 == 1:
                    self.admin_day(admin, day)
            self.scripted(day, days)

    def scripted(self, day: int, days: int) -> None:
        """The month's events that happen once, spread over the month."""
        events = {
            0: self.manager_posts_what_managers_may_not,
            1: self.coach_posts_an_overlapping_placement,
            2: self.coach_posts_a_placement_needing_confirmation,
            3: self.coach_posts_an_empty_note,
            4: self.coach_registers_a_new_person,
            5: self.coach_registers_a_person_for_a_colleague,
            6: self.coach_registers_a_number_of_another_unit,
            7: self.coach_covers_for_a_sick_colleague,
            8: self.coach_opens_a_stranger_in_the_unit,
            9: self.coach_probes_another_unit,
            10: self.manager_moves_part_of_a_caseload,
        }
        # Spread over the month: the later events after most of the routine work.
        at = {round(index * (days - 1) / max(len(events) - 1, 1)): index for index in events}
        if day in at:
            events[at[day]]()

    # Scripted events -------------------------------------------------------------------------

    def _demo(self, name: str):
        return self.staff.by_name[name]

    def manager_posts_what_managers_may_not(self) -> None:
        from participants.models import Participant

        manager = self._demo("manager")
        self.m.login(manager)
        person = Participant.objects.filter(unit_id=manager.unit_id).order_by("pk")[5]
        self.m.request(manager, "manager: unit participant", "GET", f"/participants/{person.pk}/")
        self.m.request(
            manager,
            "refused: manager POSTs a note (403)",
            "POST",
            f"/participants/{person.pk}/notes/",
            {"text": "Chefen vill anteckna."},
            htmx=True,
        )
        other = self.staff.managers["Jobbtorg Söderort"][0]
        self.m.login(other)
        person = (
            Participant.objects.filter(unit_id=other.unit_id, placements__isnull=True)
            .order_by("pk")
            .first()
            or Participant.objects.filter(unit_id=other.unit_id).order_by("pk").first()
        )
        data, _job = placement_data(self.m, person, start=self.today)
        self.m.request(other, "manager: unit participant", "GET", f"/participants/{person.pk}/")
        self.m.request(
            other,
            "refused: manager POSTs a placement (403)",
            "POST",
            f"/participants/{person.pk}/placements/",
            data,
            htmx=True,
        )

    def coach_posts_an_overlapping_placement(self) -> None:
        coach = self._demo("coach")
        person = next(p for p in self.caseloads[coach.pk] if ongoing_placement(p))
        data, _job = placement_data(self.m, person, start=self.today)
        self.m.request(coach, "coach: own participant", "GET", f"/participants/{person.pk}/")
        self.m.request(
            coach,
            "refused: coach POSTs an overlapping placement",
            "POST",
            f"/participants/{person.pk}/placements/",
            data,
            htmx=True,
        )

    def coach_posts_a_placement_needing_confirmation(self) -> None:
        from placements.models import JobType

        coach = self._demo("coach")
        person = next(
            p
            for p in self.caseloads[coach.pk]
            if p.pk not in self.placed and free_for_placement(p, self.today)
        )
        start = self.today + datetime.timedelta(days=14)
        data, job = placement_data(self.m, person, start=start, months=30)
        job = JobType.objects.get(pk=data["job_type"])
        self.m.request(coach, "coach: own participant", "GET", f"/participants/{person.pk}/")
        self.m.request(
            coach,
            "refused: coach POSTs a placement with a warning, not confirmed",
            "POST",
            f"/participants/{person.pk}/placements/",
            data,
            htmx=True,
        )
        corrected, _job = placement_data(self.m, person, start=start, months=job.max_months)
        corrected["job_type"], corrected["workplace"] = data["job_type"], data["workplace"]
        self.m.request(
            coach,
            "coach: own participant + placement (length corrected)",
            "POST",
            f"/participants/{person.pk}/placements/",
            corrected,
            htmx=True,
        )
        self.placed.add(person.pk)

    def coach_posts_an_empty_note(self) -> None:
        coach = self._demo("coach")
        person = self.caseloads[coach.pk][3]
        self.m.request(coach, "coach: own participant", "GET", f"/participants/{person.pk}/")
        self.m.request(
            coach,
            "refused: coach POSTs an empty note (invalid form)",
            "POST",
            f"/participants/{person.pk}/notes/",
            {"text": "  "},
            htmx=True,
        )

    def coach_registers_a_new_person(self) -> None:
        from participants.models import Participant

        coach = self._demo("coach")
        birth = datetime.date(1996, 3, 14)
        serial = 200
        number = personnummer_with_check(birth, serial)
        while Participant.objects.filter(personnummer=number).exists():
            serial += 1
            number = personnummer_with_check(birth, serial)
        self.m.request(coach, "coach: registration", "GET", "/participants/new/")
        response = self.m.request(
            coach,
            "coach: registers a new person",
            "POST",
            "/participants/new/",
            registration_data(coach.unit, coach, number, "Nora", "Lindahl", self.today),
        )
        if response.status_code == 302:
            self.m.request(coach, "coach: own participant (new)", "GET", response["Location"])

    def coach_registers_a_number_of_another_unit(self) -> None:
        from participants.models import Participant

        coach = self._demo("coach")
        elsewhere = Participant.objects.exclude(unit_id=coach.unit_id).order_by("pk").first()
        self.m.request(coach, "coach: registration", "GET", "/participants/new/")
        self.m.request(
            coach,
            "collision: coach registers a number of another unit",
            "POST",
            "/participants/new/",
            registration_data(
                coach.unit, coach, elsewhere.personnummer, "Ali", "Karlsson", self.today
            ),
        )

    def coach_covers_for_a_sick_colleague(self) -> None:
        """The demo coach covers for a sick colleague: due follow-ups, or a note, on two people."""
        coach, colleague = self._demo("coach"), self._demo("amina.hassan")
        label = "covering: coach, a sick colleague's participant"
        self.m.request(coach, "coach: caseload", "GET", "/participants/", {"scope": "unit"})
        colleagues = [p for p in self.caseloads[colleague.pk] if p.pk not in self.moved]
        due = [
            f
            for f in open_followups(colleagues, self.today)
            if f.pk not in self.registered_followups
        ][:2]
        for followup in due:
            self.register_followup(coach, followup, label)
        for participant in colleagues[: 2 - len(due)]:
            pk = participant.pk
            self.m.request(coach, label, "GET", f"/participants/{pk}/")
            self.m.request(
                coach,
                label + " + note",
                "POST",
                f"/participants/{pk}/notes/",
                {"text": "Vikarierar för Amina: ringde deltagaren."},
                htmx=True,
            )

    def coach_registers_a_person_for_a_colleague(self) -> None:
        """Johan takes an intake and registers the person with Sara as their coach."""
        from participants.models import Participant

        johan, sara = self._demo("johan.lindqvist"), self._demo("sara.nordstrom")
        birth = datetime.date(1991, 9, 2)
        serial = 310
        number = personnummer_with_check(birth, serial)
        while Participant.objects.filter(personnummer=number).exists():
            serial += 1
            number = personnummer_with_check(birth, serial)
        self.m.request(johan, "coach: registration", "GET", "/participants/new/")
        response = self.m.request(
            johan,
            "coach: registers a new person with a colleague as coach",
            "POST",
            "/participants/new/",
            registration_data(johan.unit, sara, number, "Hugo", "Eriksson", self.today),
        )
        if response.status_code == 302:
            self.m.request(
                johan,
                "coach: the registered person's page (the form's redirect)",
                "GET",
                response["Location"],
            )

    def coach_opens_a_stranger_in_the_unit(self) -> None:
        """Johan looks up a participant of his unit by name and opens them: no case of his."""
        johan = self._demo("johan.lindqvist")
        person = self.caseloads[self._demo("coach").pk][-1]
        response = self.m.request(
            johan,
            "suspicious: coach searches the unit by name",
            "POST",
            "/participants/?scope=unit",
            {"q": person.last_name},
        )
        if response.status_code == 302:
            self.m.request(
                johan, "suspicious: coach searches the unit by name", "GET", response["Location"]
            )
        self.m.request(
            johan,
            "suspicious: coach opens a participant of the unit, not his",
            "GET",
            f"/participants/{person.pk}/",
        )

    def coach_probes_another_unit(self) -> None:
        from participants.models import Participant

        johan = self._demo("johan.lindqvist")
        other = Participant.objects.exclude(unit_id=johan.unit_id).order_by("-pk").first()
        self.m.request(
            johan,
            "suspicious: coach tries a participant id of another unit (404)",
            "GET",
            f"/participants/{other.pk}/",
        )

    def manager_moves_part_of_a_caseload(self) -> None:
        """Sara's caseload is too large: her manager moves four people she worked on to Amina."""
        manager = self._demo("manager")
        sara, amina = self._demo("sara.nordstrom"), self._demo("amina.hassan")
        seen = list(dict.fromkeys(p.pk for p in self.visited[sara.pk]))[:4]
        if not seen:
            return
        self.m.login(manager)
        self.m.request(
            manager,
            "manager: reassign page",
            "GET",
            "/participants/reassign/",
            {"from_coach": sara.pk},
        )
        self.m.request(
            manager,
            "manager: moves 4 of Sara's participants to Amina",
            "POST",
            "/participants/reassign/",
            {"from_coach": sara.pk, "participants": seen, "to_coach": amina.pk},
        )
        self.moved.update(seen)
        from participants.models import Participant

        self.caseloads[amina.pk].extend(Participant.objects.filter(pk__in=seen).order_by("pk"))


# --- The count ----------------------------------------------------------------------------------


def table(title: str, header: tuple, rows: list[tuple]) -> str:
    cells = [tuple(str(c) for c in header), *[tuple(str(c) for c in row) for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    # Numbers to the right, words to the left.
    numeric = [all(row[i].isdigit() for row in cells[1:]) for i in range(len(header))]
    lines = [title]
    for n, row in enumerate(cells):
        lines.append(
            "  "
            + "  ".join(
                cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def shorten(paths: list[str], shown: int = 3) -> str:
    distinct = list(dict.fromkeys(paths))
    more = f" (+{len(distinct) - shown} more)" if len(distinct) > shown else ""
    return " ".join(distinct[:shown]) + more


def write_requests(month: Month, path: str) -> None:
    """Every request, one a line, to compare two runs with diff."""
    with open(path, "w", encoding="utf-8") as out:
        for sent in month.sent:
            out.write(f"{sent.user}\t{sent.method}\t{sent.path}\t{sent.status}\t{sent.label}\n")


def count(month: Month, label: str, show_flagged: int, seconds: float) -> None:
    from audit.selectors import log_for_review, month_bounds

    start, end = month_bounds(month.today)
    rows = list(
        log_for_review()
        .filter(at__gte=start, at__lt=end)
        .values(
            "id", "action", "user_id", "username", "participant_id", "method", "path", "flagged"
        )
    )
    role_of = month.roles

    def role(row) -> str:
        if row["user_id"] is None:
            return "(no user)" if not row["username"] else f"({row['username']})"
        return role_of.get(row["user_id"], "(deleted user)")

    flagged = [row for row in rows if row["flagged"]]
    seeded = sum(1 for row in rows if month.origin(row["id"]) == "seed_demo")
    print(f"\n===== {label}: the access log of {month.today:%Y-%m} =====")
    print(
        f"rows in the month: {len(rows)} ({seeded} written by seed_demo, "
        f"{len(rows) - seeded} by the month's logins and requests); "
        f"flagged by the review: {len(flagged)}"
    )

    by_action = Counter(row["action"] for row in rows)
    flagged_action = Counter(row["action"] for row in flagged)
    print(
        table(
            "\nby action",
            ("action", "rows", "flagged"),
            [(a, by_action[a], flagged_action[a]) for a in sorted(by_action)]
            + [("total", len(rows), len(flagged))],
        )
    )
    by_role = Counter(role(row) for row in rows)
    flagged_role = Counter(role(row) for row in flagged)
    print(
        table(
            "\nby role of the user",
            ("role", "rows", "flagged"),
            [(r, by_role[r], flagged_role[r]) for r in sorted(by_role)]
            + [("total", len(rows), len(flagged))],
        )
    )
    cross = Counter((role(row), row["action"]) for row in flagged)
    print(
        table(
            "\nflagged, by role and action",
            ("role", "action", "flagged"),
            [(r, a, n) for (r, a), n in sorted(cross.items())],
        )
    )

    # Where the flagged rows came from.
    sources = Counter()
    groups = defaultdict(list)
    for row in flagged:
        origin = month.origin(row["id"])
        if isinstance(origin, Sent):
            sources[origin.label] += 1
            key = (origin.label, origin.user, row["action"], origin.method, origin.status)
            groups[key].append(origin.path)
        else:
            sources[origin] += 1
            groups[(origin, row["username"], row["action"], row["method"], "")].append(row["path"])
    print(
        table(
            "\nflagged rows by the request that wrote them (the simulation's label)",
            ("label", "flagged"),
            sorted(sources.items(), key=lambda item: (-item[1], item[0])),
        )
    )
    listed = sorted(groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2]))
    print(
        table(
            "\nflagged rows by request: label, user, action, method and status, with the paths "
            f"(first {show_flagged} of {len(listed)} groups)",
            ("label", "user", "action", "method", "status", "rows", "paths"),
            [
                (label, user, action, method, status, len(paths), shorten(paths))
                for (label, user, action, method, status), paths in listed[:show_flagged]
            ],
        )
    )

    # The requests.
    statuses = Counter((s.method, s.status) for s in month.sent)
    print(
        table(
            f"\nrequests: {len(month.sent)} (and {sum(month.logins.values())} logins with "
            "force_login)",
            ("method", "status", "requests"),
            [(m, s, n) for (m, s), n in sorted(statuses.items())],
        )
    )
    per_role = Counter(s.role for s in month.sent)
    print(
        table(
            "\nrequests by role",
            ("role", "requests", "logins"),
            [(r, per_role[r], month.logins[r]) for r in sorted(per_role)],
        )
    )
    posts = [s for s in month.sent if s.method == "POST"]
    outcome = Counter((s.label, s.status, s.outcome) for s in posts)
    print(
        table(
            "\nPOSTs by label",
            ("label", "status", "outcome", "requests"),
            [(*key, n) for key, n in sorted(outcome.items())],
        )
    )
    print(f"\nsimulated in {seconds:.0f} s")


def describe_checkout() -> str:
    def git(*args: str) -> str:
        try:
            return subprocess.run(  # noqa: S603 - fixed arguments, no shell
                ["git", "-C", str(CHECKOUT), *args],  # noqa: S607 - git from PATH
                capture_output=True,
                text=True,
                check=False,
            ).stdout.strip()
        except OSError:
            return ""

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = " + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"{CHECKOUT} at {commit}{dirty}"


def main() -> None:
    args = parse_args()
    database_file = None
    url = args.database_url
    if not url:
        handle, name = tempfile.mkstemp(prefix="review_flags_", suffix=".sqlite3")
        os.close(handle)
        os.unlink(name)
        database_file = Path(name)
        url = f"sqlite:///{database_file}"
    print(f"checkout: {describe_checkout()}")
    print(f"database: {url}")
    try:
        start_django(url)
        from django.core.management import call_command
        from django.utils import timezone

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        seeded = io.StringIO()
        call_command("seed_demo", stdout=seeded)
        print(f"migrated and seeded in {time.perf_counter() - started:.0f} s")

        month = Month(rng=random.Random(args.seed), today=timezone.localdate())
        staff = load_staff(month)
        month.start()
        started = time.perf_counter()
        Simulation(month, staff).run(args.days)
        if args.requests_out:
            write_requests(month, args.requests_out)
        count(
            month,
            args.label or describe_checkout(),
            args.show_flagged,
            time.perf_counter() - started,
        )
    finally:
        if database_file is not None and not args.keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{database_file}{suffix}").unlink(missing_ok=True)
        elif database_file is not None:
            print(f"kept {database_file}")


if __name__ == "__main__":
    main()
