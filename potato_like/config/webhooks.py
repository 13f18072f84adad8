"""`webhooks:` Potato's outgoing webhooks (enabled, endpoints[] with name, url, secret,
events, active, timeout_seconds). Read into `ProjectConfig.webhooks`: None when absent,
`enabled: false` or without an active endpoint, so the save path does nothing at all then.
Deliveries go through the project's webhook outbox (webhooks/outbox.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .reader import ConfigReader, hint

WEBHOOK_KEYS = ("enabled", "endpoints")
ENDPOINT_KEYS = ("name", "url", "secret", "events", "active", "timeout_seconds")
EVENTS = (
    "annotation.created",
    "annotation.updated",
    "item.fully_annotated",
    "task.completed",
    "user.phase_completed",
    "quality.attention_check_failed",
    "webhook.test",
)
ALL = "*"


@dataclass(frozen=True)
class WebhookEndpoint:
    name: str
    url: str
    secret: str = ""  # Potato's per-endpoint HMAC secret ("": the project's whsec_ secret)
    events: tuple[str, ...] = ()
    timeout_seconds: float = 10.0

    def wants(self, event: str) -> bool:
        return ALL in self.events or event in self.events


@dataclass(frozen=True)
class WebhooksConfig:
    endpoints: tuple[WebhookEndpoint, ...]  # the active ones
    listed: tuple[dict, ...] = ()  # every endpoint as configured (GET /admin/api/webhooks)

    def wants(self, event: str) -> bool:
        return any(e.wants(event) for e in self.endpoints)

    def for_event(self, event: str) -> list[WebhookEndpoint]:
        return [e for e in self.endpoints if e.wants(event)]

    @property
    def timeout(self) -> float:
        return max(e.timeout_seconds for e in self.endpoints)


def read_webhooks(r: ConfigReader) -> WebhooksConfig | None:
    sub = r.child("webhooks")
    if not sub.raw:
        return None
    sub.warn_unknown(WEBHOOK_KEYS)
    enabled = sub.bool("enabled", False)
    active: list[WebhookEndpoint] = []
    listed: list[dict] = []
    names: set[str] = set()
    for _, entry in sub.entries("endpoints"):
        entry.warn_unknown(ENDPOINT_KEYS)
        name = entry.str("name", "unnamed")
        url = entry.str("url", None)
        if url is None:
            entry.warn("url", "missing: this endpoint is skipped (as Potato does)")
            continue
        if not re.match(r"^https?://[^\s/?#]+", url, re.IGNORECASE):
            entry.problem("url", f"{url!r} is not an http(s) URL")
            continue
        if name in names:
            entry.problem("name", f"{name!r} names two endpoints; give each its own name")
        names.add(name)
        events = tuple(entry.string_list("events"))
        for j, event in enumerate(events):
            if event != ALL and event not in EVENTS:
                entry.warn(
                    f"events[{j}]",
                    f"{event!r} is not an event this server sends{hint(event, EVENTS)}",
                )
        secret = entry.str("secret", "", allow_empty=True)
        timeout = float(entry.number("timeout_seconds", 10, minimum=1, maximum=60))
        is_active = entry.bool("active", True)
        listed.append(
            {
                "name": name,
                "url": url,
                "events": list(events),
                "active": is_active,
                "timeout_seconds": timeout,
                "has_secret": bool(secret),
            }
        )
        if is_active:
            active.append(WebhookEndpoint(name, url, secret, events, timeout))
    if not enabled or not active:
        return None
    return WebhooksConfig(tuple(active), tuple(listed))
