"""Registration as an oracle, the access log's truth, and the log's guard in the database."""

# A test harness: it runs its own commands, builds SQL from its own constants, and keeps
# its SQL and its messages on one line each.
# ruff: noqa: S608, E501

import datetime
import threading

import psycopg2

from bench.attack.common import Context, Result, first_difference, normalise, show
from bench.attack.environment import APP_ROLE, pg_connect
from bench.attack.forms import form_fields, replace


def _luhn(nine: str) -> int:
    total = 0
    for i, char in enumerate(nine):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10


def personnummer(birth: datetime.date, serial: int) -> str:
    nine = f"{birth:%y%m%d}{serial:03d}"
    return f"{birth:%Y%m%d}{serial:03d}{_luhn(nine)}"


def _register(client, **values):
    page = client.get("/participants/new/")
    fields = form_fields(page.text, action=None)
    fields = [(k, v) for k, v in fields if k not in ("q",)]
    return client.post("/participants/new/", replace(fields, **values))


def _forms(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"]


def registration_oracle(ctx: Context) -> list[Result]:
    """Coach A registers B's participant's number, or B's birth date and surname (item 1)."""
    results = []
    coach = ctx.client("coach")
    b = ctx.world["b"]
    # A third participant, of a third unit, for "any other refusal" of the same kind.
    third = ctx.sql_owner(
        "SELECT p.personnummer FROM participants_participant p JOIN participants_unit u "
        "ON u.id = p.unit_id WHERE u.name NOT IN (%s, %s) ORDER BY p.id LIMIT 1",
        [ctx.world["units"]["a"], ctx.world["units"]["b"]],
    )[0][0]
    before = ctx.last_log_id()
    with_b = _register(coach, personnummer=b["personnummer"], first_name="Kalle", last_name="Okänd")
    with_third = _register(coach, personnummer=third, first_name="Kalle", last_name="Okänd")
    with_b_names = _register(
        coach, personnummer=b["personnummer"], first_name=b["first_name"], last_name=b["surname"]
    )
    page_b = normalise(with_b.text, *_forms(b["personnummer"]))
    page_third = normalise(with_third.text, *_forms(third))
    page_b_names = normalise(
        with_b_names.text,
        *_forms(b["personnummer"]),
        b["first_name"],
        b["surname"],
        "Kalle",
        "Okänd",
    )
    page_b_plain = normalise(with_b.text, *_forms(b["personnummer"]), "Kalle", "Okänd")
    same = with_b.status == with_third.status and page_b == page_third
    names_same = with_b_names.status == with_b.status and page_b_names == page_b_plain
    leaked = [
        word
        for word in (b["surname"], ctx.world["units"]["b"], "Söderort", "coach_b", "Coach B")
        if word in with_b.text
    ]
    # Any other refusal (an invalid number) has the same status.
    invalid = _register(coach, personnummer="19830817-0000", first_name="Kalle", last_name="Okänd")
    held = same and names_same and not leaked and with_b.status == invalid.status
    evidence = []
    if not same:
        evidence.append(
            f"B's number vs a third unit's number: {with_b.status} vs {with_third.status}\n   "
            + first_difference(page_b, page_third)
        )
    if not names_same:
        evidence.append(
            "B's number with B's real name vs an invented name differ:\n   "
            + first_difference(page_b_names, page_b_plain)
        )
    if leaked:
        evidence.append(f"the answer names {leaked}: {show(with_b)}")
    results.append(
        Result(
            "registration oracle: another unit's personnummer",
            held,
            f"status {with_b.status} (invalid number: {invalid.status}); same page as a third unit's "
            f"number: {same}; real vs invented name same: {names_same}",
            evidence,
        )
    )
    rows = [row for row in ctx.log_after(before) if row["action"] == "collision"]
    flagged = [row for row in rows if row["participant_id"] == b["pk"] and row["flagged"]]
    results.append(
        Result(
            "registration oracle: the collision is logged and flagged",
            bool(flagged),
            f"{len(rows)} collision rows, {len(flagged)} about B's participant and flagged",
        )
    )
    # Birth date and surname of B's participant with a new number: no near-match warning.
    birth = datetime.date.fromisoformat(b["birth"])
    future = (datetime.date.today() + datetime.timedelta(days=800)).isoformat()
    near = _register(
        coach,
        personnummer=personnummer(birth, 777),
        first_name=b["first_name"],
        last_name=b["surname"],
        enrolled_on=future,
    )
    control = _register(
        coach,
        personnummer=personnummer(datetime.date(1979, 3, 9), 777),
        first_name="Stina",
        last_name="Fjärransson",
        enrolled_on=future,
    )
    page_near = normalise(
        near.text, *_forms(personnummer(birth, 777)), b["first_name"], b["surname"], future
    )
    page_control = normalise(
        control.text,
        *_forms(personnummer(datetime.date(1979, 3, 9), 777)),
        "Stina",
        "Fjärransson",
        future,
    )
    held = near.status == control.status and page_near == page_control
    results.append(
        Result(
            "registration oracle: another unit's birth date + surname",
            held,
            f"status {near.status} vs {control.status}; pages equal: {page_near == page_control}",
            [] if held else [first_difference(page_near, page_control), show(near)],
        )
    )
    # The same registration sent eight times at once (item 11).
    number = personnummer(datetime.date(1985, 6, 6), 414)
    answers = []

    def send() -> None:
        answers.append(
            _register(coach, personnummer=number, first_name="Samtidig", last_name="Registrering")
        )

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = ctx.sql_owner(
        "SELECT count(*) FROM participants_participant WHERE personnummer = %s", [number]
    )[0][0]
    statuses = sorted(answer.status for answer in answers)
    held = stored == 1 and all(status < 500 for status in statuses)
    results.append(
        Result(
            "concurrent identical registrations",
            held,
            f"8 at once → statuses {statuses}, {stored} stored",
            [] if held else [show(answer) for answer in answers if answer.status >= 500][:2],
        )
    )
    return results


def log_truth(ctx: Context) -> list[Result]:
    """A refused write is a read in the log, a saved one a change; managers' own unit unflagged (item 5)."""
    results = []
    coach, manager = ctx.client("coach"), ctx.client("manager")
    a = ctx.world["a"]
    url = f"/participants/{a['pk']}/notes/"
    before = ctx.last_log_id()
    refused = coach.post(url, {"text": ""})
    rows = [row for row in ctx.log_after(before) if row["path"] == url]
    actions = [row["action"] for row in rows]
    held = "change" not in actions and bool(actions)
    results.append(
        Result(
            "access log: a refused write is not 'changed'",
            held,
            f"POST empty note → {refused.status}; rows: {actions}",
            [] if held else [show(refused)],
        )
    )
    before = ctx.last_log_id()
    saved = coach.post(url, {"text": "Uppföljningssamtal bokat."})
    actions = [row["action"] for row in ctx.log_after(before) if row["path"] == url]
    results.append(
        Result(
            "access log: a saved write is 'changed'",
            "change" in actions,
            f"POST note → {saved.status}; rows: {actions}",
        )
    )
    before = ctx.last_log_id()
    manager.get(f"/participants/{a['pk']}/")
    coach.get(f"/participants/{a['pk']}/")
    rows = [row for row in ctx.log_after(before) if row["participant_id"] == a["pk"]]
    flagged = {row["username"]: row["flagged"] for row in rows}
    held = flagged.get("manager") is False and flagged.get("coach") is False
    results.append(
        Result(
            "access log: manager's read of own unit not flagged",
            held,
            f"flags: {flagged}",
        )
    )
    return results


def admin_changelists_logged(ctx: Context) -> list[Result]:
    """Each page of an admin list of case records is a log row (item 6)."""
    admin = ctx.client("admin")
    case_models = [
        "participants_participant",
        "placements_placement",
        "followup_followup",
        "participants_casenote",
        "participants_learninggoal",
        "participants_study",
        "placements_internship",
        "placements_wagesubsidycase",
        "participants_supportactivity",
        "followup_registeroutcome",
        "followup_surveyresponse",
        "participants_consent",
    ]
    routes = [
        route
        for route in ctx.routes
        if route["name"]
        and route["name"].endswith("_changelist")
        and route["name"][6:-11] in case_models
    ]
    before = ctx.last_log_id()
    shown = []
    for route in routes:
        answer = admin.get(route["url_a"])
        if answer.status == 200:
            shown.append(route["url_a"])
    rows = ctx.sql_owner(
        "SELECT path FROM audit_accesslogentry WHERE id > %s AND username = 'admin'", [before]
    )
    logged = {row[0] for row in rows}
    missing = [url for url in shown if url not in logged]
    return [
        Result(
            "admin changelists of case records are logged",
            not missing and bool(shown),
            f"{len(shown)} lists read, {len(shown) - len(missing)} with a row",
            [f"GET {url} → 200, no access-log row" for url in missing],
        )
    ]


# --- The log's guard in the database ---------------------------------------------------------


def _try(ctx: Context, role: str, *statements: str) -> str:
    """'' when the statements all ran (committed), else the database's refusal."""
    connection = pg_connect(role, ctx.env.database, autocommit=False)
    try:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        connection.commit()
        return ""
    except psycopg2.Error as error:
        connection.rollback()
        return (error.pgerror or str(error)).strip().splitlines()[0]
    finally:
        connection.close()


def app_role_tampering(ctx: Context) -> list[Result]:
    """What the application's database role tries against its own log (item 2)."""
    ctx.env.manage("verify_access_log")  # seals what is there
    row_id = ctx.sql_owner("SELECT min(id) FROM audit_accesslogentry")[0][0]
    participant = ctx.world["a"]["pk"]
    attempts = [
        (
            "set_config('audit.purge') then DELETE",
            [
                "SELECT set_config('audit.purge', 'on', true)",
                f"DELETE FROM audit_accesslogentry WHERE id = {row_id}",
            ],
        ),
        (
            "set_config('audit.seal') then UPDATE",
            [
                "SELECT set_config('audit.seal', 'on', true)",
                f"UPDATE audit_accesslogentry SET username = 'someone' WHERE id = {row_id}",
            ],
        ),
        ("TRUNCATE", ["TRUNCATE audit_accesslogentry"]),
        ("DISABLE TRIGGER", ["ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL"]),
        (
            "replace the trigger function",
            [
                "CREATE OR REPLACE FUNCTION audit_accesslogentry_append_only() RETURNS trigger AS "
                "$$ BEGIN RETURN OLD; END $$ LANGUAGE plpgsql"
            ],
        ),
        (
            "replace the retention period",
            [
                "CREATE OR REPLACE FUNCTION audit_retention_period() RETURNS interval LANGUAGE sql "
                "IMMUTABLE AS $$ SELECT interval '0 days' $$"
            ],
        ),
        ("session_replication_role = replica", ["SET session_replication_role = replica"]),
        (
            "back-dated INSERT (30 days)",
            [
                "INSERT INTO audit_accesslogentry (username, unit_name, action, object_type, path, method, at, "
                "detail, previous_hash, row_hash) VALUES ('coach', '', 'view', 'participant', '/', 'GET', "
                "now() - interval '30 days', '', '', '')"
            ],
        ),
        (
            "forward-dated INSERT (1 day)",
            [
                "INSERT INTO audit_accesslogentry (username, unit_name, action, object_type, path, method, at, "
                "detail, previous_hash, row_hash) VALUES ('coach', '', 'view', 'participant', '/', 'GET', "
                "now() + interval '1 day', '', '', '')"
            ],
        ),
        ("audit_purge_before(now())", ["SELECT audit_purge_before(now())"]),
        (
            "audit_purge_participants(a living participant; the function is gone)",
            [f"SELECT audit_purge_participants(ARRAY[{participant}]::bigint[])"],
        ),
        ("DELETE a tombstone", ["DELETE FROM audit_accesslogtombstone"]),
        ("GRANT itself the owner role", ["GRANT sj_attack_owner TO sj_attack_app"]),
    ]
    results = []
    for label, statements in attempts:
        refusal = _try(ctx, APP_ROLE, *statements)
        results.append(
            Result(
                f"log guard, app role: {label}",
                bool(refusal),
                refusal[:90] if refusal else "ACCEPTED",
                [] if refusal else [f"as {APP_ROLE}: " + "; ".join(statements)],
            )
        )
    return results


def _verify(ctx: Context, *, seal: bool = True):
    done = ctx.env.manage("verify_access_log", *([] if seal else ["--no-seal"]), check=False)
    head = next((line for line in done.stdout.splitlines() if line.startswith("Head:")), "")
    return done.returncode, head, (done.stdout + done.stderr).strip()


def erase_by_deleting_participant(ctx: Context) -> list[Result]:
    """As the app role: delete a (living) participant, then purge the log rows about them."""
    coach = ctx.client("coach")
    number = personnummer(datetime.date(1988, 2, 2), 246)
    created = _register(coach, personnummer=number, first_name="Spår", last_name="Raderasson")
    pk = int(created.location.rstrip("/").split("/")[-1]) if created.status == 302 else None
    if pk is None:
        return [
            Result(
                "log erasure: app role deletes a participant, then purges",
                False,
                "could not register the participant",
                [show(created)],
            )
        ]
    for _ in range(3):
        coach.get(f"/participants/{pk}/")
    ctx.env.manage("verify_access_log")  # seal them (the worker's job, also run as the app role)
    rows_before = ctx.sql_owner(
        "SELECT count(*) FROM audit_accesslogentry WHERE participant_id = %s", [pk]
    )[0][0]
    refusal = _try(
        ctx,
        APP_ROLE,
        f"DELETE FROM participants_consent WHERE participant_id = {pk}",
        f"DELETE FROM participants_participant WHERE id = {pk}",
        f"SELECT audit_purge_participants(ARRAY[{pk}]::bigint[])",
    )
    rows_after = ctx.sql_owner(
        "SELECT count(*) FROM audit_accesslogentry WHERE participant_id = %s", [pk]
    )[0][0]
    code, _head, output = _verify(ctx)
    erased = rows_after < rows_before
    undetected = erased and code == 0
    return [
        Result(
            "log erasure: app role deletes a participant, then purges",
            not undetected,
            f"{rows_before} rows about the participant, {rows_after} left; verify_access_log "
            f"{'intact' if code == 0 else 'broken'}"
            + (f"; refused: {refusal[:60]}" if refusal else ""),
            [
                f"as {APP_ROLE} (psql): DELETE FROM participants_consent WHERE participant_id = {pk}; "
                f"DELETE FROM participants_participant WHERE id = {pk}; "
                f"SELECT audit_purge_participants(ARRAY[{pk}]::bigint[]);",
                f"→ {rows_before - rows_after} access-log rows about participant {pk} (registered by coach, "
                f"read 3 times, minutes old) deleted, tombstones left; verify_access_log: "
                f"{output.splitlines()[-1] if output else ''}",
            ]
            if undetected
            else [],
        )
    ]


def superuser_tampering(ctx: Context) -> list[Result]:
    """Going around the roles as a superuser: verify_access_log must find it (item 2).

    Run with the worker stopped, so nothing seals meanwhile. Each change is undone
    (as the superuser) before the next.
    """
    results = []
    code, kept_head, output = _verify(ctx)
    if code != 0:
        return [Result("log chain intact before tampering", False, output[-200:])]

    def sql(statement):
        return _try(ctx, "postgres", "SET session_replication_role = replica", statement)

    rows = ctx.sql_owner(
        "SELECT id FROM audit_accesslogentry WHERE row_hash <> '' ORDER BY chain_position"
    )
    middle, last_ids = rows[len(rows) // 2][0], [row[0] for row in rows[-3:]]
    _try(
        ctx,
        "postgres",
        "DROP TABLE IF EXISTS attack_saved",
        f"CREATE TABLE attack_saved AS SELECT * FROM audit_accesslogentry WHERE id IN "
        f"({middle}, {', '.join(map(str, last_ids))})",
    )
    restore = lambda ids: sql(  # noqa: E731
        f"INSERT INTO audit_accesslogentry SELECT * FROM attack_saved WHERE id IN ({', '.join(map(str, ids))})"
    )

    def attempt(label, statement, undo, *, seal=False, compare_head=False):
        refusal = sql(statement)
        code, head, output = _verify(ctx, seal=seal)
        found = code != 0 or (compare_head and head != kept_head)
        how = (
            "verify_access_log exits 1"
            if code != 0
            else "the head differs from the one kept"
            if found
            else "NOT FOUND"
        )
        results.append(
            Result(
                f"log guard, superuser: {label}",
                found,
                how + (f" ({refusal[:50]})" if refusal else ""),
                [] if found else [f"as postgres: {statement}", output[-300:]],
            )
        )
        undo()

    attempt(
        "DELETE a sealed row",
        f"DELETE FROM audit_accesslogentry WHERE id = {middle}",
        lambda: restore([middle]),
    )
    attempt(
        "UPDATE a sealed row",
        f"UPDATE audit_accesslogentry SET username = 'someone', "
        f"action = 'view' WHERE id = {middle}",
        lambda: (sql(f"DELETE FROM audit_accesslogentry WHERE id = {middle}"), restore([middle])),
    )
    attempt(
        "INSERT a row after the head (made-up hash)",
        "INSERT INTO audit_accesslogentry (username, unit_name, action, object_type, path, method, "
        "at, detail, chain_position, previous_hash, row_hash) SELECT 'coach', '', 'view', "
        "'participant', '/', 'GET', now(), '', chain_position + 1, row_hash, repeat('f', 64) "
        "FROM audit_accesslogentry WHERE chain_position IS NOT NULL ORDER BY chain_position DESC LIMIT 1",
        lambda: sql("DELETE FROM audit_accesslogentry WHERE row_hash = repeat('f', 64)"),
    )
    attempt(
        "DELETE the newest sealed rows (the tail)",
        f"DELETE FROM audit_accesslogentry WHERE id IN ({', '.join(map(str, last_ids))})",
        lambda: restore(last_ids),
        compare_head=True,
    )
    _try(ctx, "postgres", "DROP TABLE IF EXISTS attack_saved")
    code, head, output = _verify(ctx, seal=False)
    results.append(
        Result(
            "log chain intact after the run and the undoing",
            code == 0,
            head.replace("Head: ", "head ")[:60] if code == 0 else output[-200:],
        )
    )
    # Last, since it cannot be undone: a back-dated row slipped in before the next seal.
    refusal = sql(
        "INSERT INTO audit_accesslogentry (username, unit_name, action, object_type, participant_id, "
        "path, method, at, detail, previous_hash, row_hash) VALUES ('manager', 'Jobbtorg Järva', 'view', "
        f"'participant', {ctx.world['b']['pk']}, '/participants/{ctx.world['b']['pk']}/', 'GET', "
        "now() - interval '90 days', '', '', '')"
    )
    code, head, output = _verify(ctx, seal=True)
    # Sealed as it came, its hash is right: the command points it out instead.
    pointed_out = "Out of time order" in output
    results.append(
        Result(
            "log guard, superuser: back-dated row slipped in before the seal",
            code != 0 or pointed_out or bool(refusal),
            "verify_access_log exits 1"
            if code != 0
            else "verify_access_log points it out (out of time order)"
            if pointed_out
            else f"refused: {refusal[:60]}"
            if refusal
            else "sealed into the chain, NOT FOUND",
            []
            if code != 0 or pointed_out
            else [
                "as postgres: INSERT INTO audit_accesslogentry (…, at, …) VALUES (…, now() - interval '90 days', …) "
                "with empty chain columns, then manage.py verify_access_log → "
                + output.splitlines()[-1]
            ],
        )
    )
    return results
