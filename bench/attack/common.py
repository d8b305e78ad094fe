"""What every attack gets: the environment, logged-in clients, counters, and its result type."""

# Long messages and multipart framing are kept on one line each.
# ruff: noqa: E501

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from bench.attack.client import Client, Response
from bench.attack.environment import APP_ROLE, OWNER_ROLE, Environment, pg_connect
from bench.attack.totp import CodeSource

ROLES = ("anonymous", "coach", "coach_b", "manager", "admin")
SQL_ERROR = re.compile(
    r"syntax error|psycopg|ProgrammingError|DataError|OperationalError|IntegrityError|"
    r"InternalError|Traceback|unterminated quoted|invalid input syntax|django\.db|"
    r"current transaction is aborted|NUL \(0x00\)",
    re.IGNORECASE,
)


@dataclass
class Result:
    name: str
    held: bool
    figure: str
    evidence: list[str] = field(default_factory=list)


class Context:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self.world = env.world
        self.port = env.port
        self.users = self.world["users"]
        self.codes = {
            name: CodeSource(user["key"]) for name, user in self.users.items() if user["key"]
        }
        self._clients: dict[str, Client] = {}
        self._addresses = itertools.count(10)
        self.totals: Counter = Counter()
        self.routes: list[dict] = []

    # --- clients --------------------------------------------------------------------------

    def new_client(self, *, source: str | None = None, name: str = "") -> Client:
        return Client(port=self.port, source=source or "127.0.0.1", name=name)

    def fresh_address(self) -> str:
        """A loopback address nobody has used yet: its own per-address counters."""
        n = next(self._addresses)
        return f"127.0.{n // 250}.{n % 250 + 2}"

    def client(self, role: str) -> Client:
        """A logged-in client of the role (password and TOTP code), kept for the run."""
        if role == "anonymous":
            return self._clients.setdefault(role, self.new_client(name=role))
        if role not in self._clients or not self._still_in(self._clients[role]):
            client = self.new_client(name=role)
            user = self.users[role]
            client.login(role, user["password"], self.codes.get(role))
            self._clients[role] = client
        return self._clients[role]

    @staticmethod
    def _still_in(client: Client) -> bool:
        answer = client.get("/")
        return (
            answer.status == 302 and "login" not in answer.location and "2fa" not in answer.location
        )

    def login_new(self, role: str, *, source: str | None = None) -> Client:
        client = self.new_client(source=source, name=role)
        client.login(role, self.users[role]["password"], self.codes.get(role))
        return client

    # --- the database -------------------------------------------------------------------------

    def sql(self, role: str, statement: str, params=None, *, fetch: bool = True):
        connection = pg_connect(role, self.env.database)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                return cursor.fetchall() if fetch and cursor.description else None
        finally:
            connection.close()

    def sql_owner(self, statement: str, params=None):
        return self.sql(OWNER_ROLE, statement, params)

    def sql_app(self, statement: str, params=None):
        return self.sql(APP_ROLE, statement, params)

    def last_log_id(self) -> int:
        return self.sql_owner("SELECT coalesce(max(id), 0) FROM audit_accesslogentry")[0][0]

    def log_after(self, after: int) -> list[dict]:
        """Access-log rows after an id, with the review's flag (as the application computes it)."""
        return self.env.django_side("log", str(after))

    def count(self, *labels: str) -> dict[str, int]:
        return self.env.django_side("count", *labels)


def normalise(text: str, *echoes: str) -> str:
    """A page without what legitimately differs between two answers: tokens and echoed input."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'<meta name="csrf-token" content="[^"]*"', "", text)
    text = re.sub(r"csrf[-_]?token[^>]*>", "", text, flags=re.IGNORECASE)
    text = re.sub(r"hx-headers=\'[^\']*\'", "", text)
    text = re.sub(r'nonce="[^"]*"', "", text)
    for echo in sorted((e for e in echoes if e), key=len, reverse=True):
        text = text.replace(echo, "ECHO")
    return text


def first_difference(a: str, b: str, context: int = 120) -> str:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"…{a[max(0, i - context) : i + context]!r}\n   vs …{b[max(0, i - context) : i + context]!r}"
    return f"lengths {len(a)} vs {len(b)}"


def show(response: Response, limit: int = 400) -> str:
    return response.summary(limit)
