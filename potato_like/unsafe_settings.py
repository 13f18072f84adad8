"""Settings that are fine on a laptop and unsafe on a public server; `run.py check` and
`run.py` print them (docs/deployment.md describes the safe public setup)."""

from __future__ import annotations

import ipaddress

from .config.model import ProjectConfig

LOOPBACK_NAMES = ("localhost",)


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def debug_refusal(host: str) -> str | None:
    """Why `--debug` must not serve on `host` (None when it may)."""
    if is_loopback(host):
        return None
    return (
        f"--debug is refused on host {host!r}: the debugger runs any Python code typed into "
        "an error page, so it may only listen on a loopback address (127.0.0.1, ::1 or "
        "localhost). Drop --debug, or add --host 127.0.0.1."
    )


def unsafe_settings(config: ProjectConfig) -> list[str]:
    warnings = []
    public = not is_loopback(config.host)
    if (public or config.behind_proxy) and not config.trusted_hosts:
        where = (
            f"host {config.host!r} is reachable from other machines"
            if public
            else "the server is behind a proxy"
        )
        warnings.append(
            f"trusted_hosts: {where} and trusted_hosts is empty, so requests naming any host "
            "are served (DNS rebinding). List the names annotators use, e.g. "
            "trusted_hosts: [annotate.example.org]"
        )
    return warnings
