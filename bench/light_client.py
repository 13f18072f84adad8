"""A minimal keep-alive HTTP/1.1 client for the load harness, on the standard library.

The load generator shares the machine's two cores with the server, and its own cost is part
of every latency it reports. `requests` (urllib3 underneath) spends about 1 ms of CPU per
call more than `http.client` on this machine (a bare WSGI server answering "ok": 2.28 ms
against 1.24 ms median with 0.1 s between calls; 0.73 against 0.34 ms back to back), which
is client time, not server time. This client keeps one connection and the session cookie per
simulated annotator and nothing else: no redirects, no proxies, no TLS, no retries.
"""

from __future__ import annotations

import http.client
import json as jsonlib
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class ClientError(Exception):
    """The request could not be completed (connection refused or reset, timeout)."""


class Response:
    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)


class LightSession:
    """`session.request(method, url, json=..., data=..., headers=..., timeout=...)` with
    cookies kept across calls; one keep-alive connection per host, reopened when the server
    closed it."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self._conn: http.client.HTTPConnection | None = None
        self._netloc = ""

    def request(self, method, url, *, json=None, data=None, headers=None, timeout=60, **_):
        parts = urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        head = {"Accept-Encoding": "identity"}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            head["Content-Type"] = "application/json"
        elif data is not None:
            body = urlencode(data).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head.update(headers or {})
        for attempt in (1, 2):
            reused = self._conn is not None and self._netloc == parts.netloc
            conn = self._connection(parts.netloc, timeout)
            try:
                conn.request(method, path, body=body, headers=head)
                resp = conn.getresponse()
                content = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                # A kept-alive connection the server closed while idle (it never read this
                # request): retry once on a new one, as browsers do. Anything else is an error.
                self.close()
                if attempt == 2 or not reused:
                    raise ClientError(f"{type(exc).__name__}: {exc}") from exc
                continue
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise ClientError(f"{type(exc).__name__}: {exc}") from exc
            for header in resp.headers.get_all("Set-Cookie") or ():
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            if resp.will_close:
                self.close()
            return Response(resp.status, content)
        raise AssertionError("unreachable")

    def _connection(self, netloc: str, timeout: float) -> http.client.HTTPConnection:
        if self._conn is None or netloc != self._netloc:
            self.close()
            host, _, port = netloc.partition(":")
            self._conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)
            self._netloc = netloc
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> LightSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
