"""Potato's webhook admin API: `GET /admin/api/webhooks` (endpoints, delivery counts) and
`POST /admin/api/webhooks/test` (a `webhook.test` event to every endpoint that subscribed
to it or to "*"); plus the project's deliveries and a re-send (our additions)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, NotFound
from ..webhooks import events, outbox
from .security import admin_required, current_project

bp = Blueprint("admin_webhooks", __name__)
PAGE = 50


@bp.get("/admin/api/webhooks")
@admin_required
def webhooks():
    project = current_project()
    hooks = project.config.webhooks
    if hooks is None:
        return jsonify({"enabled": False, "endpoints": [], "stats": {}})
    counts = project.store.outbox.counts()
    stats = {
        "endpoints": len(hooks.listed),
        "active_endpoints": len(hooks.endpoints),
        "total_emitted": sum(counts.values()),
        "total_dropped": counts["failed"] + counts["undeliverable"],
        "pending_retries": project.store.outbox.retrying(),
        **{f"deliveries_{status}": n for status, n in counts.items()},
    }
    body = {"enabled": True, "endpoints": list(hooks.listed), "stats": stats}
    if outbox.settings_of(project.store).secret is None:
        # A single-project server: its own secret signs endpoints without one. (In a
        # workspace the secret is the workspace's, shown on its dashboard only.)
        body["signing_secret"] = outbox.secret(project.store)
    return jsonify(body)


@bp.post("/admin/api/webhooks/test")
@admin_required
def webhooks_test():
    project = current_project()
    if project.config.webhooks is None:
        raise BadRequest("Webhooks not enabled")
    data = {"message": "Test webhook from potato_like admin"}
    count = events.emit(project, events.TEST, data)
    return jsonify({"status": "sent", "endpoints_matched": count})


@bp.get("/admin/api/webhooks/deliveries")
@admin_required
def deliveries():
    """The project's deliveries, newest first (`?status=`, `?offset=`; 50 a page)."""
    status = request.args.get("status") or None
    if status is not None and status not in ("pending", "delivered", "failed", "undeliverable"):
        raise BadRequest("status must be pending, delivered, failed or undeliverable")
    offset = request.args.get("offset", "0")
    if not offset.isdigit():
        raise BadRequest("offset must be a whole number")
    rows = current_project().store.outbox.recent(PAGE, int(offset), status)
    return jsonify({"deliveries": [public(r) for r in rows], "offset": int(offset)})


@bp.post("/admin/api/webhooks/deliveries/<delivery_id>/resend")
@admin_required
def resend(delivery_id: str):
    if not outbox.resend(current_project().store, delivery_id):
        raise NotFound(f"no delivery {delivery_id!r}")
    return jsonify({"status": "queued", "id": delivery_id})


def public(row: dict) -> dict:
    """A delivery as the API shows it (the extra headers' values are not shown: they may
    carry a receiver's token)."""
    return {
        "id": row["id"],
        "event": row["event"],
        "target": row["target"],
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": row["created_at"],
        "last_attempt_at": row["last_attempt_at"],
        "next_attempt_at": row["next_attempt_at"],
        "last_status_code": row["last_status_code"],
        "last_error": row["last_error"],
        "delivered_at": row["delivered_at"],
        "header_names": sorted(row["headers"]),
    }
