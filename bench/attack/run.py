"""A production-like attack run: sets up its own environment, attacks it, prints the figures.

    .venv/bin/python bench/attack/run.py            # the committed HEAD, exported to a temp folder
    .venv/bin/python bench/attack/run.py --source . # the working tree as it is
    .venv/bin/python bench/attack/run.py --only routes,auth --keep

The environment (environment.py): a fresh PostgreSQL database owned by an
owner role, migrated as it with DATABASE_APP_ROLE; the demo data, gunicorn
(two workers) and a Celery worker with beat as the application's role, which
owns nothing; DEBUG off, two-factor login on, a random SECRET_KEY, Redis
databases of its own, BEHIND_PROXY with the proxy on 127.0.0.1 (other
loopback addresses play clients that reach gunicorn directly). Plain HTTP:
the Secure cookies are sent anyway, as a TLS proxy in front would.

Prints one line per attack (held or FAILED, a short figure), the evidence of
each failure (the exact request and answer), and the totals. Exits 1 when an
attack failed. Everything made is removed at the end (the two roles are kept).
"""

# Long messages and multipart framing are kept on one line each.
# ruff: noqa: E501

import argparse
import json
import re
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.attack import attacks_auth, attacks_data, attacks_log, attacks_routes
from bench.attack.common import Context, Result
from bench.attack.environment import Environment

GROUPS = {
    "routes": [
        attacks_routes.route_matrix,
        attacks_routes.refusals_logged,
        attacks_routes.id_sweep,
        attacks_routes.caseload_search_other_unit,
        attacks_routes.half_logged_in,
    ],
    "log": [
        attacks_log.registration_oracle,
        attacks_log.log_truth,
        attacks_log.admin_changelists_logged,
    ],
    "auth": [
        attacks_auth.totp_logging,
        attacks_auth.spraying,
        attacks_auth.lockout,
        attacks_auth.survey_rate_limit,
        attacks_auth.cookies_and_headers,
        attacks_auth.sessions,
        attacks_auth.separation_of_duties,
    ],
    "data": [
        "xss",
        attacks_data.csv_formulas,
        attacks_data.uploads,
        attacks_data.open_redirect,
        attacks_data.nul_characters,
        attacks_data.query_string_search,
        attacks_data.sql_fuzz,
    ],
    "startup": [attacks_auth.development_key],
    "faults": [attacks_data.database_dies_mid_import],
    "guard": [
        attacks_log.app_role_tampering,
        attacks_log.erase_by_deleting_participant,
        "stop_worker",
        attacks_log.superuser_tampering,
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--source", type=Path, help="an application tree to run (default: git HEAD)"
    )
    parser.add_argument("--redis-dbs", default="11,12", help="Redis databases for cache,broker")
    parser.add_argument("--only", default="", help=f"groups to run: {','.join(GROUPS)}")
    parser.add_argument("--attacks", default="", help="only these attack functions (by name)")
    parser.add_argument("--keep", action="store_true", help="leave the environment running")
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args()
    redis_dbs = tuple(int(n) for n in options.redis_dbs.split(","))
    groups = [g for g in GROUPS if not options.only or g in options.only.split(",")]

    started = time.monotonic()
    env = Environment(
        source=options.source.resolve() if options.source else None,
        redis_dbs=redis_dbs,
        log=lambda text: print(f"# {text}", flush=True),
    )
    results: list[Result] = []
    try:
        env.set_up()
        ctx = Context(env)
        ctx.routes = env.django_side("routes", stdin=json.dumps(env.world))
        scanner = attacks_data.XssScanner(env.world["xss"])
        ctx.scanner = scanner
        for group in groups:
            for attack in GROUPS[group]:
                if attack == "stop_worker":
                    env.stop("celery")
                    continue
                name = attack if isinstance(attack, str) else attack.__name__
                if options.attacks and name not in options.attacks.split(","):
                    continue
                began = time.monotonic()
                try:
                    found = attacks_data.xss(ctx, scanner) if attack == "xss" else attack(ctx)
                except Exception as error:  # an attack that could not run is not a held one
                    found = [
                        Result(
                            name,
                            False,
                            f"could not run: {error.__class__.__name__}: {error}",
                            [traceback.format_exc(limit=4)],
                        )
                    ]
                for result in found:
                    results.append(result)
                    print(
                        f"{'held  ' if result.held else 'FAILED'}  {result.name}: {result.figure}",
                        flush=True,
                    )
                print(f"#   ({name}: {time.monotonic() - began:.0f} s)", flush=True)
        server_errors = len(re.findall(r"Internal Server Error", env.server_log("gunicorn")))
        elapsed = time.monotonic() - started
        report(results, ctx, env, server_errors, elapsed)
        if options.json:
            options.json.write_text(
                json.dumps([r.__dict__ for r in results], indent=1, ensure_ascii=False)
            )
    finally:
        if options.keep:
            print(f"# kept running: port {env.port}, database {env.database}, logs {env.workdir}")
        else:
            env.tear_down()
            print(f"# torn down; server logs kept in {env.workdir}")
    return 0 if results and all(r.held for r in results) else 1


def report(
    results: list[Result], ctx: Context, env: Environment, server_errors: int, elapsed: float
) -> None:
    failed = [r for r in results if not r.held]
    if failed:
        print("\n== Failures: the requests and the answers")
        for result in failed:
            print(f"\n-- {result.name}: {result.figure}")
            for line in result.evidence:
                print("   " + line.replace("\n", "\n   "))
    t = ctx.totals
    print("\n== Totals")
    print(f"source: {env.commit}")
    print(f"{len(results)} attacks, {len(results) - len(failed)} held, {len(failed)} failed")
    if t["routes"]:
        print(f"routes × roles: {t['routes']} × {t['roles']} ({t['matrix_requests']} requests)")
    print(
        f"cross-unit: {t['cross_unit_requests']} requests for another unit's participant, "
        f"{t['cross_unit_leaks']} leaks"
    )
    if t["xss_planted"]:
        print(
            f"XSS: {t['xss_planted']} values planted, {t['xss_pages']} pages checked, "
            f"{t['xss_unescaped']} unescaped"
        )
    if t["fuzz_requests"]:
        print(
            f"fuzzing: {t['fuzz_requests']} requests, {t['fuzz_5xx']} 5xx, {t['fuzz_sql']} SQL errors"
        )
    print(f"server errors in gunicorn's log over the whole run: {server_errors}")
    print(f"run time: {elapsed / 60:.1f} min")


if __name__ == "__main__":
    sys.exit(main())
