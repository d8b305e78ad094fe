"""Every route as every role; other units' participants; a session that skipped the second factor."""

# Long messages and multipart framing are kept on one line each.
# ruff: noqa: E501

# A test harness: it runs its own commands and builds SQL from its own constants.

import random
from urllib.parse import urlsplit

from bench.attack.common import Context, Result, show

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
TWO_FACTOR_PATHS = ("/accounts/2fa/verify/", "/accounts/2fa/setup/")
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "admin:login",
    "admin:logout",
    "survey:respond",
    "survey:thanks",
}
# Never posted as a logged-in role: it would end the session the matrix goes on with
# (the anonymous visitor posts them).
SESSION_ENDING = {"logout", "admin:logout"}
EXPECTED_OVERRIDES = {("admin:view_on_site", "admin", "GET"): {404}}
HTMX = {"HX-Request": "true"}


def _to_login(answer) -> bool:
    return answer.status in (301, 302) and urlsplit(answer.location).path in LOGIN_PATHS


def _identity(case: dict) -> tuple[str, ...]:
    number = case["personnummer"]
    return (case["surname"], number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}")


def _leaks(answer, case: dict) -> bool:
    text = answer.text
    return any(mark in text for mark in _identity(case))


def judge(route: dict, role: str, method: str, touches_other: bool, answer, other_case) -> str:
    status = answer.status
    override = EXPECTED_OVERRIDES.get((route["name"], role, method))
    if override is not None:
        return "" if status in override else f"expected {sorted(override)}"
    if status >= 500:
        return "server error"
    if other_case is not None and _leaks(answer, other_case):
        return "shows another unit's participant's name or personnummer"
    denied = _to_login(answer) or status in (404, 405)
    if role == "anonymous" and route["name"] not in PUBLIC and not denied:
        return "not sent to log in"
    refused = status in (404, 405) or (route["admin"] and _to_login(answer))
    if touches_other and not refused:
        return "another unit's participant must be a 404"
    own = role == "coach" and route["url_b"] is not None and not touches_other
    if own and method == "GET" and not route["admin"] and status == 404:
        return "coach of A cannot reach A's records: the run fills in wrong ids"
    return ""


def route_matrix(ctx: Context) -> list[Result]:
    """Every route, GET and POST (and an htmx GET across units), as five roles.

    Coach B requests A's participant's URLs; coach A and A's manager request
    B's as well. Another unit's name or personnummer may appear in no answer.
    """
    world = ctx.world
    a, b = world["a"], world["b"]
    # Whose participant each role must never see.
    other_of = {"anonymous": a, "coach": b, "coach_b": a, "manager": b, "admin": None}
    problems, requests_made, cross_requests, cross_leaks = [], 0, 0, 0
    refusals_served: dict[str, int] = {}
    start_id = ctx.last_log_id()
    for role in ("anonymous", "coach", "coach_b", "manager", "admin"):
        client = ctx.client(role)
        for route in ctx.routes:
            targets = [(route["url_a"], role == "coach_b" and route["url_b"] is not None)]
            if route["url_b"] and role in ("coach", "manager"):
                targets.append((route["url_b"], True))
            for url, cross in targets:
                requests = [("GET", {}), ("POST", {})]
                if cross:
                    requests.append(("GET", HTMX))
                for method, headers in requests:
                    if method == "POST" and role != "anonymous" and route["name"] in SESSION_ENDING:
                        continue
                    if method == "GET":
                        answer = client.get(url, headers=headers)
                    else:
                        # The token in the header: the body stays empty, as in the test suite
                        # (an admin delete page takes any non-empty POST as its confirmation).
                        answer = client.request(
                            "POST",
                            url,
                            body=b"",
                            headers={"X-CSRFToken": client.csrf},
                            content_type="application/x-www-form-urlencoded",
                        )
                    requests_made += 1
                    scanner = getattr(ctx, "scanner", None)
                    if scanner is not None and method == "GET":
                        scanner.check(answer, f"{role} GET {url}")
                    if cross:
                        cross_requests += 1
                    if role != "anonymous" and answer.status in (403, 404):
                        refusals_served[role] = refusals_served.get(role, 0) + 1
                    problem = judge(route, role, method, cross, answer, other_of[role])
                    if cross and problem:
                        cross_leaks += 1
                    if problem:
                        problems.append(
                            f"{role} {method}{' htmx' if headers else ''} {url} "
                            f"[{route['name']}] → {answer.status}: {problem}"
                        )
    ctx.totals["routes"] = len(ctx.routes)
    ctx.totals["roles"] = 5
    ctx.totals["matrix_requests"] = requests_made
    ctx.totals["cross_unit_requests"] += cross_requests
    ctx.totals["cross_unit_leaks"] += cross_leaks
    ctx.matrix_refusals = (start_id, refusals_served)
    return [
        Result(
            "route matrix: every route × 5 roles",
            not problems,
            f"{len(ctx.routes)} routes × 5 roles, {requests_made} requests, {len(problems)} wrong answers",
            problems[:15],
        ),
        Result(
            "cross-unit leaks through participant URLs",
            cross_leaks == 0,
            f"{cross_requests} requests for another unit's participant, {cross_leaks} reached it",
            [p for p in problems if "another unit" in p][:10],
        ),
    ]


def refusals_logged(ctx: Context) -> list[Result]:
    """Every 403/404 the matrix served to a logged-in user is an access-log row (issue item 3)."""
    start_id, served = ctx.matrix_refusals
    rows = ctx.sql_owner(
        "SELECT username, count(*) FROM audit_accesslogentry WHERE id > %s AND action = 'refused' "
        "GROUP BY username",
        [start_id],
    )
    logged = dict(rows)
    missing = {
        role: served[role] - logged.get(role, 0)
        for role in served
        if served[role] > logged.get(role, 0)
    }
    # And the exact case of the issue: another unit's follow-up page, GET and POST.
    coach = ctx.client("coach")
    b = ctx.world["b"]
    url = f"/participants/{b['pk']}/followups/{b['placement_pk']}/"
    before = ctx.last_log_id()
    got = coach.get(url)
    posted = coach.post(url, {"performed_on": "2023-05-02", "outcome": "studier"})
    rows = ctx.sql_owner(
        "SELECT action, method, path FROM audit_accesslogentry WHERE id > %s AND username = 'coach'",
        [before],
    )
    refused = [row for row in rows if row[0] == "refused" and row[2] == url]
    held_followup = got.status == 404 and posted.status == 404 and len(refused) == 2
    return [
        Result(
            "refusals leave a log row (all the matrix's 403/404)",
            not missing,
            f"{sum(served.values())} refusals served to logged-in roles, "
            f"{sum(min(served[r], logged.get(r, 0)) for r in served)} logged",
            [f"{role}: {n} refusals without a row" for role, n in missing.items()],
        ),
        Result(
            "refusals leave a log row: other unit's follow-up GET+POST",
            held_followup,
            f"GET {got.status}, POST {posted.status}, {len(refused)} 'refused' rows",
            [] if held_followup else [show(got), show(posted), str(rows)],
        ),
    ]


def id_sweep(ctx: Context) -> list[Result]:
    """Coach A walks participant ids of the other units: every one a 404 that names nobody."""
    ids = [
        row[0]
        for row in ctx.sql_owner(
            "SELECT p.id FROM participants_participant p JOIN participants_unit u ON u.id = p.unit_id "
            "WHERE u.name <> %s ORDER BY p.id",
            [ctx.world["units"]["a"]],
        )
    ]
    rng = random.Random(7)
    sample = rng.sample(ids, min(60, len(ids)))
    names = {
        row[0]: (row[1], row[2])
        for row in ctx.sql_owner(
            "SELECT id, last_name, personnummer FROM participants_participant WHERE id = ANY(%s)",
            [sample],
        )
    }
    coach = ctx.client("coach")
    bad = []
    requests = 0
    for pk in sample:
        for suffix in ("", "timeline/", "notes/", "placements/"):
            for headers in ({}, {"HX-Request": "true"}):
                answer = coach.get(f"/participants/{pk}/{suffix}", headers=headers)
                requests += 1
                last, number = names[pk]
                if answer.status != 404 or last in answer.text or number in answer.text:
                    bad.append(show(answer))
        answer = coach.get(f"/privacy/participants/{pk}/extract/")
        requests += 1
        if answer.status not in (403, 404):
            bad.append(show(answer))
    ctx.totals["cross_unit_requests"] += requests
    ctx.totals["cross_unit_leaks"] += len(bad)
    return [
        Result(
            "cross-unit id sweep (coach A, 60 other-unit ids)",
            not bad,
            f"{requests} requests, {len(bad)} not a plain 404",
            bad[:5],
        )
    ]


def caseload_search_other_unit(ctx: Context) -> list[Result]:
    """Searching the caseload for another unit's participant finds nobody."""
    coach = ctx.client("coach")
    b = ctx.world["b"]
    bad = []
    for term in (
        b["personnummer"],
        f"{b['personnummer'][:8]}-{b['personnummer'][8:]}",
        b["surname"],
    ):
        posted = coach.post("/participants/", {"q": term})
        page = coach.get(posted.location) if posted.status == 302 else posted
        # The term is echoed in the search field; a match would be a link to the person's page.
        if f"/participants/{b['pk']}/" in page.text or b["first_name"] in page.text:
            bad.append(show(page))
        if term in posted.location:
            bad.append(f"the term is in the address: {posted.location}")
    return [
        Result(
            "caseload search for another unit's participant",
            not bad,
            f"3 searches, {len(bad)} found or echoed",
            bad[:3],
        )
    ]


def half_logged_in(ctx: Context) -> list[Result]:
    """A session with the password but no TOTP code reaches no route but the 2FA pages."""
    client = ctx.new_client(name="half")
    answer = client.login_password("coach_race", ctx.users["coach_race"]["password"])
    if answer.status != 302:
        return [
            Result(
                "password alone reaches nothing (2FA on every route)",
                False,
                "login refused",
                [show(answer)],
            )
        ]
    allowed = {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "logout",
        "set_language",
        "login",
        "admin:login",
        "survey:respond",
        "survey:thanks",
        "admin:logout",
    }
    bad, requests = [], 0
    for route in ctx.routes:
        if route["name"] in allowed:
            continue
        answer = client.get(route["url_a"])
        requests += 1
        target = urlsplit(answer.location).path
        if not (answer.status == 302 and target in TWO_FACTOR_PATHS) and answer.status not in (
            404,
            405,
        ):
            bad.append(f"GET {route['url_a']} → {answer.status} {answer.location}")
    return [
        Result(
            "password alone reaches nothing (2FA on every route)",
            not bad,
            f"{requests} routes, {len(bad)} answered past the second factor",
            bad[:8],
        )
    ]
