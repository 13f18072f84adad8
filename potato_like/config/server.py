"""`server:` settings for the built-in web server: how long a client may take to send a
request, how large its head may be, how many connections one address may hold, and the
access log. The server that enforces them is potato_like/serving.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .reader import ConfigReader

LOOPBACK = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class ServerLimits:
    header_timeout: float = 10.0  # seconds from the first byte to the end of the headers
    body_timeout: float = 30.0  # seconds from the end of the headers to the end of the body
    max_connections_per_address: int = 64  # 0: no cap
    uncapped_addresses: tuple[str, ...] = LOOPBACK
    max_request_line_bytes: int = 8192  # longer: 414
    max_header_bytes: int = 65536  # request line and headers together; larger: 431
    access_log: str | None = None  # None: off; "-": standard error; else a file path


def read_server_limits(server: ConfigReader, task_dir: Path | None) -> ServerLimits:
    """Read the limits from the `server:` mapping (every key optional)."""
    d = ServerLimits()
    access_log = server.raw.get("access_log")
    if access_log is True:
        access_log = "-"
    elif access_log in (False, None, ""):
        access_log = None
    elif not isinstance(access_log, str):
        server.problem("access_log", f"must be a file path, '-' or true/false, got {access_log!r}")
        access_log = None
    elif access_log != "-" and task_dir is not None and not Path(access_log).is_absolute():
        access_log = str(task_dir / access_log)
    limits = ServerLimits(
        header_timeout=float(
            server.number("header_timeout", d.header_timeout, minimum=0.5, maximum=600)
        ),
        body_timeout=float(
            server.number("body_timeout", d.body_timeout, minimum=0.5, maximum=3600)
        ),
        max_connections_per_address=server.number(
            "max_connections_per_address", d.max_connections_per_address, integer=True, minimum=0
        ),
        uncapped_addresses=tuple(
            server.string_list("uncapped_addresses")
            if server.has("uncapped_addresses")
            else d.uncapped_addresses
        ),
        max_request_line_bytes=server.number(
            "max_request_line_bytes",
            d.max_request_line_bytes,
            integer=True,
            minimum=256,
            maximum=1 << 20,
        ),
        max_header_bytes=server.number(
            "max_header_bytes", d.max_header_bytes, integer=True, minimum=1024, maximum=1 << 24
        ),
        access_log=access_log,
    )
    if limits.max_header_bytes < limits.max_request_line_bytes:
        server.problem(
            "max_header_bytes",
            f"must be at least max_request_line_bytes ({limits.max_request_line_bytes})",
        )
    return limits
