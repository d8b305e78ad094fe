"""A production-like environment of its own: PostgreSQL with two roles, Redis, gunicorn, Celery.

Everything is local and made for the run: a fresh database owned by an owner
role, migrated as that role with DATABASE_APP_ROLE, the demo data and the
application (web and worker) as a role that owns nothing (README: the
database's two roles). DEBUG off, two-factor login on, a random SECRET_KEY,
Redis databases of its own for the cache and the broker, gunicorn with two
workers, a Celery worker with beat. Torn down at the end (the roles are kept:
they belong to the server).
"""

# A test harness: it runs its own commands and builds SQL from its own constants.
# ruff: noqa: S603, S607

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
PG = {"host": "127.0.0.1", "port": 5432}
OWNER_ROLE = "sj_attack_owner"
APP_ROLE = "sj_attack_app"
SITE_URL = "https://stockholmsjobb.example.se"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_connect(role: str, dbname: str, *, autocommit: bool = True):
    connection = psycopg2.connect(user=role, dbname=dbname, **PG)
    connection.autocommit = autocommit
    return connection


def redis_command(*args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", "6379", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


class Environment:
    def __init__(self, *, source: Path | None, redis_dbs: tuple[int, int], log=print) -> None:
        self.log = log
        self.workdir = Path(tempfile.mkdtemp(prefix="sj-attack-"))
        self.given_source = source
        self.source = source or self.workdir / "src"
        self.database = f"sj_attack_{os.getpid()}"
        self.redis_dbs = redis_dbs
        self.port = free_port()
        self.secret_key = secrets.token_urlsafe(50)
        self.processes: dict[str, subprocess.Popen] = {}
        self.commit = ""
        self.world: dict = {}

    # --- the environment variables of each side ----------------------------------------

    def _base_env(self, role: str) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR")
        env = {key: value for key, value in os.environ.items() if key in keep}
        env.update(
            {
                "DATABASE_URL": f"postgres://{role}@127.0.0.1:5432/{self.database}",
                "DEBUG": "false",
                "REQUIRE_2FA": "true",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1",
                "SITE_URL": SITE_URL,
                "SECURE_SSL_REDIRECT": "false",
                # The app server is reached through a proxy on 127.0.0.1 only; any other
                # loopback address plays a client that reaches gunicorn directly.
                "BEHIND_PROXY": "true",
                "TRUSTED_PROXIES": "127.0.0.1/32",
                "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_dbs[0]}",
                "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{self.redis_dbs[1]}",
                "EMAIL_URL": "consolemail://",
                "MEDIA_ROOT": str(self.workdir / "media"),
                "DJANGO_SETTINGS_MODULE": "stockholmsjobb.settings",
                "PYTHONPATH": str(self.source),
                "PYTHONUNBUFFERED": "1",
                "LOG_LEVEL": "WARNING",
            }
        )
        return env

    @property
    def app_env(self) -> dict[str, str]:
        return self._base_env(APP_ROLE)

    @property
    def owner_env(self) -> dict[str, str]:
        return {**self._base_env(OWNER_ROLE), "DATABASE_APP_ROLE": APP_ROLE}

    def manage(self, *args: str, as_owner: bool = False, check: bool = True, **kwargs):
        env = self.owner_env if as_owner else self.app_env
        return subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=self.source,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            **kwargs,
        )

    def django_side(self, command: str, *args: str, as_owner: bool = False, stdin: str = ""):
        """Run bench/attack/django_side.py inside the application; its JSON answer."""
        env = self.owner_env if as_owner else self.app_env
        done = subprocess.run(
            [
                str(VENV_BIN / "python"),
                str(REPO / "bench" / "attack" / "django_side.py"),
                command,
                *args,
            ],
            cwd=self.source,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"django_side {command} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    # --- setting up ------------------------------------------------------------------------

    def set_up(self) -> None:
        started = time.monotonic()
        if self.given_source is None:
            self.commit = subprocess.run(
                ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            self.source.mkdir()
            archive = subprocess.Popen(
                ["git", "-C", str(REPO), "archive", "HEAD"], stdout=subprocess.PIPE
            )
            subprocess.run(["tar", "-x", "-C", str(self.source)], stdin=archive.stdout, check=True)
            archive.wait()
            self.log(f"source: commit {self.commit} of {REPO}, exported to {self.source}")
        else:
            self.commit = "working tree"
            self.log(f"source: the working tree at {self.source}")
        self._redis_free()
        self._database()
        self.log("migrate as the owner role …")
        self.manage("migrate", "--noinput", as_owner=True)
        self.manage("collectstatic", "--noinput")
        self.log("seed_demo as the application role …")
        self.manage("seed_demo")
        self.world = self.django_side("world")
        self._start_servers()
        self.log(f"environment ready in {time.monotonic() - started:.0f} s (port {self.port})")

    def _redis_free(self) -> None:
        for number in self.redis_dbs:
            size = int(redis_command("-n", str(number), "DBSIZE") or 0)
            if size:
                raise SystemExit(
                    f"Redis database {number} is not empty ({size} keys): another run may be "
                    "using it. Choose others with --redis-dbs."
                )

    def _database(self) -> None:
        admin = pg_connect("postgres", "postgres")
        with admin.cursor() as cursor:
            for role in (OWNER_ROLE, APP_ROLE):
                cursor.execute(
                    f"DO $$ BEGIN CREATE ROLE {role} LOGIN; "
                    "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
                )
            cursor.execute(f"CREATE DATABASE {self.database} OWNER {OWNER_ROLE}")
        admin.close()
        self.log(f"database {self.database} (owner {OWNER_ROLE}, application {APP_ROLE})")

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process
        self.processes[name] = subprocess.Popen(
            command,
            cwd=self.source,
            env=self.app_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _start_servers(self) -> None:
        self._start(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "stockholmsjobb.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "120",
            ],
        )
        self._start(
            "celery",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "stockholmsjobb",
                "worker",
                "--beat",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
                "--schedule",
                str(self.workdir / "celerybeat-schedule"),
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError(f"gunicorn stopped:\n{self.server_log('gunicorn')[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("gunicorn did not start listening")

    def server_log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text("utf-8", "replace") if path.exists() else ""

    # --- tearing down ------------------------------------------------------------------------

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def tear_down(self, *, keep_logs: bool = True) -> None:
        for name in list(self.processes):
            self.stop(name)
        try:
            admin = pg_connect("postgres", "postgres")
            with admin.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            admin.close()
        except psycopg2.Error as error:
            print(f"could not drop {self.database}: {error}", file=sys.stderr)
        for number in self.redis_dbs:
            with contextlib.suppress(subprocess.CalledProcessError):
                redis_command("-n", str(number), "FLUSHDB")
        if self.given_source is None:
            subprocess.run(["rm", "-rf", str(self.source)], check=False)
        if not keep_logs:
            subprocess.run(["rm", "-rf", str(self.workdir)], check=False)
