"""Potato's session API (seed 003): current instance, content, annotations, navigation."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Blueprint, jsonify, redirect, request, url_for

from ..ai.service import service as ai_service
from ..errors import BadRequest, Conflict, NotAssigned, NotFound
from ..quality import pre_annotation, promotion
from ..quality.checks import CheckItem
from ..schemes.base import public_fields
from ..spans.updates import iter_entries, label_maps_only, span_keys
from ..store.assignments import Position
from ..store.study import FlowState
from ..submission import compute_for, parse_update
from ..webhooks import events as webhook_events
from .page_schemes import option_orders
from .security import (
    SessionUser,
    current_project,
    login_required_json,
    require_user,
    session_started_at,
)

bp = Blueprint("api", __name__)
log = logging.getLogger("potato_like")


def position_json(pos: Position, check: CheckItem | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "instance_id": check.id if check else pos.item_id,
        "current_index": pos.index,
        "total_instances": pos.total,
    }
    if pos.finished and check is None:
        out["finished"] = True
    return out


def flow_state(user: SessionUser) -> FlowState | None:
    """For projects with phases or quality control: the user's state, refusing users who are
    not annotating (another phase, blocked, finished). None for plain projects."""
    project = current_project()
    if not project.config.study.has_flow:
        return None
    return project.flow.require_annotation(user.user_id)


def pending_check(user: SessionUser) -> CheckItem | None:
    """The quality-control item the user must answer before going on, if any."""
    state = flow_state(user)
    if state is None or not state.pending:
        return None
    return current_project().checks.pending_item(user.user_id, state)


def visible_item(user: SessionUser, instance_id: str):
    """An item the user may read: one in their own list, or their pending check (admins:
    any item)."""
    project = current_project()
    item = project.store.items.by_id(instance_id)
    if item is not None and (
        user.is_admin or project.store.assignments.status_of(user.user_id, item.seq)
    ):
        return item
    if project.config.study.qc_enabled:
        check = pending_check(user)
        if check is not None and check.id == instance_id:
            return check
    if item is None:
        raise NotFound(f"instance {instance_id!r} does not exist")
    raise NotAssigned(instance_id)


def _success(started: float, done_count: int) -> dict[str, Any]:
    return {
        "status": "success",
        "processing_time_ms": round((time.perf_counter() - started) * 1000, 2),
        "performance_metrics": {
            "total_annotations": done_count,
            "session_duration": round(time.time() - session_started_at()),
        },
    }


def save_annotations(user: SessionUser, body: Any) -> dict[str, Any]:
    """Validate and store one /updateinstance body; the seed's success response (with
    quality-control feedback when the item was a check)."""
    started = time.perf_counter()
    project = current_project()
    update = parse_update(body, project.config)
    state = flow_state(user)
    if state is not None and state.pending and update.instance_id == state.pending.get("id"):
        done = project.store.users.get(user.user_id).done_count
        if not update.submit:  # autosave of a check: nothing to keep until it is submitted
            return {**_success(started, done), "instance_status": "in_progress"}
        outcome = project.checks.answer(user.user_id, state, update)
        return {**_success(started, done), "instance_status": "completed", **outcome}
    item = project.store.items.by_id(update.instance_id)
    if item is None:
        if state is not None and project.checks.is_check_item(update.instance_id):
            # Typically the same check answered in another tab a moment ago.
            raise Conflict(
                f"check {update.instance_id!r} is not waiting for an answer (already answered?); "
                "go on to the next item"
            )
        raise NotFound(f"instance {update.instance_id!r} does not exist")
    invalid: dict[str, str] = {}
    compute = pre_annotation.locked(
        project.config,
        item.fields,
        compute_for(
            update,
            project.config,
            item.text,
            invalid=invalid,
            fields=item.fields,
            annotator=user.username,
        ),
    )
    orders = option_orders(project.config, item.fields, user.username, item.id)
    base_version = body.get("base_version") if isinstance(body, dict) else None
    if base_version is not None and not isinstance(base_version, str):
        raise BadRequest("'base_version' must be a string (the 'version' of the last save)")
    hook = None
    if project.config.webhooks is not None:  # nothing at all on the save path otherwise
        hook = webhook_events.save_hook(project, user.username, item.id)
    result = project.store.annotations.apply(
        user.user_id,
        item.seq,
        item.id,
        project.policy,
        compute,
        note={"option_order": orders} if orders else None,
        base_version=base_version,
        in_transaction=hook,
    )
    # Committed: the answer is stored, so the reply is "success" whatever happens next. A
    # failing follow-up step (output file mark, quality checks, promotion) is logged, not
    # turned into an error that would make the client believe the answer was lost.
    try:
        project.output.mark_dirty(user.user_id, item.seq)
        ai = ai_service(project)
        if ai is not None:  # a shown suggestion saved as is: accepted; otherwise overridden
            ai.settle(user.user_id, item.seq, result.saved)
        if result.completed:
            if state is not None:
                project.checks.after_completion(user.user_id, result.user_done_count)
            promotion.check_item(project, item.seq)
    except Exception:
        log.exception(
            "answer of user %s on %r is stored, but a step after the save failed",
            user.user_id,
            item.id,
        )
    out = {
        **_success(started, result.user_done_count),
        "instance_status": "completed" if result.status == "done" else "in_progress",
        "version": result.version,
    }
    if update.warnings:
        out["warnings"] = list(update.warnings)
    if invalid:
        # A partial draft: the other schemes were saved; these were not.
        out["invalid"] = [{"schema": name, "error": why} for name, why in invalid.items()]
    return out


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


def navigate_or_hold(
    user: SessionUser, data: Any, *, form_index: bool
) -> tuple[Position, CheckItem | None]:
    """Navigate, unless a quality-control check is pending: then the user stays where they
    are and is shown the check until they answer it."""
    check_navigation(data)
    check = pending_check(user)
    if check is not None:
        project = current_project()
        return project.store.assignments.current(user.user_id, project.policy), check
    pos = navigate(user, data, form_index=form_index)
    announce_if_finished(user, pos)
    return pos, None


def announce_if_finished(user: SessionUser, pos: Position) -> None:
    """Potato's task.completed webhook, once per user, when they have no item left."""
    project = current_project()
    if project.config.webhooks is None or not pos.finished:
        return
    done = project.store.users.get(user.user_id).done_count
    webhook_events.user_finished(project, user.user_id, user.username, done)


def refuse_unanswered_requirements(user: SessionUser) -> None:
    """Potato's POST /annotate answers a JSON "next" from an item whose required questions
    are unanswered with 400 `validation_error`; so does ours (forms move as before, and
    /go_to, where our page's Skip goes, is not checked, as in Potato)."""
    project = current_project()
    pos = project.store.assignments.current(user.user_id, project.policy)
    if pos.finished:
        return
    maps = project.store.annotations.maps_for(pos.item_seq, user.user_id)
    unmet = [s for s in project.config.schemes if s.missing_requirement(maps.get(s.name))]
    if unmet:
        names = [s.name for s in unmet]
        raise BadRequest(
            f"Required annotation(s) not completed: {', '.join(names)}",
            status="validation_error",
            unsatisfied_schemas=names,
            instance_id=pos.item_id,
        )


@bp.get("/api/current_instance")
@login_required_json
def current_instance():
    user = require_user()
    project = current_project()
    project.sweep_expired_leases()
    project.poll_data_directory()
    check = pending_check(user)
    pos = project.store.assignments.current(user.user_id, project.policy)
    if check is None:
        announce_if_finished(user, pos)
    out = position_json(pos, check)
    props = project.config.item_properties
    if check is not None:
        # Only what the page shows: a check's row may hold its expected answer.
        out["data"] = {props.id_key: check.id, props.text_key: check.text}
    elif not pos.finished:
        item = project.store.items.by_seq(pos.item_seq)  # Potato's `data`: the item's row
        fields = public_fields(project.config.schemes, item.fields)  # no answer keys
        out["data"] = {**fields, props.text_key: item.text}
    return jsonify(out)


@bp.get("/get_annotations")
@login_required_json
def get_annotations():
    user = require_user()
    instance_id = request.args.get("instance_id", "").strip()
    if not instance_id:
        raise BadRequest("the query parameter 'instance_id' is required")
    item = visible_item(user, instance_id)
    if isinstance(item, CheckItem):  # a check's answer is not kept as an annotation
        return jsonify(label_annotations={}, span_annotations={})
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
    """POST moves (JSON or Potato's form field). GET only shows the current page: a link or
    an <img> on another site must not move anyone or lease items for them."""
    if request.method == "GET":
        return redirect(url_for("annotate.annotate_page"))
    user = require_user()
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object")
        pos, check = navigate_or_hold(user, data, form_index=False)
        return jsonify(status="success", **position_json(pos, check))
    navigate_or_hold(user, request.form, form_index=True)
    return redirect(url_for("annotate.annotate_page"))


@bp.get("/api/schemas")
def schemas():
    return jsonify({s.name: s.describe() for s in current_project().config.schemes})


@bp.get("/health")
def health():
    current_project().store.ping()
    return jsonify(status="healthy")
