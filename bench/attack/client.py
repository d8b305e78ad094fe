"""A small HTTP client on the standard library: cookies, CSRF, a chosen source address.

No third-party client is in the project's virtualenv, and this needs little:
one host, cookies kept by name (the Secure flag is ignored, as a TLS proxy in
front would make it irrelevant to the app server), the CSRF token taken from
the cookie (Django accepts the unmasked secret), no redirects followed unless
asked. Each client may connect from its own loopback address (127.0.0.N),
so the per-address limits of one attack do not lock out the next.
"""

# Long messages and multipart framing are kept on one line each.
# ruff: noqa: E501

import http.client
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode, urljoin, urlsplit

from bench.attack.totp import CodeSource

LOGIN_PATH = "/accounts/login/"
VERIFY_PATH = "/accounts/2fa/verify/"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    elapsed: float
    method: str = ""
    url: str = ""
    request_body: bytes = b""

    def header(self, name: str) -> str:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return ""

    def all_headers(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.header("Location")

    @property
    def is_html(self) -> bool:
        return "text/html" in self.header("Content-Type")

    def summary(self, limit: int = 600) -> str:
        """The request and the answer, for a report."""
        head = f"{self.method} {self.url}"
        if self.request_body:
            shown = self.request_body[:300].decode("utf-8", "replace")
            head += f"\n  body: {shown}{' …' if len(self.request_body) > 300 else ''}"
        answer = f"→ {self.status}"
        if self.location:
            answer += f" Location: {self.location}"
        text = re.sub(r"\s+", " ", self.text)[:limit]
        return f"{head}\n  {answer}\n  {text}"


@dataclass
class Client:
    port: int
    source: str = "127.0.0.1"
    host: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    extra_headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 120.0
    requests_made: int = 0
    name: str = ""

    # --- plumbing ---------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout, source_address=(self.source, 0)
        )

    def _store_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            name, value = name.strip(), value.strip().strip('"')
            expired = "max-age=0" in header.lower() or "1970" in header
            if expired or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        follow: bool = False,
        stream=None,
        content_length: int | None = None,
        chunked: bool = False,
    ) -> Response:
        url = path
        for _ in range(10):
            all_headers = {"Host": f"{self.host}:{self.port}", **self.extra_headers}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if content_type:
                all_headers["Content-Type"] = content_type
            if method == "POST" and "Referer" not in (headers or {}):
                all_headers["Referer"] = f"http://{self.host}:{self.port}{urlsplit(url).path}"
            all_headers.update(headers or {})
            started = time.monotonic()
            connection = self._connection()
            try:
                if stream is not None:
                    connection.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
                    if chunked:
                        all_headers["Transfer-Encoding"] = "chunked"
                    else:
                        all_headers["Content-Length"] = str(content_length)
                    for key, value in all_headers.items():
                        connection.putheader(key, value)
                    connection.endheaders()
                    try:
                        for piece in stream:
                            if chunked:
                                connection.send(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
                            else:
                                connection.send(piece)
                        if chunked:
                            connection.send(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the server answered before reading it all
                else:
                    connection.request(method, url, body=body, headers=all_headers)
                raw = connection.getresponse()
                payload = raw.read()
                self._store_cookies(raw)
                response = Response(
                    raw.status,
                    list(raw.getheaders()),
                    payload,
                    time.monotonic() - started,
                    method,
                    url,
                    body or b"",
                )
            finally:
                connection.close()
            self.requests_made += 1
            if not (follow and response.status in (301, 302, 303, 307, 308)):
                return response
            url = urljoin(url, response.location)
            if urlsplit(url).netloc not in ("", f"{self.host}:{self.port}"):
                return response
            url = urlsplit(url)._replace(scheme="", netloc="").geturl()
            if response.status in (301, 302, 303):
                method, body, content_type = "GET", None, None
        return response

    # --- the usual requests -------------------------------------------------------------

    def get(self, path: str, *, params: dict | None = None, **kwargs) -> Response:
        if params:
            path = f"{path}{'&' if '?' in path else '?'}{urlencode(params, doseq=True)}"
        return self.request("GET", path, **kwargs)

    @property
    def csrf(self) -> str:
        if "csrftoken" not in self.cookies:
            self.get(LOGIN_PATH)
        return self.cookies.get("csrftoken", "")

    def post(
        self,
        path: str,
        data: dict | list | None = None,
        *,
        files: dict[str, tuple[str, bytes]] | None = None,
        csrf: bool = True,
        **kwargs,
    ) -> Response:
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if csrf:
            fields.append(("csrfmiddlewaretoken", self.csrf))
        if files is not None:
            body, content_type = multipart(fields, files)
        else:
            body = urlencode(fields, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", path, body=body, content_type=content_type, **kwargs)

    # --- logging in ----------------------------------------------------------------------

    def login_password(self, username: str, password: str, path: str = LOGIN_PATH) -> Response:
        self.get(path)
        return self.post(path, {"username": username, "password": password})

    def login(self, username: str, password: str, codes: CodeSource | None) -> None:
        """Password, then the TOTP code; raises if the user is not in at the end."""
        answer = self.login_password(username, password)
        if answer.status != 302:
            raise RuntimeError(f"login of {username} refused: {answer.summary()}")
        if codes is not None:
            verified = self.post(VERIFY_PATH, {"token": codes.next_code(), "next": "/"})
            if verified.status != 302:
                raise RuntimeError(f"second factor of {username} refused: {verified.summary()}")
        check = self.get("/")
        if check.status != 302 or "2fa" in check.location or "login" in check.location:
            raise RuntimeError(f"{username} is not logged in: {check.summary()}")

    def logout(self) -> None:
        self.post("/accounts/logout/")
        self.cookies.clear()


def multipart(fields: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]):
    boundary = f"----attack{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, content) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def multipart_stream(fields: list[tuple[str, str]], name: str, filename: str, size: int):
    """A multipart body of `size` bytes of file, generated as it is sent: (iterator, length)."""
    boundary = f"----attack{secrets.token_hex(8)}"
    head = (
        b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
            for key, value in fields
        )
        + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    line = b"199001011239,2020,arbete\r\n"
    block = line * (65536 // len(line))

    def pieces():
        yield head
        sent = 0
        while sent < size:
            piece = block[: size - sent]
            sent += len(piece)
            yield piece
        yield tail

    return pieces(), len(head) + size + len(tail), f"multipart/form-data; boundary={boundary}"
