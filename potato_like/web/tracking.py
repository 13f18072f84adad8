"""Behavioural tracking (seed 003 "Behavioral Tracking API"): the annotation page reports
interactions, AI usage and label changes; annotators read their own data back; admins read
per-annotator analytics.

`POST /api/track_interactions` checks its own CSRF token (security.SELF_CSRF_ENDPOINTS): the
page sends its last batch with navigator.sendBeacon, which cannot set headers, so a browser
may put the token in the JSON body's `csrf_token` field instead of the X-CSRFToken header.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from typing import Any

from flask import Blueprint, jsonify, request
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from ..errors import BadRequest, Forbidden, NotAssigned, NotFound
from ..store.behavior import AI_USAGE, ANNOTATION_CHANGE, INTERACTIONS, Behavior, Report
from . import potato_shapes
from .security import (
    SessionUser,
    admin_required,
    current_project,
    is_admin_session,
    login_required_json,
    not_a_form_post,
    require_user,
)

bp = Blueprint("tracking", __name__)

MAX_BATCH_BYTES = 64 * 1024
MAX_EVENTS = 500
MAX_SMALL_JSON = 4096
MAX_EXTRA_KEYS = 8
DAY_MS = 24 * 3600 * 1000
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
SUMMARY_KEYS = ("focus_ms", "clicks", "keypresses", "scroll_depth", "time_to_first_answer_ms")
AI_ACTIONS = ("request", "response", "accept", "reject", "edit")
CHANGE_ACTIONS = ("select", "deselect", "update", "clear")
DEFAULT_HOURS = 168
MAX_HOURS = 24 * 366


def behavior() -> Behavior:
    # Statements are prebuilt in Behavior.__init__; one instance per project, kept with it.
    project = current_project()
    return project.cache("behavior", lambda: Behavior(project.store))


# -- validation helpers ------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: Any, where: str, *, low: float = 0, high: float = float("inf")) -> float:
    if not _is_number(value):
        raise BadRequest(f"'{where}' must be a number")
    if not low <= value <= high:
        raise BadRequest(f"'{where}' must be between {low:g} and {high:g}")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"'{where}' must be a whole number")
    if not 0 <= value <= 1_000_000:
        raise BadRequest(f"'{where}' must be between 0 and 1000000")
    return value


def _text(value: Any, where: str, *, limit: int = 200, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{where}' must be a non-empty string")
    if len(value) > limit:
        raise BadRequest(f"'{where}' is longer than {limit} characters")
    return value


def _small_json(value: Any, where: str) -> Any:
    if len(json.dumps(value)) > MAX_SMALL_JSON:
        raise BadRequest(f"'{where}' is larger than {MAX_SMALL_JSON} bytes")
    return value


def _body(allowed: tuple[str, ...]) -> dict[str, Any]:
    if (request.content_length or 0) > MAX_BATCH_BYTES or len(request.get_data()) > MAX_BATCH_BYTES:
        raise BadRequest(f"the body is larger than {MAX_BATCH_BYTES // 1024} KB")
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    unknown = sorted(set(body) - set(allowed) - {"csrf_token"})
    if unknown:
        raise BadRequest(f"unknown field(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return body


def own_item(user: SessionUser, instance_id: str):
    """An item the caller may report on: it must exist (404) and be in their list (403)."""
    project = current_project()
    item = project.store.items.by_id(instance_id)
    if item is None:
        raise NotFound(f"instance {instance_id!r} does not exist")
    if not project.store.assignments.status_of(user.user_id, item.seq):
        raise NotAssigned(instance_id)
    return item


def _own_item(user: SessionUser, body: dict[str, Any]):
    """The reported item of a body (`instance_id`), as own_item checks it."""
    return own_item(user, _text(body.get("instance_id"), "instance_id", limit=512, required=True))


def _check_own_csrf(body: dict[str, Any]) -> None:
    """The CSRF check security.guard_cross_site skips for this endpoint: browsers (which send
    Origin / Sec-Fetch-Site / Referer) and form-like posts present the token in X-CSRFToken
    or in the body."""
    browser = (
        request.headers.get("Origin")
        or request.headers.get("Sec-Fetch-Site")
        or request.headers.get("Referer")
    )
    if not browser and not_a_form_post():
        return
    token = request.headers.get("X-CSRFToken") or body.get("csrf_token")
    if not isinstance(token, str) or not token:
        raise BadRequest("The CSRF token is missing.")
    try:
        validate_csrf(token)
    except ValidationError as exc:
        raise BadRequest(str(exc) or "The CSRF token is invalid.") from exc


def _events(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest("'events' must be a list")
    if len(raw) > MAX_EVENTS:
        raise BadRequest(f"'events' has {len(raw)} entries; at most {MAX_EVENTS} per batch")
    out = []
    for i, event in enumerate(raw):
        where = f"events[{i}]"
        if not isinstance(event, dict):
            raise BadRequest(f"'{where}' must be an object")
        kind = event.get("type")
        if not isinstance(kind, str) or not EVENT_TYPE.match(kind):
            raise BadRequest(f"'{where}.type' must be a lowercase name like 'click' or 'focus'")
        _number(event.get("t"), f"{where}.t")
        if len(event) > MAX_EXTRA_KEYS + 2:
            raise BadRequest(f"'{where}' has more than {MAX_EXTRA_KEYS} extra fields")
        for key, value in event.items():
            if key in ("type", "t"):
                continue
            if value is not None and not isinstance(value, (str, int, float, bool)):
                raise BadRequest(f"'{where}.{key}' must be a string, number or boolean")
            if isinstance(value, str) and len(value) > 200:
                raise BadRequest(f"'{where}.{key}' is longer than 200 characters")
        out.append(event)
    return out


def _summary(raw: Any, events: list[dict[str, Any]]) -> dict[str, Any]:
    """The batch's summary; counts are for this batch, scroll depth and time to first answer
    are as seen so far. Without one, what the events show is counted."""
    if raw is None:
        depths = [
            e["depth"] for e in events if e["type"] == "scroll" and _is_number(e.get("depth"))
        ]
        return {
            "focus_ms": 0,
            "clicks": sum(e["type"] == "click" for e in events),
            "keypresses": sum(e["type"] == "keypress" for e in events),
            "scroll_depth": min(1.0, max(depths, default=0)),
            "time_to_first_answer_ms": None,
        }
    if not isinstance(raw, dict):
        raise BadRequest("'summary' must be an object")
    unknown = sorted(set(raw) - set(SUMMARY_KEYS))
    if unknown:
        raise BadRequest(f"unknown summary field(s): {', '.join(unknown)}")
    ttfa = raw.get("time_to_first_answer_ms")
    return {
        "focus_ms": _number(raw.get("focus_ms", 0), "summary.focus_ms", high=DAY_MS),
        "clicks": _count(raw.get("clicks", 0), "summary.clicks"),
        "keypresses": _count(raw.get("keypresses", 0), "summary.keypresses"),
        "scroll_depth": _number(raw.get("scroll_depth", 0), "summary.scroll_depth", high=1),
        "time_to_first_answer_ms": None
        if ttfa is None
        else _number(ttfa, "summary.time_to_first_answer_ms", high=DAY_MS),
    }


def _compact(events: list[dict[str, Any]]) -> dict[str, Any]:
    """[type, ms since the batch's first event(, scroll depth)] per event, plus counts."""
    if not events:
        return {"t0": None, "events": [], "counts": {}}
    t0 = min(e["t"] for e in events)
    counts: dict[str, int] = {}
    compact = []
    for e in events:
        counts[e["type"]] = counts.get(e["type"], 0) + 1
        entry: list[Any] = [e["type"], round(e["t"] - t0)]
        if e["type"] == "scroll" and _is_number(e.get("depth")):
            entry.append(round(min(1.0, max(0.0, e["depth"])), 3))
        compact.append(entry)
    return {"t0": t0, "events": compact, "counts": counts}


# -- reporting endpoints -----------------------------------------------------------------------
@bp.post("/api/track_interactions")
@login_required_json
def track_interactions():
    user = require_user()
    body = _body(("instance_id", "events", "summary"))
    _check_own_csrf(body)
    item = _own_item(user, body)
    events = _events(body.get("events"))
    summary = _summary(body.get("summary"), events)
    data = {**summary, **_compact(events)}
    behavior().record([Report(user.user_id, item.seq, INTERACTIONS, data)])
    return jsonify(status="success", recorded=len(events))


def _known_scheme(name: Any, *, required: bool):
    name = _text(name, "schema", required=required)
    if name is None:
        return None
    for scheme in current_project().config.schemes:
        if scheme.name == name:
            return scheme
    raise BadRequest(f"unknown schema {name!r}")


@bp.post("/api/track_ai_usage")
@login_required_json
def track_ai_usage():
    user = require_user()
    body = _body(("instance_id", "action", "schema", "suggestion", "latency_ms"))
    item = _own_item(user, body)
    action = body.get("action")
    if action not in AI_ACTIONS:
        raise BadRequest(f"'action' must be one of {', '.join(AI_ACTIONS)}")
    scheme = _known_scheme(body.get("schema"), required=False)
    data: dict[str, Any] = {"action": action, "schema": scheme.name if scheme else None}
    if "suggestion" in body:
        data["suggestion"] = _small_json(body["suggestion"], "suggestion")
    if body.get("latency_ms") is not None:
        data["latency_ms"] = _number(body["latency_ms"], "latency_ms", high=DAY_MS)
    behavior().record([Report(user.user_id, item.seq, AI_USAGE, data)])
    if action == "reject" and scheme is not None and current_project().config.ai is not None:
        # Server-side record (ai_suggestions): accepted/overridden follow from the saved
        # answer; a rejection has no answer to show it, so the page's word is taken.
        from ..ai.service import records

        records(current_project()).decide(user.user_id, item.seq, scheme.name, "rejected")
    return jsonify(status="success", recorded=1)


@bp.post("/api/track_annotation_change")
@login_required_json
def track_annotation_change():
    user = require_user()
    body = _body(("instance_id", "schema", "label", "action", "value"))
    item = _own_item(user, body)
    scheme = _known_scheme(body.get("schema"), required=True)
    action = body.get("action")
    if action not in CHANGE_ACTIONS:
        raise BadRequest(f"'action' must be one of {', '.join(CHANGE_ACTIONS)}")
    label = _text(body.get("label"), "label")
    # The labels its inputs carry: its label names and the keys of its stored map (a select's
    # "select-one", the "Other" box's "free_response", a number's "number").
    names = [lab.name for lab in scheme.labels] + [
        key for key in scheme.table_keys() if key not in {lab.name for lab in scheme.labels}
    ]
    names += scheme.page_input_labels()
    if label is not None and names and label not in names:
        raise BadRequest(f"schema {scheme.name!r} has no label {label!r}")
    value = body.get("value")
    if value is not None and not isinstance(value, (str, int, float, bool)):
        raise BadRequest("'value' must be a string, number or boolean")
    if isinstance(value, str) and len(value) > MAX_SMALL_JSON:
        raise BadRequest(f"'value' is longer than {MAX_SMALL_JSON} characters")
    data = {"schema": scheme.name, "label": label, "action": action, "value": value}
    behavior().record([Report(user.user_id, item.seq, ANNOTATION_CHANGE, data)])
    return jsonify(status="success", recorded=1)


# -- reading back --------------------------------------------------------------------------------
@bp.get("/api/behavioral_data/<path:instance_id>")
@login_required_json
def behavioral_data(instance_id: str):
    """The caller's own data for an item; admins may pass ?user=<username> for anyone's."""
    me = require_user()
    project = current_project()
    who = request.args.get("user", "").strip()
    if who and who != me.username:
        if not is_admin_session():
            raise Forbidden("only admins may read another user's behavioural data")
        row = project.store.users.by_name(who)
        if row is None:
            raise NotFound(f"user {who!r} does not exist")
        user_id = row.id
        item = project.store.items.by_id(instance_id)
        if item is None:
            raise NotFound(f"instance {instance_id!r} does not exist")
    else:
        user_id = me.user_id
        item = _own_item(me, {"instance_id": instance_id})
    return jsonify(instance_id=item.id, **behavior().for_item(user_id, item.seq))


# Suspicion thresholds: under FOCUS_FLOOR_S seconds of focus per item nobody can read an item,
# and a first answer under FAST_ANSWER_S seconds after the page opened is a guess.
FOCUS_FLOOR_S = 5.0
FAST_ANSWER_S = 2.0
FULL_CONFIDENCE_ITEMS = 5


def suspicion_score(items: int, focus_s: float, ttfa_s: float | None, inputs_per_item: float):
    """0 (nothing odd) .. 1 (very likely not reading), from the tracked behaviour alone.

        low_focus = max(0, 1 - avg_focus_seconds_per_item / 5)
        fast      = max(0, 1 - avg_time_to_first_answer_seconds / 2)   (0 when unknown)
        no_input  = 1 when there is less than one click or key press per item, else 0
        raw       = 0.5 * low_focus + 0.4 * fast + 0.1 * no_input
        score     = raw * min(1, items_with_data / 5)

    The last factor keeps one or two odd items from branding someone: the score reaches its
    full weight after five items with data."""
    if items <= 0:
        return 0.0
    low_focus = max(0.0, 1.0 - focus_s / FOCUS_FLOOR_S)
    fast = 0.0 if ttfa_s is None else max(0.0, 1.0 - ttfa_s / FAST_ANSWER_S)
    no_input = 1.0 if inputs_per_item < 1 else 0.0
    raw = 0.5 * low_focus + 0.4 * fast + 0.1 * no_input
    return round(min(1.0, raw * min(1.0, items / FULL_CONFIDENCE_ITEMS)), 3)


@bp.get("/admin/api/behavioral_analytics")
@admin_required
def behavioral_analytics():
    raw = request.args.get("hours", str(DEFAULT_HOURS)).strip()
    try:
        hours = float(raw)
    except ValueError:
        raise BadRequest("'hours' must be a number of hours") from None
    if not math.isfinite(hours) or not 0 < hours <= MAX_HOURS:
        raise BadRequest(f"'hours' must be more than 0 and at most {MAX_HOURS}")
    now = time.time()
    annotators = []
    for e in behavior().per_user(now - hours * 3600):
        n = e["items"]
        focus_s = e["focus_ms"] / 1000 / n if n else 0.0
        ttfa_s = None if e["avg_ttfa_ms"] is None else e["avg_ttfa_ms"] / 1000
        clicks = e["clicks"] / n if n else 0.0
        keys = e["keypresses"] / n if n else 0.0
        decided = e["ai_accepts"] + e["ai_rejects"]
        annotators.append(
            {
                "user_id": e["username"],
                "items_with_data": n,
                "avg_focus_seconds_per_item": round(focus_s, 3),
                "avg_time_to_first_answer_seconds": None if ttfa_s is None else round(ttfa_s, 3),
                "clicks_per_item": round(clicks, 3),
                "keypresses_per_item": round(keys, 3),
                "ai_requests": e["ai_requests"],
                "ai_accept_rate": round(e["ai_accepts"] / decided, 3) if decided else None,
                "annotation_changes": e["changes"],
                "suspicion_score": suspicion_score(n, focus_s, ttfa_s, clicks + keys),
            }
        )
    generated = dt.datetime.fromtimestamp(now, dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return jsonify(
        annotators=annotators,
        hours=hours if hours % 1 else int(hours),
        generated_at=generated,
        **potato_shapes.behavioral_users(annotators),
    )
