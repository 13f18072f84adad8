"""How strong the admin key and the session secret must be, and where weak ones are allowed.

Several Potato example configs carry short keys, so a weak key is only a warning while the
server listens on loopback (nobody else can reach it); bound to any other address, the
server refuses to start and names the key."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config.model import ProjectConfig

MIN_ADMIN_KEY_CHARS = 32
MIN_SECRET_KEY_BYTES = 32


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def weak_keys(admin_api_key: str | None, secret_key: str | None) -> list[str]:
    """Problems with configured keys (generated ones are always long enough)."""
    found = []
    if admin_api_key is not None and len(admin_api_key) < MIN_ADMIN_KEY_CHARS:
        found.append(
            f"admin_api_key: is {len(admin_api_key)} characters; use at least "
            f"{MIN_ADMIN_KEY_CHARS} random characters (e.g. python -c "
            "'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if secret_key is not None and len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
        found.append(
            f"secret_key: is {len(secret_key.encode())} bytes; use at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes, or leave it out to use the generated one"
        )
    return found


def refusal(config: ProjectConfig, host: str) -> str | None:
    """Why the server must not start on `host` with this config's keys, or None."""
    weak = weak_keys(config.admin_api_key, config.secret_key)
    if not weak or is_loopback(host):
        return None
    return (
        f"refusing to listen on {host} (reachable from other machines) with weak keys:\n  - "
        + "\n  - ".join(weak)
        + "\nSet longer keys (or listen on 127.0.0.1 only)."
    )
