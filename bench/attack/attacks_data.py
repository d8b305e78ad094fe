"""What goes in and out: planted scripts, formulas in CSVs, uploads, redirects, NUL, SQL, a dying import."""

# A test harness: it runs its own commands, builds SQL from its own constants, and keeps
# its SQL and its messages on one line each.
# ruff: noqa: S603, S607, E501

import csv
import datetime
import io
import re
import subprocess
import threading
import time
import zipfile
from urllib.parse import quote, urlsplit

from bench.attack.client import multipart_stream
from bench.attack.common import SQL_ERROR, Context, Result, show
from bench.attack.environment import VENV_BIN, pg_connect
from bench.attack.forms import form_fields

# --- Planted scripts --------------------------------------------------------------------------


class XssScanner:
    """Looks at every HTML answer for a planted value that arrived unescaped."""

    def __init__(self, planted: list[dict]) -> None:
        self.planted = planted
        self.raw = re.compile(r"<(?:x-xss-|svg/x-xss-)(\d+)")
        self.seen: set[int] = set()
        self.pages = 0
        self.unescaped: list[str] = []

    def check(self, answer, where: str) -> None:
        if not answer.is_html:
            return
        self.pages += 1
        text = answer.text
        for match in self.raw.finditer(text):
            self.unescaped.append(
                f"{where}: …{text[max(0, match.start() - 80) : match.end() + 40]!r}"
            )
        for n in re.findall(r"x-xss-(\d+)", text):
            self.seen.add(int(n))


def plant_over_http(ctx: Context, scanner: XssScanner) -> None:
    """Values that reach the log through requests: a username and a path."""
    base = max(item["n"] for item in scanner.planted) + 1
    client = ctx.new_client(source=ctx.fresh_address())
    client.get("/accounts/login/")
    username = f"Xss{base} <x-xss-{base}></x-xss-{base}>"
    client.post("/accounts/login/", {"username": username, "password": "x"})
    scanner.planted.append(
        {"n": base, "where": "failed login's username (access log)", "value": username}
    )
    path = f"/participants/999999/%3Cx-xss-{base + 1}%3E/"
    ctx.client("coach").get(path)
    scanner.planted.append(
        {"n": base + 1, "where": "refused request's path (access log)", "value": path}
    )
    note = f"Xss{base + 2} <x-xss-{base + 2}></x-xss-{base + 2}>"
    ctx.client("coach").post(f"/participants/{ctx.world['a']['pk']}/notes/", {"text": note})
    scanner.planted.append({"n": base + 2, "where": "case note posted by a coach", "value": note})


def xss(ctx: Context, scanner: XssScanner) -> list[Result]:
    """Crawl the pages where the planted values show, as every role; the matrix's pages too."""
    world = ctx.world
    if not any("access log" in item["where"] for item in scanner.planted):
        plant_over_http(ctx, scanner)
    urls = [
        "/participants/?scope=unit",
        "/followups/",
        "/workplaces/",
        "/dashboard/",
        "/survey/",
        "/survey/results/",
        "/reports/",
        "/reports/scb/",
        "/audit/",
        "/participants/reassign/",
        "/participants/new/",
        f"/participants/{world['a']['pk']}/",
    ]
    for pk in world["xss_participants"]:
        urls += [
            f"/participants/{pk}/",
            f"/participants/{pk}/timeline/",
            f"/participants/{pk}/?show=all",
            f"/privacy/participants/{pk}/extract/",
        ]
    coach_ids = [
        row[0] for row in ctx.sql_owner("SELECT id FROM accounts_user WHERE username = 'xss_coach'")
    ]
    for model, ids in (
        ("accounts/user", coach_ids),
        ("participants/unit", [r[0] for r in ctx.sql_owner("SELECT id FROM participants_unit")]),
        (
            "participants/district",
            [
                r[0]
                for r in ctx.sql_owner(
                    "SELECT id FROM participants_district WHERE name LIKE 'Xss%%'"
                )
            ],
        ),
        (
            "placements/jobtype",
            [
                r[0]
                for r in ctx.sql_owner(
                    "SELECT id FROM placements_jobtype WHERE code LIKE '%%xss%%'"
                )
            ],
        ),
        (
            "placements/workplace",
            [
                r[0]
                for r in ctx.sql_owner(
                    "SELECT id FROM placements_workplace WHERE name LIKE 'Xss%%'"
                )
            ],
        ),
        ("participants/participant", world["xss_participants"][:1]),
        ("survey/surveyround", [r[0] for r in ctx.sql_owner("SELECT id FROM survey_surveyround")]),
    ):
        urls.append(f"/admin/{model}/")
        urls += [f"/admin/{model}/{pk}/change/" for pk in ids]
    workplaces = [
        r[0] for r in ctx.sql_owner("SELECT id FROM placements_workplace WHERE name LIKE 'Xss%%'")
    ]
    urls += [f"/workplaces/{pk}/" for pk in workplaces]
    jobtypes = [
        r[0] for r in ctx.sql_owner("SELECT id FROM placements_jobtype WHERE code LIKE '%%xss%%'")
    ]
    urls += [f"/dashboard/?job_type={pk}" for pk in jobtypes]
    rounds = [r[0] for r in ctx.sql_owner("SELECT id FROM survey_surveyround")]
    urls += [f"/survey/rounds/{pk}/links/" for pk in rounds]
    # The values planted through the log: filtered so they are on the first page.
    by_log = [item for item in scanner.planted if "access log" in item["where"]]
    for item in by_log:
        if "username" in item["where"]:
            urls.append(f"/audit/?username={quote(item['value'])}")
    urls += ["/audit/?action=login_failed", "/audit/?action=refused", "/audit/?username=coach"]
    urls += [
        "/admin/audit/accesslogentry/?action__exact=login_failed",
        "/admin/audit/accesslogentry/?action__exact=refused",
    ]
    if world.get("transfer"):
        urls += ["/transfers/", f"/transfers/{world['transfer']}/decision/"]
    urls += [
        "/admin/",
        "/admin/audit/accesslogentry/",
        "/admin/followup/followup/",
        "/admin/placements/placement/",
        "/admin/participants/casenote/",
    ]
    for role in ("coach", "manager", "admin", "coach_b"):
        client = ctx.client(role)
        for url in urls:
            answer = client.get(url)
            scanner.check(answer, f"{role} GET {url}")
        # The name search (by POST, kept in the session).
        posted = client.post("/participants/", {"q": "Xss1"})
        if posted.status == 302:
            scanner.check(client.get(posted.location), f"{role} caseload search")
    planted = len(scanner.planted)
    ctx.totals["xss_planted"] = planted
    ctx.totals["xss_pages"] = scanner.pages
    ctx.totals["xss_unescaped"] = len(scanner.unescaped)
    not_seen = [item["where"] for item in scanner.planted if item["n"] not in scanner.seen]
    return [
        Result(
            "XSS: planted values, every page they show on",
            not scanner.unescaped,
            f"{planted} values planted, {scanner.pages} pages checked, {len(scanner.unescaped)} unescaped "
            f"({planted - len(not_seen)} of the values seen on a page"
            + (f"; not shown anywhere: {', '.join(not_seen)})" if not_seen else ")"),
            scanner.unescaped[:8]
            + ([f"never shown (not checked): {', '.join(not_seen)}"] if not_seen else []),
        )
    ]


# --- Formulas in CSV files -----------------------------------------------------------------------


def _formula_cells(content: str) -> tuple[list[str], int]:
    """Cells a spreadsheet would run as formulas, and how many were neutralised by an apostrophe."""
    bad, neutralised = [], 0
    first_line = content.split("\n", 1)[0]
    dialect = ";" if first_line.count(";") >= first_line.count(",") else ","
    for row in csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=dialect):
        for cell in row:
            if not cell:
                continue
            if cell[0] == "'" and cell[1:2] in ("=", "+", "-", "@"):
                neutralised += 1
            elif cell[0] in "=+@\t\r" or (
                cell[0] == "-" and not re.fullmatch(r"-[\d\s.,%]+", cell)
            ):
                bad.append(cell)
    return bad, neutralised


def csv_formulas(ctx: Context) -> list[Result]:
    """Names starting with = + - @ in every CSV the pages give (item 7).

    Planted: a coach named =HYPERLINK(...), a job type +SUM(1;1) with targets and
    overdue follow-ups, a workplace @..., and (here) a username that is a formula.
    """
    results = []
    admin, manager = ctx.client("admin"), ctx.client("manager")
    client = ctx.new_client(source=ctx.fresh_address())
    client.get("/accounts/login/")
    client.post(
        "/accounts/login/", {"username": '=HYPERLINK("http://evil.example";"x")', "password": "x"}
    )
    # The annual report rebuilt by the worker, with the planted names in it.
    year = datetime.date.today().year - 1
    index = admin.get(f"/reports/?year={year}")
    build = form_fields(index.text, action="build")
    admin.post("/reports/build/", build or {"year": str(year)})
    deadline = time.monotonic() + 180
    time.sleep(2)
    while time.monotonic() < deadline:
        # The card polls (hx-trigger) while the build is queued or running.
        status = admin.get(f"/reports/status/?year={year}")
        if status.status != 200 or "hx-trigger" not in status.text:
            break
        time.sleep(3)
    files = [
        (f"dashboard {table}.csv", f"/dashboard/download/{table}.csv")
        for table in sorted(
            set(re.findall(r"/dashboard/download/([\w-]+)\.csv", admin.get("/dashboard/").text))
        )
    ]
    files.append(
        ("access-log sample", f"/audit/sample.csv?month={datetime.date.today():%Y-%m}&size=500")
    )
    files.append((f"annual report {year} (zip of CSVs)", f"/reports/download/csv/?year={year}"))
    for label, url in files:
        bad, statuses, neutralised = [], [], 0
        for reader in (admin, manager) if label.startswith("dashboard") else (admin,):
            answer = reader.get(url)
            statuses.append(answer.status)
            if answer.status != 200:
                continue
            contents = [answer.text]
            if answer.body[:2] == b"PK":
                with zipfile.ZipFile(io.BytesIO(answer.body)) as archive:
                    contents = [
                        archive.read(name).decode("utf-8-sig", "replace")
                        for name in archive.namelist()
                    ]
            for content in contents:
                found, kept = _formula_cells(content)
                bad += found
                neutralised += kept
        results.append(
            Result(
                f"CSV formulas: {label}",
                not bad and 200 in statuses,
                f"statuses {statuses}, {neutralised} planted formulas written as text, {len(bad)} as formulas",
                [f"GET {url}: {bad[:5]}"] if bad else [],
            )
        )
    return results


# --- Uploads ---------------------------------------------------------------------------------------


def _rss_kb(ctx: Context) -> int:
    """The gunicorn workers' largest resident size (KiB)."""
    master = ctx.env.processes["gunicorn"].pid
    children = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True
    ).stdout.split()
    sizes = []
    for pid in children:
        try:
            with open(f"/proc/{pid}/status") as status:
                sizes += [int(line.split()[1]) for line in status if line.startswith("VmRSS")]
        except OSError:
            pass
    return max(sizes or [0])


def uploads(ctx: Context) -> list[Result]:
    """200 MB to the import pages, with and without a Content-Length; a file just over the limit (item 8)."""
    results = []
    admin = ctx.client("admin")
    round_pk = ctx.world["survey_round"]
    for path in ("/reports/scb/import/", f"/survey/results/{round_pk}/paper/"):
        for chunked in (False, True):
            rss_before = _rss_kb(ctx)
            pieces, length, content_type = multipart_stream(
                [("csrfmiddlewaretoken", admin.csrf)], "file", "extract.csv", 200 * 1024 * 1024
            )
            started = time.monotonic()
            try:
                answer = admin.request(
                    "POST",
                    path,
                    stream=pieces,
                    content_length=length,
                    content_type=content_type,
                    chunked=chunked,
                )
                status = answer.status
            except OSError as error:
                answer, status = None, f"connection closed ({error.__class__.__name__})"
            elapsed = time.monotonic() - started
            rss_after = _rss_kb(ctx)
            grew = (rss_after - rss_before) // 1024
            label = "chunked, no Content-Length" if chunked else "Content-Length 200 MB"
            # Chunked, the body is never read (no length): the CSRF check refuses the empty form.
            ok_status = status in (400, 413) or (chunked and status in (400, 403, 411, 413))
            held = ok_status and grew < 100
            results.append(
                Result(
                    f"upload 200 MB to {path} ({label})",
                    held,
                    f"→ {status} in {elapsed:.1f} s, worker grew {grew} MB",
                    []
                    if held
                    else [
                        f"POST {path} multipart 200 MB ({label}) → {status}; "
                        f"{show(answer, 300) if answer else ''}"
                    ],
                )
            )
    # Just over the limit the form states: refused by the form, with the limit in words.
    line = b"199001011239,2020,studier\r\n"
    content = b"personnummer,year,income_source\r\n" + line * (int(20.5 * 1024 * 1024) // len(line))
    try:
        answer = admin.post("/reports/scb/import/", {}, files={"file": ("big.csv", content)})
    except OSError as error:
        return [
            *results,
            Result(
                "upload 20.5 MB (over the form's 20 MB)",
                False,
                f"connection closed while sending: {error}",
            ),
        ]
    held = answer.status in (400, 413) and ("20" in answer.text)
    results.append(
        Result(
            "upload 20.5 MB (over the form's 20 MB)",
            held,
            f"→ {answer.status}",
            [] if held else [show(answer)],
        )
    )
    return results


# --- Redirects, NUL, ?q= ------------------------------------------------------------------------------


def open_redirect(ctx: Context) -> list[Result]:
    admin = ctx.client("admin")
    targets = [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example/",
        "///evil.example/",
        "https:evil.example",
        "/%2F%2Fevil.example",
        " //evil.example",
        "/dashboard/@evil.example",
        "javascript:alert(1)",
        "/\\/evil.example",
    ]
    bad = []
    for target in targets:
        answer = admin.post("/dashboard/snapshots/recompute/", {"next": target})
        location = answer.location
        browser_host = urlsplit(location.replace("\\", "/").replace("\t", "").strip()).netloc
        if answer.status >= 500 or browser_host or location.lower().startswith("javascript"):
            bad.append(f"POST next={target!r} → {answer.status} Location: {location!r}")
    return [
        Result(
            "open redirect via recompute next=",
            not bad,
            f"{len(targets)} targets, {len(bad)} left the site",
            bad,
        )
    ]


def nul_characters(ctx: Context) -> list[Result]:
    """%00 in admin filters, list filters and searches (item 11)."""
    admin, coach = ctx.client("admin"), ctx.client("coach")
    urls = [
        (admin, "/admin/audit/accesslogentry/?username=a%00b"),
        (admin, "/admin/audit/accesslogentry/?action=view%00"),
        (admin, "/admin/audit/accesslogentry/?at__gte=2024-01-01%00"),
        (admin, "/admin/participants/participant/?unit__id__exact=1%00"),
        (admin, "/admin/accounts/user/?o=1%00"),
        (admin, "/audit/?user=a%00"),
        (admin, "/audit/?participant=1%00"),
        (coach, "/participants/?status=%00"),
        (coach, "/participants/?q=%00"),
        (coach, "/followups/?coach=%00"),
        (admin, "/dashboard/?unit=%00"),
        (admin, "/workplaces/?q=a%00"),
    ]
    bad = []
    for client, url in urls:
        answer = client.get(url)
        if answer.status >= 500:
            bad.append(show(answer, 200))
    posts = [
        (coach, "/participants/", {"q": "Ab\x00c"}),
        (admin, "/admin/participants/participant/", {"_search": "1", "q": "Ab\x00c"}),
        (coach, "/participants/new/", {"personnummer": "\x00", "first_name": "\x00"}),
        (admin, "/admin/accounts/user/", {"_search": "1", "q": "\x00"}),
    ]
    for client, url, data in posts:
        answer = client.post(url, data, follow=True)
        if answer.status >= 500:
            bad.append(show(answer, 200))
    total = len(urls) + len(posts)
    return [
        Result(
            "NUL in filters and searches",
            not bad,
            f"{total} requests, {len(bad)} server errors",
            bad,
        )
    ]


def query_string_search(ctx: Context) -> list[Result]:
    """A name typed into ?q= is not searched in the address, nor carried into links (item 11)."""
    bad = []
    coach, admin = ctx.client("coach"), ctx.client("admin")
    surname = ctx.world["a"]["surname"]
    answer = coach.get(f"/participants/?q={quote(surname)}")
    if surname in answer.location:
        bad.append(f"GET /participants/?q={surname} → {answer.status} Location {answer.location}")
    if answer.status == 302:
        page = coach.get(answer.location)
        if re.search(rf'href="[^"]*{surname}', page.text):
            bad.append("the name is in a link of the caseload page")
    answer = admin.get(f"/admin/participants/participant/?q={quote(surname)}")
    if answer.status == 200 or surname in answer.location:
        bad.append(
            f"GET /admin/participants/participant/?q={surname} → {answer.status} {answer.location}"
        )
    number = ctx.world["a"]["personnummer"]
    answer = admin.get(f"/admin/participants/participant/?q={number}")
    if answer.status == 200 or number in answer.location:
        bad.append(
            f"GET /admin/participants/participant/?q={number} → {answer.status} {answer.location}"
        )
    return [
        Result(
            "name/personnummer in ?q= not searched",
            not bad,
            f"3 addresses, {len(bad)} searched or kept",
            bad,
        )
    ]


# --- SQL errors ---------------------------------------------------------------------------------------

PAYLOADS = [
    "'",
    '"',
    "' OR '1'='1",
    "1' OR 1=1--",
    "1;SELECT pg_sleep(6)--",
    "'||pg_sleep(6)||'",
    "1 AND 1=CAST((SELECT version()) AS int)",
    "\\",
    "%",
    "_",
    "99999999999999999999",
    "-1",
    "0x7fffffff",
    "1e309",
    "NaN",
    "2024-13-45",
    "1' UNION SELECT NULL--",
    "[]",
    "{}",
    "ÅÄÖ'\"",
    "$$",
    "1) OR (1=1",
    "a" * 5000,
    "../../etc/passwd",
    "<>\"'%;)(&+",
]


def sql_fuzz(ctx: Context) -> list[Result]:
    """Every filter and search a list page offers, with SQL-shaped values (~1,500 requests)."""
    coach, manager, admin = ctx.client("coach"), ctx.client("manager"), ctx.client("admin")
    targets: list[tuple] = []
    pages = [
        (coach, "/participants/?scope=unit"),
        (coach, "/followups/"),
        (coach, "/workplaces/"),
        (manager, "/dashboard/"),
        (admin, "/audit/"),
        (admin, "/audit/sample/"),
        (manager, "/survey/results/"),
        (admin, "/reports/"),
    ]
    admin_lists = [
        "/admin/participants/participant/",
        "/admin/audit/accesslogentry/",
        "/admin/placements/placement/",
        "/admin/followup/followup/",
        "/admin/accounts/user/",
        "/admin/placements/workplace/",
    ]
    for client, url in pages:
        page = client.get(url)
        names = {name for name, _ in form_fields(page.text)} | set(
            re.findall(r"[?&]amp;([a-z_]+)=", page.text)
        )
        names |= set(re.findall(r'href="\?([a-z_]+)=', page.text))
        for name in sorted(names - {"csrfmiddlewaretoken", "next", "language"}):
            targets.append((client, url, name))
        targets.append((client, url, "page"))
        targets.append((client, url, "sort"))
    for url in admin_lists:
        page = admin.get(url)
        names = set(re.findall(r'href="\?(?:[^"]*&amp;)?([a-z_]+(?:__[a-z_]+)*)=', page.text))
        for name in sorted(names | {"o", "p", "e"}):
            targets.append((admin, url, name))
    # Within the budget: every target gets the payloads in turn until ~1,500 requests.
    budget = 1500 - 4 * len(PAYLOADS)
    per_target = max(3, min(len(PAYLOADS), budget // max(1, len(targets))))
    requests, errors, slow = 0, [], []
    for i, (client, url, name) in enumerate(targets):
        shift = i % len(PAYLOADS)
        for payload in (PAYLOADS[shift:] + PAYLOADS[:shift])[:per_target]:
            sep = "&" if "?" in url else "?"
            answer = client.get(f"{url}{sep}{name}={quote(payload)}")
            requests += 1
            _judge_fuzz(answer, errors, slow)
    # POSTed searches and forms.
    for payload in PAYLOADS:
        for client, url, data in (
            (coach, "/participants/", {"q": payload}),
            (admin, "/admin/participants/participant/", {"_search": "1", "q": payload}),
            (admin, "/admin/placements/placement/", {"_search": "1", "q": payload}),
            (coach, f"/participants/{ctx.world['a']['pk']}/notes/", {"text": ""}),
        ):
            if "notes" in url:
                data = {"text": "", "correction_of": payload}
            answer = client.post(url, data, follow=True)
            requests += 1
            _judge_fuzz(answer, errors, slow)
    ctx.totals["fuzz_requests"] = requests
    ctx.totals["fuzz_5xx"] = sum(1 for e in errors if e.startswith("5"))
    ctx.totals["fuzz_sql"] = sum(1 for e in errors if "SQL" in e)
    return [
        Result(
            "SQL-error fuzzing of filters and searches",
            not errors and not slow,
            f"{requests} requests over {len(targets) + 4} targets, {ctx.totals['fuzz_5xx']} 5xx, "
            f"{ctx.totals['fuzz_sql']} SQL errors shown, {len(slow)} slower than 5 s",
            (errors + slow)[:8],
        )
    ]


def _judge_fuzz(answer, errors: list[str], slow: list[str]) -> None:
    if answer.status >= 500:
        errors.append(f"5xx: {answer.method} {answer.url[:160]} → {answer.status}")
    elif SQL_ERROR.search(answer.text):
        match = SQL_ERROR.search(answer.text)
        errors.append(
            f"SQL text: {answer.method} {answer.url[:160]} → {answer.status}: "
            f"…{answer.text[max(0, match.start() - 60) : match.end() + 60]!r}"
        )
    if answer.elapsed > 5:
        slow.append(f"slow: {answer.method} {answer.url[:160]} took {answer.elapsed:.1f} s")


# --- The database dies during an import ------------------------------------------------------------


def _kill_backend_when(
    ctx: Context, pattern: str, timeout: float = 120, done: threading.Event | None = None
) -> tuple[bool, float]:
    """Terminate the application's backend once it runs a statement like `pattern` in a transaction."""
    started = time.monotonic()
    connection = pg_connect("postgres", "postgres")
    try:
        with connection.cursor() as cursor:
            while time.monotonic() - started < timeout and not (done and done.is_set()):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = 'sj_attack_app' "
                    "AND xact_start IS NOT NULL AND query ~* %s",
                    [ctx.env.database, pattern],
                )
                pids = [row[0] for row in cursor.fetchall()]
                if pids:
                    for pid in pids:
                        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    return True, time.monotonic() - started
                time.sleep(0.05)
    finally:
        connection.close()
    return False, time.monotonic() - started


def database_dies_mid_import(ctx: Context) -> list[Result]:
    results = []
    admin = ctx.client("admin")
    numbers = [
        row[0]
        for row in ctx.sql_owner(
            "SELECT p.personnummer FROM participants_participant p JOIN LATERAL (SELECT given FROM "
            "participants_consent c WHERE c.participant_id = p.id AND c.flow = 'scb' ORDER BY c.decided_on "
            "DESC, c.id DESC LIMIT 1) latest ON latest.given ORDER BY p.id"
        )
    ]
    this_year = datetime.date.today().year
    years = list(range(this_year - 30, this_year))
    lines = ["personnummer,year,income_source"] + [
        f"{number},{year},forvarvsarbete" for number in numbers for year in years
    ]
    content = ("\r\n".join(lines) + "\r\n").encode()[: 19 * 1024 * 1024]
    content = content[: content.rfind(b"\r\n") + 2]
    before = ctx.sql_owner(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(year), 0) FROM followup_registeroutcome"
    )[0]
    killed: list = []
    killer = threading.Thread(
        target=lambda: killed.append(
            _kill_backend_when(ctx, r'^\s*(INSERT INTO|DELETE FROM) "followup_registeroutcome"')
        )
    )
    killer.start()
    answer = admin.post("/reports/scb/import/", {}, files={"file": ("scb.csv", content)})
    killer.join()
    after = ctx.sql_owner(
        "SELECT count(*), coalesce(max(id), 0), coalesce(sum(year), 0) FROM followup_registeroutcome"
    )[0]
    next_page = admin.get("/reports/scb/")
    was_killed, at = killed[0] if killed else (False, 0)
    held = was_killed and before == after and next_page.status == 200
    row_count = content.count(b"\n") - 1
    results.append(
        Result(
            "database connection killed mid-import (web, SCB extract)",
            held,
            f"{row_count} rows; backend killed after {at:.1f} s: {was_killed}; answer {answer.status}; "
            f"rows before/after {before[0]}/{after[0]}; next page {next_page.status}",
            [] if held else [show(answer, 300), f"before {before}, after {after}"],
        )
    )
    # The command, as an operator runs it.
    from bench.attack.attacks_log import personnummer

    job = ctx.sql_owner("SELECT code FROM placements_jobtype WHERE code = 'basanstallning'")[0][0]
    taken = {row[0] for row in ctx.sql_owner("SELECT personnummer FROM participants_participant")}
    rows = ["personnummer,first_name,last_name,job_type,workplace,start_date,end_date"]
    i = 0
    while len(rows) <= 40000:
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=i % 12000)
        number = personnummer(birth, 500 + i // 12000 * 2)
        i += 1
        if number in taken:
            continue
        rows.append(f"{number},Import,Person{i},{job},Importplatsen {i % 50},2022-0{1 + i % 9}-01,")
    path = ctx.env.workdir / "placements.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = ctx.count("placements.Placement", "participants.Participant")
    killed = []
    finished = threading.Event()
    killer = threading.Thread(
        target=lambda: killed.append(
            _kill_backend_when(
                ctx,
                r'^\s*INSERT INTO "(participants_participant|placements_placement|placements_workplace)"',
                timeout=600,
                done=finished,
            )
        )
    )
    killer.start()
    done = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "import_placements", str(path)],
        cwd=ctx.env.source,
        env=ctx.env.app_env,
        capture_output=True,
        text=True,
    )
    finished.set()
    killer.join()
    after = ctx.count("placements.Placement", "participants.Participant")
    was_killed, at = killed[0] if killed else (False, 0)
    held = was_killed and before == after and done.returncode != 0
    results.append(
        Result(
            "database connection killed mid-import (import_placements)",
            held,
            f"40,000 rows; killed after {at:.1f} s: {was_killed}; exit {done.returncode}; "
            f"placements {before['placements.Placement']}→{after['placements.Placement']}, participants "
            f"{before['participants.Participant']}→{after['participants.Participant']}",
            [] if held else [done.stderr[-400:]],
        )
    )
    return results
