"""The workspace dashboard's webhook page (`/webhooks`): the signing secret receivers verify
with, every delivery of the workspace and of its projects' `webhooks:` (status, attempts,
last error), and a re-send button on each."""

from __future__ import annotations

import datetime

from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import BadRequest, NotFound
from ..web.api_v1.common import service
from ..webhooks import outbox
from .views import _require_admin, _signed_in

bp = Blueprint("workspace_webhooks", __name__)
PAGE = 50
STATUSES = ("pending", "delivered", "failed", "undeliverable")
WORKSPACE = "workspace"  # the source name of the workspace's own deliveries


def _sources() -> dict[str, object]:
    """Stores holding deliveries, by source name (the workspace, then projects by slug)."""
    workspace = service()
    found: dict[str, object] = {WORKSPACE: workspace.store}
    for slug, project in sorted(workspace.projects().items()):
        if project.config.webhooks is not None:
            found[slug] = project.store
    return found


def _when(ts: float | None) -> str:
    if ts is None:
        return ""
    moment = datetime.datetime.fromtimestamp(ts, datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


@bp.get("/webhooks")
def page():
    if not _signed_in():
        return redirect(url_for("workspace.home"))
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    number = request.args.get("page", "1")
    number = int(number) if number.isdigit() and int(number) > 0 else 1
    sources = _sources()
    counts = dict.fromkeys(STATUSES, 0)
    rows = []
    for name, store in sources.items():
        for key, n in store.outbox.counts().items():
            counts[key] = counts.get(key, 0) + n
        for row in store.outbox.recent(PAGE * number, 0, status):
            rows.append({**row, "source": name})
    rows.sort(key=lambda r: (r["created_at"], r["id"]), reverse=True)
    shown = rows[PAGE * (number - 1) : PAGE * number]
    for row in shown:
        row["created"] = _when(row["created_at"])
        row["last_attempt"] = _when(row["last_attempt_at"])
        row["next_attempt"] = _when(row["next_attempt_at"])
    return render_template(
        "workspace/webhooks.html",
        secret=outbox.secret(service().store),
        counts=counts,
        rows=shown,
        status=status,
        statuses=STATUSES,
        page=number,
        more=len(rows) > PAGE * number,
        message=request.args.get("message", ""),
    )


@bp.post("/webhooks/resend")
def resend():
    _require_admin()
    source = request.form.get("source", "")
    delivery_id = request.form.get("id", "")
    store = _sources().get(source)
    if store is None:
        raise NotFound(f"no deliveries of {source!r}")
    if not outbox.resend(store, delivery_id):
        raise NotFound(f"no delivery {delivery_id!r}")
    return redirect(url_for("workspace_webhooks.page", message=f"{delivery_id} queued again."))
