"""API keys for scripts and pipelines: how they look, how they are checked, what they allow.

A key is `pl_` + 43 URL-safe characters (32 random bytes). It is shown once, when created;
the store keeps its SHA-256 (a fast hash is enough for 256 random bits: there is nothing to
guess) and its first characters, so people can tell keys apart in a list. Scopes: `read`
(GET), `write` (create and change), `admin` (everything, including keys). A key may be
restricted to one project of a workspace.

Requests present a key in any of the forms the labelling services' clients send it:
`X-API-Key: K`, `Authorization: Bearer K`, `Authorization: api_key K`, or HTTP Basic with K
as the user name (and any password, usually empty).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SCOPES = ("read", "write", "admin")
PREFIX = "pl_"
SHOWN_CHARS = 10  # of the key, kept to recognise it ("pl_AbCdEfG…")


class BadScopes(ValueError):
    pass


@dataclass(frozen=True)
class ApiKey:
    id: str
    name: str
    key_prefix: str
    scopes: tuple[str, ...]
    project: str | None
    created_at: float
    last_used_at: float | None
    revoked_at: float | None

    def allows(self, scope: str, project: str | None = None) -> bool:
        """Whether this key may do `scope` things (admin implies write implies read) on
        `project` (None: a single-project server, or a workspace-wide request)."""
        if self.revoked_at is not None:
            return False
        if self.project is not None and project is not None and self.project != project:
            return False
        if self.project is not None and project is None and scope == "admin":
            return False  # a project key never administers the workspace
        rank = {name: i for i, name in enumerate(SCOPES)}
        return any(rank[s] >= rank[scope] for s in self.scopes)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "key_prefix": self.key_prefix,
            "scopes": list(self.scopes),
            "project": self.project,
            "created_at": self.created_at,
            "last_used_at": self.last_used_at,
            "revoked": self.revoked_at is not None,
        }


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scopes(scopes: Iterable[str] | str) -> tuple[str, ...]:
    """Known scopes in canonical order; BadScopes names an unknown or missing one."""
    if isinstance(scopes, str):
        scopes = [s for s in scopes.replace(" ", ",").split(",") if s]
    wanted = {str(s).strip().lower() for s in scopes}
    unknown = sorted(wanted - set(SCOPES))
    if unknown:
        raise BadScopes(f"unknown scope(s) {', '.join(unknown)}: use {', '.join(SCOPES)}")
    if not wanted:
        raise BadScopes(f"at least one scope is needed: {', '.join(SCOPES)}")
    return tuple(s for s in SCOPES if s in wanted)


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The API key a request carries, in any accepted form, or None."""
    key = headers.get("X-API-Key")
    if key:
        return key.strip() or None
    auth = headers.get("Authorization", "").strip()
    scheme, _, value = auth.partition(" ")
    scheme = scheme.lower()
    if scheme in ("bearer", "api_key", "api-key", "token") and value.strip():
        return value.strip()
    if scheme == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user = decoded.partition(":")[0]
        # Only one of our keys: a proxy's own Basic login in front of the server is not a key.
        return user if user.startswith(PREFIX) else None
    return None
