"""Standard Webhooks signatures (https://www.standardwebhooks.com): the receiver checks
`webhook-signature` = "v1," + base64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")), where
the key is the base64-decoded text after `whsec_` (a plain-text secret, as a Potato endpoint's
`secret:`, is used as its UTF-8 bytes, which is what Potato's receivers verify with)."""

from __future__ import annotations

import base64
import hashlib
import hmac

PREFIX = "whsec_"
TOLERANCE_SECONDS = 5 * 60


class BadSignature(ValueError):
    pass


def secret_bytes(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def key_of(secret: str) -> bytes:
    """The HMAC key of a secret: a `whsec_` secret is base64 (Standard Webhooks); any
    other text is used as its UTF-8 bytes, as Potato does with an endpoint's `secret`."""
    return secret_bytes(secret) if secret.startswith(PREFIX) else secret.encode("utf-8")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one attempt."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key_of(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(secret: str, received: dict[str, str], body: bytes, now: float) -> None:
    """What a receiver does (tests use it): raise BadSignature unless one of the space
    separated signatures matches and the timestamp is within five minutes of `now`."""
    lower = {k.lower(): v for k, v in received.items()}
    msg_id = lower.get("webhook-id")
    stamp = lower.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit():
        raise BadSignature("missing webhook-id or webhook-timestamp")
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        raise BadSignature("timestamp too far from now")
    expected = sign(secret, msg_id, int(stamp), body)
    for candidate in lower.get("webhook-signature", "").split():
        if hmac.compare_digest(candidate, expected):
            return
    raise BadSignature("no matching signature")
