"""The one safe outbound HTTP(S) fetch.

Anything the server downloads because of a user's input (a remote audio file for its
waveform, `/api/audio/proxy`, video metadata of a URL) goes through `fetch`:

- only `http` and `https` URLs;
- the host name is resolved once, every address it resolves to must be public (not
  loopback, private, link-local, multicast, reserved, unspecified, shared or cloud metadata),
  and the connection goes to that checked address (so a second DNS answer cannot swap in a
  private one) while the `Host` header and TLS SNI keep the name;
- redirects are followed by hand, at most `MAX_REDIRECTS`, each new URL checked the same way;
- the body is capped in bytes and the whole fetch (all redirects) in seconds;
- the response's content type must start with one of the accepted prefixes.

Hosts named in `media.allow_fetch_hosts` skip the address check (a media server on the
local network, or a test server on loopback); every other rule still holds.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..errors import PotatoLikeError

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
# Addresses the `ipaddress` module may count as global but that serve cloud metadata.
_METADATA = (ipaddress.ip_network("fd00:ec2::254/128"), ipaddress.ip_network("100.100.100.200/32"))


class FetchError(PotatoLikeError):
    """The fetch was refused or failed; `status` is the HTTP status to answer with."""

    status = 422

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class FetchRefused(FetchError):
    """The URL may not be fetched (scheme, address, allow-list)."""

    status = 403


@dataclass(frozen=True)
class FetchPolicy:
    allow_hosts: tuple[str, ...] = ()
    max_bytes: int = 200 * 1024 * 1024
    timeout: float = 30.0
    accept: tuple[str, ...] = ("audio/", "video/", "application/octet-stream", "application/ogg")


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL after redirects
    content_type: str
    body: bytes


def is_public_address(address: str) -> bool:
    """Whether a connection to this IP address may be made without an allow-list entry."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in net for net in _METADATA):
        return False
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def fetch(url: str, policy: FetchPolicy, headers: Mapping[str, str] | None = None) -> FetchResult:
    """The whole body of `url` (at most `policy.max_bytes`), or FetchError/FetchRefused."""
    with open_stream(url, policy, headers) as stream:
        body = b"".join(stream.chunks())
        return FetchResult(stream.url, stream.content_type, body)


def open_stream(url: str, policy: FetchPolicy, headers: Mapping[str, str] | None = None) -> Stream:
    """A checked response whose body is read with `chunks()` (caps enforced while reading).
    Use it as a context manager so the connection is closed. `headers` (an Authorization
    header for a data source, say) go to the first host only: a redirect to another host
    drops them, so a credential is never handed to a server the admin did not name."""
    deadline = time.monotonic() + policy.timeout
    first_host = None
    for _ in range(MAX_REDIRECTS + 1):
        target = _check_url(url, policy)
        first_host = first_host or (target.host, target.port)
        sent = {"User-Agent": "potato_like", "Accept": "*/*"}
        if headers and (target.host, target.port) == first_host:
            sent.update(headers)
        conn = _connect(target, deadline)
        try:
            conn.request("GET", target.path, headers=sent)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise FetchError(f"could not fetch {target.host}: {_reason(e)}") from None
        if response.status in _REDIRECTS:
            location = response.getheader("Location")
            conn.close()
            if not location:
                raise FetchError("redirect without a Location header")
            url = urljoin(url, location)
            continue
        if response.status != 200:
            conn.close()
            raise FetchError(f"the remote server answered {response.status}")
        content_type = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        if not content_type.startswith(policy.accept):
            conn.close()
            raise FetchError(
                f"the remote file has content type {content_type or 'none'!r}; "
                f"expected {', '.join(policy.accept)}",
                status=415,
            )
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > policy.max_bytes:
            conn.close()
            raise FetchError(f"the remote file is larger than {policy.max_bytes} bytes")
        return Stream(url, content_type, conn, response, policy.max_bytes, deadline)
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


@dataclass(frozen=True)
class PostResult:
    status: int
    body: bytes  # the start of the answer (at most `POST_ANSWER_BYTES`)


POST_ANSWER_BYTES = 16 * 1024


def post(
    url: str, body: bytes, policy: FetchPolicy, headers: Mapping[str, str] | None = None
) -> PostResult:
    """POST `body` to `url` with the same address checks as `fetch` (a webhook delivery).
    Redirects are not followed (a 3xx answer is returned like any other status); the whole
    exchange must fit in `policy.timeout` seconds; only the first `POST_ANSWER_BYTES` of the
    answer are read. Raises FetchRefused for a forbidden target, FetchError when the
    connection fails or times out."""
    deadline = time.monotonic() + policy.timeout
    target = _check_url(url, policy)
    sent = {"User-Agent": "potato_like", "Accept": "*/*", **(headers or {})}
    conn = _connect(target, deadline)
    try:
        conn.request("POST", target.path, body=body, headers=sent)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError("the remote server took too long", status=504)
        if conn.sock is not None:
            conn.sock.settimeout(remaining)
        response = conn.getresponse()
        answer = response.read(POST_ANSWER_BYTES)
        return PostResult(response.status, answer)
    except (OSError, http.client.HTTPException) as e:
        raise FetchError(f"could not reach {target.host}: {_reason(e)}", status=502) from None
    finally:
        conn.close()


class Stream:
    """An open, checked response."""

    def __init__(self, url, content_type, conn, response, max_bytes, deadline) -> None:
        self.url = url
        self.content_type = content_type
        self._conn = conn
        self._response = response
        self._max_bytes = max_bytes
        self._deadline = deadline

    def chunks(self) -> Iterator[bytes]:
        total = 0
        while True:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("the remote server took too long", status=504)
            if self._conn.sock is not None:
                self._conn.sock.settimeout(remaining)
            try:
                chunk = self._response.read1(CHUNK)
            except (OSError, http.client.HTTPException) as e:
                message = f"reading the remote file failed: {_reason(e)}"
                raise FetchError(message, status=504) from None
            if not chunk:
                return
            total += len(chunk)
            if total > self._max_bytes:
                raise FetchError(f"the remote file is larger than {self._max_bytes} bytes")
            yield chunk

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _check_url(url: str, policy: FetchPolicy) -> _Target:
    if not isinstance(url, str) or any(ord(c) < 33 for c in url):
        raise FetchRefused("not a valid URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise FetchRefused("not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"only http and https URLs may be fetched, not {scheme or 'this'!r}")
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password:
        raise FetchRefused("the URL needs a host and no user name or password")
    port = port or (443 if scheme == "https" else 80)
    allowed = host in {h.lower() for h in policy.allow_hosts}
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FetchError(f"cannot resolve host {host!r}") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise FetchError(f"cannot resolve host {host!r}")
    if not allowed:
        bad = [a for a in addresses if not is_public_address(a)]
        if bad:
            raise FetchRefused(
                f"host {host!r} resolves to a non-public address ({bad[0]}); "
                "add it to media.allow_fetch_hosts to allow it"
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(scheme, host, port, path, addresses[0])


def _connect(target: _Target, deadline: float) -> http.client.HTTPConnection:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("the remote server took too long", status=504)
    cls = _PinnedHTTPS if target.scheme == "https" else _PinnedHTTP
    return cls(target.host, target.port, timeout=remaining, address=target.address)


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the checked address; `Host` stays the URL's host name."""

    def __init__(self, host, port, *, timeout, address) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__
