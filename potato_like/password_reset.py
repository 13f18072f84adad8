"""Password reset: links an admin (or `run.py reset-password`) issues for one account, and
setting a password directly. Shared by the web routes and the command line.

A link carries a random token; the store keeps only its SHA-256. A link works once, for
`password_reset_hours`, and ends early when a newer link is issued for the same account or
the password is set another way. Using it sets the password (checked by passwords.py), ends
the account's other links and every session of the account, all in one transaction.

Staff (reserved) names: the web API refuses links for them, so an admin session or key
cannot mint a login to another staff account that could leak through chat or e-mail; the
command line (shell access to the project) can do both, and an admin can still set a staff
password directly. A reset never creates an account and never changes what kind of account
it is."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .accounts import STAFF_KIND, is_reserved
from .errors import Forbidden, NotFound, PotatoLikeError
from .password_hashing import hash_password
from .passwords import check_new_password
from .store.password_resets import ResetDone, ResetLink

if TYPE_CHECKING:
    from .config.model import ProjectConfig
    from .store import Store

TOKEN_BYTES = 32
RESET_PATH = "/reset/"
# token_urlsafe(32) gives 43 characters; anything else cannot be one of ours.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class ResetLinkUnusable(PotatoLikeError):
    """A reset link that cannot be used; the message never names the account."""

    status = 400


def unknown_link() -> ResetLinkUnusable:
    return ResetLinkUnusable(
        "This password reset link is not valid. Check that you copied all of it, or ask "
        "the project's admin for a new one."
    )


def expired_link() -> ResetLinkUnusable:
    err = ResetLinkUnusable(
        "This password reset link has expired. Ask the project's admin for a new one."
    )
    err.status = 410
    return err


def ended_link() -> ResetLinkUnusable:
    err = ResetLinkUnusable(
        "This password reset link was already used, or a newer link replaced it. Ask the "
        "project's admin for a new one if you still need it."
    )
    err.status = 410
    return err


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    username: str
    token: str
    expires_at: float
    hours: float

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}{RESET_PATH}{self.token}"


def issue_link(
    store: Store,
    config: ProjectConfig,
    username: str,
    *,
    hours: float | None = None,
    allow_staff: bool = False,
    now: float | None = None,
) -> IssuedLink:
    """A new link for an existing account (NotFound otherwise: a reset never creates one);
    the account's earlier links end."""
    row = store.users.by_name(username)
    if row is None:
        raise NotFound(f"no user {username!r}")
    if not allow_staff and is_reserved(config, username):
        raise Forbidden(
            f"{username!r} is a staff name: reset links are not issued for staff accounts "
            "over the web; use `python run.py reset-password CONFIG USERNAME` or "
            f"POST /admin/api/user/{username}/password"
        )
    hours = config.password_reset_hours if hours is None else hours
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + hours * 3600
    store.password_resets.issue(row.id, token_hash(token), now, expires_at)
    return IssuedLink(username=row.username, token=token, expires_at=expires_at, hours=hours)


def usable_link(store: Store, token: str, now: float | None = None) -> ResetLink:
    """The open, unexpired link `token` names; ResetLinkUnusable (400 unknown, 410 expired
    or ended) otherwise."""
    if not isinstance(token, str) or not _TOKEN_SHAPE.match(token):
        raise unknown_link()
    wanted = token_hash(token)
    link = store.password_resets.find(wanted)
    # The lookup key is a hash of the token, so its timing says nothing about the token;
    # the comparison itself is constant-time as well.
    if link is None or not hmac.compare_digest(link.token_hash, wanted):
        raise unknown_link()
    if link.ended_at is not None:
        raise ended_link()
    if link.expires_at <= (time.time() if now is None else now):
        raise expired_link()
    return link


def link_username(store: Store, link: ResetLink) -> str:
    row = store.users.get(link.user_id)
    if row is None:  # deleted between the two reads (rows cascade with their user)
        raise unknown_link()
    return row.username


def reset_with_link(
    store: Store, token: str, new_password: str, now: float | None = None
) -> ResetDone:
    """Set the password of the link's account (BadRequest when passwords.py refuses it;
    the link then stays usable); the link, the account's other links and sessions end."""
    now = time.time() if now is None else now
    link = usable_link(store, token, now)
    check_new_password(new_password, link_username(store, link))
    done = store.password_resets.complete(link.token_hash, hash_password(new_password), now)
    if done is None:  # another request used it between the check and now
        raise ended_link()
    return done


def set_password(store: Store, config: ProjectConfig, username: str, new_password: str) -> int:
    """Set an existing account's password directly (admin API, command line): every session
    and open reset link of the account ends; how many sessions ended."""
    row = store.users.by_name(username)
    if row is None:
        raise NotFound(f"no user {username!r}")
    check_new_password(new_password, username)
    kind = STAFF_KIND if is_reserved(config, username) else row.login_kind
    store.users.set_password(row.id, hash_password(new_password), kind)
    store.password_resets.end_for_user(row.id, time.time())
    return store.login_sessions.revoke_user(row.id)
