"""The webhook outbox: `enqueue` writes a delivery row (in the caller's transaction when a
connection is given), `deliver_due` sends the rows that are due once. A background thread
(worker.py) calls `deliver_due` every few seconds; tests call it directly.

- An HTTP(S) target gets a POST of the JSON payload with the row's extra headers, signed the
  Standard Webhooks way (`webhook-id` = the delivery id, the same on every retry;
  `webhook-timestamp` and `webhook-signature` made per attempt) with the store's secret.
  It goes through `net.safe_fetch.post`: public addresses only unless the host is in the
  settings' allow-list; redirects are not followed; a time limit per attempt.
- An e-mail target (a seed-002 callback address) goes out by SMTP when configured, else the
  row is marked `undeliverable` and a warning is logged.
- Any 2xx answer is success. Anything else is retried with exponential backoff
  (10 s, 30 s, 90 s, ... at most 2 h apart) until 24 h after it was queued, then `failed`.
  A target refused by the address check fails at once (retrying cannot make it public).
- `resend` queues any delivery again with a fresh 24 h window (the dashboard's button).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import smtplib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

from sqlalchemy import Connection

from ..errors import BadRequest
from ..net.safe_fetch import FetchError, FetchPolicy, FetchRefused, post
from . import signing

log = logging.getLogger("potato_like")

MAX_AGE_SECONDS = 24 * 3600.0
FIRST_RETRY_SECONDS = 10.0
BACKOFF_FACTOR = 3.0
MAX_RETRY_GAP_SECONDS = 2 * 3600.0
BATCH = 50
EMAIL = re.compile(r"^[^@\s/:<>,;\"]+@[^@\s/:<>,;\"]+\.[^@\s/:<>,;\"]+$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    sender: str = "potato_like@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout: float = 10.0


@dataclass(frozen=True)
class DeliverySettings:
    allow_hosts: tuple[str, ...] = ()  # allow_fetch_hosts: may be loopback/private
    timeout: float = 10.0  # seconds per attempt
    smtp: SmtpSettings | None = None
    secret: str | None = None  # sign with this instead of the store's own (a workspace's)
    # Named secrets a delivery may ask for (`secret_ref`): Potato endpoints' own secrets.
    named_secrets: Mapping[str, str] = field(default_factory=dict)


def configure(store, settings: DeliverySettings) -> None:
    """Set how `store`'s deliveries go out (whoever opens the store calls this)."""
    store.outbox.settings = settings


def settings_of(store) -> DeliverySettings:
    return store.outbox.settings or DeliverySettings()


def secret(store) -> str:
    """The secret receivers verify signatures with (`whsec_...`)."""
    return settings_of(store).secret or store.outbox.secret()


def is_email(target: str) -> bool:
    return bool(EMAIL.match(target))


def target_problem(target: object) -> str | None:
    """Why `target` cannot receive deliveries, or None (an http(s) URL or an e-mail)."""
    if not isinstance(target, str) or not target or len(target) > 2000:
        return "a webhook target must be an http(s) URL or an e-mail address"
    if is_email(target):
        return None
    if not re.match(r"^https?://[^\s/?#]+", target, re.IGNORECASE) or any(
        ord(c) < 33 for c in target
    ):
        return f"{target!r} is neither an http(s) URL nor an e-mail address"
    return None


def headers_problem(headers: object) -> str | None:
    """Why `headers` cannot be sent with a delivery, or None."""
    if headers is None:
        return None
    if not isinstance(headers, dict):
        return "webhook headers must be an object of header names to string values"
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            return f"{name!r} is not a valid header name"
        if not isinstance(value, str) or any(c in value for c in "\r\n\0") or len(value) > 4000:
            return f"header {name}: the value must be a string on one line"
    return None


def enqueue(
    store,
    *,
    url: str,
    event: str,
    payload: dict,
    headers: dict | None = None,
    conn: Connection | None = None,
    now: float | None = None,
    secret_ref: str | None = None,
) -> str:
    """Queue one delivery of `payload` (sent as JSON) to `url` (an http(s) URL or an e-mail
    address) and return its id. With `conn`, the row is written in that open transaction
    (it commits or rolls back with the caller's change); otherwise in a transaction of its
    own. `secret_ref` names a secret of the delivery settings to sign with instead of the
    store's. BadRequest for a target or headers that can never be delivered."""
    problem = target_problem(url) or headers_problem(headers)
    if problem:
        raise BadRequest(problem)
    now = time.time() if now is None else now
    delivery_id = "msg_" + secrets.token_hex(12)
    row = {
        "id": delivery_id,
        "event": str(event)[:100],
        "target": url,
        "payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        "headers": json.dumps(headers or {}),
        "secret_ref": secret_ref,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
        "retry_until": now + MAX_AGE_SECONDS,
    }
    if conn is not None:
        store.outbox.insert(conn, row)
    else:
        with store.write() as own:
            store.outbox.insert(own, row)
    return delivery_id


def deliver_due(store, *, now: float | None = None) -> int:
    """Attempt every delivery that is due once; the number attempted."""
    now = time.time() if now is None else now
    settings = settings_of(store)
    attempted = 0
    for row in store.outbox.due(now, BATCH):
        # Held for the attempt's length (and a margin): a process that dies mid-attempt
        # leaves the row to be tried again after that.
        hold = now + settings.timeout + 60.0
        if not store.outbox.claim(row["id"], row["next_attempt_at"], hold):
            continue  # another process took it
        _attempt(store, row, settings, now)
        attempted += 1
    return attempted


def resend(store, delivery_id: str, *, now: float | None = None) -> bool:
    """Queue a delivery again now, with a fresh 24 h retry window; False if unknown."""
    now = time.time() if now is None else now
    return store.outbox.resend(delivery_id, now, now + MAX_AGE_SECONDS)


def retry_delay(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt."""
    gap = FIRST_RETRY_SECONDS * BACKOFF_FACTOR ** max(attempts - 1, 0)
    return min(gap, MAX_RETRY_GAP_SECONDS)


# -- one attempt ---------------------------------------------------------------------------
def _attempt(store, row: dict, settings: DeliverySettings, now: float) -> None:
    attempts = row["attempts"] + 1
    target = row["target"]
    send = _send_email if is_email(target) else _post
    status, code, error = send(store, row, settings, now)
    values = {
        "attempts": attempts,
        "last_attempt_at": now,
        "last_status_code": code,
        "last_error": error,
    }
    if status == "delivered":
        values.update(status="delivered", delivered_at=now, next_attempt_at=None)
    elif status == "retry" and now + retry_delay(attempts) <= row["retry_until"]:
        values.update(status="pending", next_attempt_at=now + retry_delay(attempts))
    else:
        final = "undeliverable" if status == "undeliverable" else "failed"
        values.update(status=final, next_attempt_at=None)
        log.warning("webhook %s to %s %s: %s", row["id"], target, final, error)
    store.outbox.record(row["id"], **values)


def _post(store, row: dict, settings: DeliverySettings, now: float):
    body = row["payload"].encode("utf-8")
    sent = dict(row["headers"])
    sent["Content-Type"] = "application/json"
    key = settings.named_secrets.get(row["secret_ref"] or "") or secret(store)
    sent.update(signing.headers(key, row["id"], int(now), body))
    policy = FetchPolicy(allow_hosts=settings.allow_hosts, timeout=settings.timeout)
    try:
        answer = post(row["target"], body, policy, sent)
    except FetchRefused as e:
        return "refused", None, str(e)
    except FetchError as e:
        return "retry", None, str(e)
    if 200 <= answer.status < 300:
        return "delivered", answer.status, None
    text = answer.body[:300].decode("utf-8", "replace").strip()
    return "retry", answer.status, f"HTTP {answer.status}" + (f": {text}" if text else "")


def _send_email(store, row: dict, settings: DeliverySettings, now: float):
    smtp = settings.smtp
    if smtp is None:
        return "undeliverable", None, "no SMTP server is configured: the e-mail was not sent"
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = row["target"]
    message["Subject"] = f"[potato_like] {row['event']}"
    message["Message-ID"] = f"<{row['id']}@potato_like>"
    message.set_content(json.dumps(json.loads(row["payload"]), indent=2, ensure_ascii=False))
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as client:
            if smtp.starttls:
                client.starttls()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as e:
        return "refused", None, f"the SMTP server refused the address: {e}"
    except (smtplib.SMTPException, OSError) as e:
        return "retry", None, f"SMTP: {e or type(e).__name__}"
    return "delivered", None, None
