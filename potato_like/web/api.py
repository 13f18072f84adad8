"""Potato's session API (seed 003): current instance, content, annotations, navigation."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, jsonify, redirect, request, url_for

from ..errors import BadRequest, NotAssigned, NotFound
from ..spans.updates import iter_entries, label_maps_only, span_keys
from ..store.assignments import Position
from ..submission import compute_for, parse_update
from .security import (
    SessionUser,
    current_project,
    login_required_json,
    require_user,
    session_started_at,
)

bp = Blueprint("api", __name__)


def position_json(pos: Position) -> dict[str, Any]:
    out: dict[str, Any] = {
        "instance_id": pos.item_id,
        "current_index": pos.index,
        "total_instances": pos.total,
    }
    if pos.finished:
        out["finished"] = True
    return out


def visible_item(user: SessionUser, instance_id: str):
    """An item the user may read: one in their own list (admins: any)."""
    project = current_project()
    item = project.store.items.by_id(instance_id)
    if item is None:
        raise NotFound(f"instance {instance_id!r} does not exist")
    if not user.is_admin and not project.store.assignments.status_of(user.user_id, item.seq):
        raise NotAssigned(instance_id)
    return item


def save_annotations(user: SessionUser, body: Any) -> dict[str, Any]:
    """Validate and store one /updateinstance body; the seed's success response."""
    started = time.perf_counter()
    project = current_project()
    update = parse_update(body, project.config)
    item = project.store.items.by_id(update.instance_id)
    if item is None:
        raise NotFound(f"instance {update.instance_id!r} does not exist")
    result = project.store.annotations.apply(
        user.user_id,
        item.seq,
        item.id,
        project.policy,
        compute_for(update, project.config, item.text),
    )
    project.output.mark_dirty(user.user_id)
    return {
        "status": "success",
        "processing_time_ms": round((time.perf_counter() - started) * 1000, 2),
        "performance_metrics": {
            "total_annotations": result.user_done_count,
            "session_duration": round(time.time() - session_started_at()),
        },
        "instance_status": "completed" if result.status == "done" else "in_progress",
    }


NAV_ACTIONS = ("next_instance", "prev_instance", "go_to", "init", "home", None)


def check_navigation(data: Any) -> None:
    """Refuse a bad navigation request before anything is saved."""
    action = data.get("action") if hasattr(data, "get") else None
    if action not in NAV_ACTIONS:
        raise BadRequest(f"unknown action {action!r}; use next_instance, prev_instance or go_to")
    target = data.get("go_to") if hasattr(data, "get") else None
    if action in ("go_to", None) and target in (None, ""):
        raise BadRequest("give 'action' (next_instance or prev_instance) or 'go_to'")


def navigate(user: SessionUser, data: Any, *, form_index: bool) -> Position:
    """Move by `action` (next_instance / prev_instance) or `go_to` (an item id or an index).
    A form post's `go_to` is Potato's index; a JSON string names an item id when one exists."""
    project = current_project()
    moves = project.store.assignments
    action = data.get("action") if hasattr(data, "get") else None
    target = data.get("go_to") if hasattr(data, "get") else None
    if action in ("next_instance", "prev_instance"):
        return moves.move(user.user_id, project.policy, action=action)
    if action not in (None, "go_to", "init", "home"):
        raise BadRequest(f"unknown action {action!r}; use next_instance, prev_instance or go_to")
    if target is None or target == "":
        if action in ("init", "home"):
            return moves.current(user.user_id, project.policy)
        raise BadRequest("give 'action' (next_instance or prev_instance) or 'go_to'")
    if isinstance(target, bool) or not isinstance(target, (str, int)):
        raise BadRequest("'go_to' must be an instance id or an index")
    if isinstance(target, int):
        return moves.move(user.user_id, project.policy, index=target)
    text = target.strip()
    is_index = text.isdigit()
    if is_index and (form_index or project.store.items.by_id(text) is None):
        return moves.move(user.user_id, project.policy, index=int(text))
    return moves.move(user.user_id, project.policy, item_id=text)


@bp.get("/api/current_instance")
@login_required_json
def current_instance():
    user = require_user()
    project = current_project()
    project.sweep_expired_leases()
    return jsonify(position_json(project.store.assignments.current(user.user_id, project.policy)))


@bp.get("/get_annotations")
@login_required_json
def get_annotations():
    user = require_user()
    instance_id = request.args.get("instance_id", "").strip()
    if not instance_id:
        raise BadRequest("the query parameter 'instance_id' is required")
    item = visible_item(user, instance_id)
    config = current_project().config
    maps = current_project().store.annotations.maps_for(item.seq, user.user_id)
    return jsonify(
        label_annotations=label_maps_only(config, maps),
        span_annotations=span_keys(config, maps),
        link_annotations=[dict(e, schema=s.name) for s, e in iter_entries(config, maps, "links")],
        event_annotations=[dict(e, schema=s.name) for s, e in iter_entries(config, maps, "events")],
    )


@bp.post("/updateinstance")
@login_required_json
def update_instance():
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest("the body must be JSON (Content-Type: application/json)")
    return jsonify(save_annotations(require_user(), body))


@bp.route("/go_to", methods=["GET", "POST"])
@login_required_json
def go_to():
    user = require_user()
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        pos = navigate(user, data, form_index=False)
        return jsonify(status="success", **position_json(pos))
    navigate(user, request.form if request.method == "POST" else request.args, form_index=True)
    return redirect(url_for("annotate.annotate_page"))


@bp.get("/api/schemas")
def schemas():
    return jsonify({s.name: s.describe() for s in current_project().config.schemes})


@bp.get("/health")
def health():
    current_project().store.ping()
    return jsonify(status="healthy")
