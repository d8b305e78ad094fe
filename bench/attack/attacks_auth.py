"""Logging in: the second factor, lockouts, spraying, rate limits, sessions, separation of duties."""

# A test harness: it runs its own commands, builds SQL from its own constants, and keeps
# its SQL and its messages on one line each.
# ruff: noqa: S603, E501

import base64
import re
import secrets
import subprocess
import time

from bench.attack.client import VERIFY_PATH
from bench.attack.common import Context, Result, show
from bench.attack.environment import VENV_BIN, free_port
from bench.attack.forms import form_fields, replace
from bench.attack.totp import code, step_now

LOCKED = 429  # django-axes' answer, and the per-address limit's


def _actions(rows: list[dict], username: str) -> list[str]:
    return [row["action"] for row in rows if row["username"] == username]


def totp_logging(ctx: Context) -> list[Result]:
    """The password alone is 'password accepted'; a wrong code is a failed login (item 4)."""
    results = []
    source = ctx.fresh_address()
    user = ctx.users["coach_totp"]
    codes = ctx.codes["coach_totp"]
    before = ctx.last_log_id()
    client = ctx.new_client(source=source)
    client.login_password("coach_totp", user["password"])
    wrong = client.post(VERIFY_PATH, {"token": codes.wrong_code(), "next": "/"})
    rows = ctx.log_after(before)
    actions = _actions(rows, "coach_totp")
    held = "password_ok" in actions and "login" not in actions and "login_failed" in actions
    results.append(
        Result(
            "2FA: password alone not logged as login; wrong code logged",
            held and wrong.status == 200,
            f"rows: {', '.join(actions) or 'none'}",
            [] if held else [show(wrong), str(rows)],
        )
    )
    # The right code, once the one wrong code's throttle (1 s) has passed: the login row,
    # and a new session id.
    time.sleep(2.5)
    session_before = client.cookies.get("sessionid")
    ok = client.post(VERIFY_PATH, {"token": codes.next_code(), "next": "/"})
    session_after = client.cookies.get("sessionid")
    rows = ctx.log_after(before)
    logged_in = ok.status == 302 and "login" in _actions(rows, "coach_totp")
    results.append(
        Result(
            "2FA: right code is the login row; new session id after the code",
            logged_in and session_before != session_after,
            f"status {ok.status}, session id changed: {session_before != session_after}",
            [] if logged_in else [show(ok)],
        )
    )
    # The same code again, at once, in a second session: refused (replay).
    replay_client = ctx.new_client(source=source)
    replay_client.login_password("coach_totp", user["password"])
    replay = replay_client.post(
        VERIFY_PATH, {"token": code(codes.key_hex, codes.last_step), "next": "/"}
    )
    results.append(
        Result(
            "2FA: a code used once is refused the second time",
            replay.status == 200,
            f"replayed code → {replay.status}",
            [] if replay.status == 200 else [show(replay)],
        )
    )
    # Guessing: wrong codes, each once the throttle lets it be checked; then the right one.
    guess_user, guess_codes = ctx.users["coach_guess"], ctx.codes["coach_guess"]
    guesser = ctx.new_client(source=source)
    guesser.login_password("coach_guess", guess_user["password"])
    for k in range(5):
        guesser.post(VERIFY_PATH, {"token": guess_codes.wrong_code(), "next": "/"})
        time.sleep(2**k + 0.3 if k < 4 else 0)
    right = guesser.post(VERIFY_PATH, {"token": guess_codes.next_code(), "next": "/"})
    throttled = right.status == 200 and ("Too many" in right.text or "För många" in right.text)
    results.append(
        Result(
            "2FA: guessed codes throttle even the right one",
            throttled,
            f"right code after 5 wrong → {right.status}{' (throttled)' if throttled else ''}",
            [] if throttled else [show(right)],
        )
    )
    # Pairing: a wrong code while setting up an app is a failed login too.
    before = ctx.last_log_id()
    pairing = ctx.new_client(source=source)
    pairing.login_password("coach_pairing", ctx.users["coach_pairing"]["password"])
    setup = pairing.get("/accounts/2fa/setup/")
    wrong = pairing.post("/accounts/2fa/setup/", {"token": "000000", "next": "/"})
    actions = _actions(ctx.log_after(before), "coach_pairing")
    results.append(
        Result(
            "2FA: wrong code while pairing is logged",
            setup.status == 200 and "login_failed" in actions,
            f"rows: {', '.join(actions)}",
        )
    )
    return results


def _spray(
    ctx: Context, path: str, source: str, usernames: list[str], *, xff=None, rounds: int = 4
):
    """rounds × usernames wrong passwords from one address; the answers' statuses."""
    client = ctx.new_client(source=source)
    statuses = []
    for attempt in range(rounds):
        for i, username in enumerate(usernames):
            headers = {"X-Forwarded-For": xff(attempt * len(usernames) + i)} if xff else {}
            client.get(path, headers=headers)
            answer = client.post(
                path, {"username": username, "password": f"Sommar202{attempt}!"}, headers=headers
            )
            statuses.append(answer.status)
    return client, statuses


def spraying(ctx: Context) -> list[Result]:
    """32 wrong passwords over 8 usernames from one address (item 9)."""
    results = []
    usernames = [f"spray{i}" for i in range(1, 9)]
    # The login page.
    source = ctx.fresh_address()
    client, statuses = _spray(ctx, "/accounts/login/", source, usernames)
    locked_from = next((i + 1 for i, s in enumerate(statuses) if s == LOCKED), None)
    right = client.post(
        "/accounts/login/", {"username": "spray1", "password": ctx.users["spray1"]["password"]}
    )
    held = locked_from is not None and locked_from <= 21 and right.status == LOCKED
    results.append(
        Result(
            "spraying: 32 wrong passwords, 8 usernames, one address",
            held,
            f"locked from attempt {locked_from}; right password then → {right.status}",
            [] if held else [f"statuses: {statuses}", show(right)],
        )
    )
    # The same from an address that reaches gunicorn directly, rotating X-Forwarded-For.
    source = ctx.fresh_address()
    client, statuses = _spray(
        ctx, "/accounts/login/", source, usernames, xff=lambda n: f"198.51.100.{n + 1}"
    )
    locked_from = next((i + 1 for i, s in enumerate(statuses) if s == LOCKED), None)
    held = locked_from is not None and locked_from <= 21
    results.append(
        Result(
            "spraying with rotating X-Forwarded-For (gunicorn reached directly)",
            held,
            f"locked from attempt {locked_from} of {len(statuses)}",
            [] if held else [f"statuses: {statuses}"],
        )
    )
    # The admin's own login page: the same limit?
    source = ctx.fresh_address()
    client, statuses = _spray(ctx, "/admin/login/", source, usernames)
    locked_from = next((i + 1 for i, s in enumerate(statuses) if s == LOCKED), None)
    after = ctx.new_client(source=source)
    after.get("/accounts/login/")
    main_page = after.post("/accounts/login/", {"username": "spray2", "password": "Vinter2024!"})
    # The 33rd guess, a right one, for a staff account: answered as a login, not a lockout.
    client.get("/admin/login/")
    right_guess = client.post("/admin/login/", {"username": "admin", "password": "stockholm"})
    held = locked_from is not None and locked_from <= 21 and right_guess.status != 302
    results.append(
        Result(
            "spraying through /admin/login/",
            held,
            f"locked from attempt {locked_from} of {len(statuses)}; /accounts/login/ then → {main_page.status}, "
            f"/admin/login/ with a staff password → {right_guess.status}",
            []
            if held
            else [
                f"32 POSTs /admin/login/ username=spray1..spray8 password=Sommar202N! from {source}: "
                f"statuses {statuses}",
                show(main_page, 120),
                "then, from the same address: " + show(right_guess, 120),
            ],
        )
    )
    return results


def lockout(ctx: Context) -> list[Result]:
    """Five wrong passwords for one username lock it at that address, whatever X-Forwarded-For says."""
    results = []
    user = ctx.users["coach_lockout"]
    source = ctx.fresh_address()
    client = ctx.new_client(source=source)
    statuses = []
    for n in range(6):
        client.get("/accounts/login/")
        statuses.append(
            client.post(
                "/accounts/login/",
                {"username": "coach_lockout", "password": f"fel{n}"},
                headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
            ).status
        )
    right = client.post(
        "/accounts/login/",
        {"username": "coach_lockout", "password": user["password"]},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    held = right.status == LOCKED and "15" in right.text
    results.append(
        Result(
            "lockout: 5 wrong passwords, rotating X-Forwarded-For",
            held,
            f"statuses {statuses}; right password then → {right.status}",
            [] if held else [show(right)],
        )
    )
    # Through the trusted proxy, each client is its own: another client is not locked out.
    proxy = ctx.new_client()  # 127.0.0.1: the proxy
    proxy.get("/accounts/login/", headers={"X-Forwarded-For": "192.0.2.77"})
    other = proxy.post(
        "/accounts/login/",
        {"username": "coach_lockout", "password": user["password"]},
        headers={"X-Forwarded-For": "192.0.2.77"},
    )
    results.append(
        Result(
            "lockout: a client behind the trusted proxy is not locked by another",
            other.status == 302,
            f"right password from another client via the proxy → {other.status}",
            [] if other.status == 302 else [show(other)],
        )
    )
    return results


def survey_rate_limit(ctx: Context) -> list[Result]:
    results = []
    for label, xff in (
        ("", None),
        (" with rotating X-Forwarded-For", lambda n: f"198.51.100.{n % 250 + 1}"),
    ):
        client = ctx.new_client(source=ctx.fresh_address())
        statuses = []
        for n in range(40):
            headers = {"X-Forwarded-For": xff(n)} if xff else {}
            statuses.append(
                client.get(f"/survey/{secrets.token_urlsafe(16)}/", headers=headers).status
            )
        first = next((i + 1 for i, s in enumerate(statuses) if s == 429), None)
        held = first is not None and first <= 31
        results.append(
            Result(
                f"survey page rate limit{label}",
                held,
                f"40 guesses in a minute: 429 from request {first}",
                [] if held else [f"statuses {statuses}"],
            )
        )
    return results


def cookies_and_headers(ctx: Context) -> list[Result]:
    results = []
    anonymous = ctx.new_client()
    login_page = anonymous.get("/accounts/login/")
    csrf_cookie = next(
        (c for c in login_page.all_headers("Set-Cookie") if c.startswith("csrftoken=")), ""
    )
    flags = csrf_cookie.lower()
    held = "httponly" in flags and "secure" in flags and "samesite" in flags
    results.append(
        Result(
            "CSRF cookie HttpOnly, Secure, SameSite",
            held,
            csrf_cookie.split(";", 1)[-1].strip(),
            [] if held else [csrf_cookie],
        )
    )
    client = ctx.new_client()
    client.get("/accounts/login/")
    answer = client.post("/accounts/login/", {"username": "manager", "password": "stockholm"})
    session_cookie = next(
        (c for c in answer.all_headers("Set-Cookie") if c.startswith("sessionid=")), ""
    )
    flags = session_cookie.lower()
    held = "httponly" in flags and "secure" in flags
    results.append(
        Result("session cookie HttpOnly, Secure", held, session_cookie.split(";", 1)[-1].strip())
    )
    # Through the TLS proxy (127.0.0.1), which says the scheme was https.
    page = ctx.client("coach").get(
        f"/participants/{ctx.world['a']['pk']}/", headers={"X-Forwarded-Proto": "https"}
    )
    wanted = {
        "Content-Security-Policy": "script-src 'self'",
        "Strict-Transport-Security": "max-age=31536000",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }
    missing = [name for name, part in wanted.items() if part not in page.header(name)]
    results.append(
        Result(
            "security headers on a participant page",
            not missing,
            f"{len(wanted) - len(missing)}/{len(wanted)} present",
            [f"missing or weak: {', '.join(missing)}"] if missing else [],
        )
    )
    return results


def sessions(ctx: Context) -> list[Result]:
    """A session id planted before login is not the one after; a logged-out cookie is dead."""
    results = []
    client = ctx.new_client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attackerchosenid0123456789abcdef"
    client.post("/accounts/login/", {"username": "manager", "password": "stockholm"})
    after_password = client.cookies.get("sessionid")
    client.post(VERIFY_PATH, {"token": ctx.codes["manager"].next_code(), "next": "/"})
    after_code = client.cookies.get("sessionid")
    held = (
        after_password not in (None, "attackerchosenid0123456789abcdef")
        and after_code != after_password
    )
    results.append(
        Result("session fixation: new id at password and at code", held, f"ids differ: {held}")
    )
    stolen = dict(client.cookies)
    client.logout()
    thief = ctx.new_client()
    thief.cookies.update(stolen)
    answer = thief.get("/participants/")
    held = answer.status == 302 and "login" in answer.location
    results.append(
        Result(
            "logout ends the session on the server",
            held,
            f"old cookie after logout → {answer.status} {answer.location[:40]}",
            [] if held else [show(answer)],
        )
    )
    return results


def separation_of_duties(ctx: Context) -> list[Result]:
    """The admin role cannot raise its own powers (item 10)."""
    results = []
    admin = ctx.client("admin")
    me = ctx.users["admin"]["id"]
    was = ctx.env.django_side("user", "admin")
    url = f"/admin/accounts/user/{me}/change/"
    fields = form_fields(admin.get(url).text)
    permission_ids = re.findall(r'<option value="(\d+)"', admin.get("/admin/auth/group/").text)[:3]
    data = replace(fields, is_superuser="on", is_staff="on", _save="Save")
    data += [("user_permissions", pid) for pid in permission_ids or ["1"]]
    answer = admin.post(url, data)
    state = ctx.env.django_side("user", "admin")
    held = not state["is_superuser"] and state["permissions"] == was["permissions"]
    results.append(
        Result(
            "admin makes itself superuser (one POST)",
            held,
            f"POST → {answer.status}; is_superuser={state['is_superuser']}, "
            f"permissions {was['permissions']}→{state['permissions']}",
            [] if held else [show(answer)],
        )
    )
    # Giving a coach the admin group.
    coach_id = ctx.users["coach_race"]["id"]
    url = f"/admin/accounts/user/{coach_id}/change/"
    fields = form_fields(admin.get(url).text)
    groups = dict(re.findall(r'<option value="(\d+)"[^>]*>(\w+)</option>', admin.get(url).text))
    admin_group = next((pk for pk, name in groups.items() if name == "admin"), "3")
    answer = admin.post(url, replace(fields, groups=admin_group, _save="Save"))
    state = ctx.env.django_side("user", "coach_race")
    held = "admin" not in state["groups"]
    results.append(
        Result(
            "admin puts a coach in the admin group",
            held,
            f"POST → {answer.status}; groups={state['groups']}",
            [] if held else [show(answer)],
        )
    )
    # The roles' permissions.
    group_page = admin.get("/admin/auth/group/1/change/")
    answer = admin.post("/admin/auth/group/1/change/", {"name": "coach", "permissions": "1"})
    held = answer.status == 403 or (answer.status == 302 and "login" in answer.location)
    results.append(
        Result(
            "admin changes a role's permissions",
            held,
            f"GET → {group_page.status}, POST → {answer.status}",
            [] if held else [show(answer)],
        )
    )
    results.append(superuser_takeover(ctx))
    return results


def superuser_takeover(ctx: Context) -> Result:
    """The admin sets a superuser's password, resets its second factor and logs in as it."""
    admin = ctx.client("admin")
    root_id = ctx.users["sj_root"]["id"]
    new_password = "Attack-" + secrets.token_urlsafe(12)
    url = f"/admin/accounts/user/{root_id}/password/"
    page = admin.get(url)
    set_password = admin.post(
        url, {"usable_password": "true", "password1": new_password, "password2": new_password}
    )
    reset = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factor", "_selected_action": str(root_id), "index": "0"},
    )
    attacker = ctx.new_client()
    logged = attacker.login_password("sj_root", new_password)
    evidence = [f"GET {url} → {page.status}", show(set_password, 200), show(reset, 200)]
    superuser = False
    if logged.status == 302:
        setup = attacker.get("/accounts/2fa/setup/")
        secret = re.search(r'<code class="fs-5">([A-Z2-7 ]+)</code>', setup.text)
        if secret:
            key = base64.b32decode(secret.group(1).replace(" ", "")).hex()
            attacker.post("/accounts/2fa/setup/", {"token": code(key, step_now()), "next": "/"})
            probe = attacker.get("/admin/auth/group/add/")
            superuser = probe.status == 200
            evidence.append(
                f"POST /accounts/login/ sj_root + new password → {logged.status}; "
                f"paired a new app; GET /admin/auth/group/add/ (superusers only) → {probe.status}"
            )
    return Result(
        "admin takes over a superuser (password + 2FA reset)",
        not superuser,
        "admin became the superuser"
        if superuser
        else f"password form → {set_password.status}, reset → {reset.status}, login → {logged.status}",
        evidence if superuser else [],
    )


def development_key(ctx: Context) -> list[Result]:
    """The web server with DEBUG off and no SECRET_KEY must not serve (item 11)."""
    env = {k: v for k, v in ctx.env.app_env.items() if k != "SECRET_KEY"}
    port = free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "stockholmsjobb.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
        ],
        cwd=ctx.env.source,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from bench.attack.client import Client

    served, status = False, None
    deadline = time.monotonic() + 25
    while time.monotonic() < deadline and process.poll() is None:
        try:
            status = Client(port=port, timeout=5).get("/accounts/login/").status
            served = status == 200
            break
        except OSError:
            time.sleep(0.5)
    if process.poll() is None:
        import os
        import signal

        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    output = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
    refused = "SECRET_KEY is not set" in output
    return [
        Result(
            "no SECRET_KEY in production: server refuses",
            not served and refused,
            f"login page served: {served} (status {status}); refusal in log: {refused}",
            [] if not served else [output[-500:]],
        )
    ]
