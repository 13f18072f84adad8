"""Potato's typing and annotation-telemetry tracking: the page posts finished sessions of
keystroke events (`POST /api/track_typing`) or of drawing/annotation actions
(`POST /api/track_annotation_telemetry`); the server summarises each session itself (a
client's numbers are not trusted) and keeps only the summary, never the keystrokes. An
annotator reads the summaries of an item back, merged per field
(`GET /api/typing_summary/<instance_id>`, `GET /api/annotation_telemetry/<instance_id>`).

`POST /api/track/propagate` (also `POST /api/track`), Potato's video object tracking: a
`box` is tracked through the frames with OpenCV's MIL tracker (media/box_tracking.py); a SAM 2
`points` prompt answers 503 with `"available": false`, as Potato does where the model is not
installed.
"""

from __future__ import annotations

import itertools
from typing import Any

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from ..media import box_tracking
from ..media.sources import VIDEO_TYPES, local_media
from ..store.behavior import Report
from .security import current_project, login_required_json, require_user
from .tracking import _body, _own_item, behavior, own_item

bp = Blueprint("tracking_sessions", __name__)

TYPING = "typing"
TELEMETRY = "annotation_telemetry"
MAX_SESSIONS = 50
MAX_SESSION_EVENTS = 5000
PAUSE_MS = 2000  # a gap this long between keystrokes is a pause
IDLE_MS = 5000  # a gap this long between annotation actions is idle time
PASTE_TYPES = ("insertFromPaste", "insertFromDrop", "insertFromPasteAsQuotation")


def _name(raw: dict, key: str, limit: int = 200) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise BadRequest(f"each session needs '{key}' (a non-empty string)")
    return value


def _times(events: Any, where: str) -> list[tuple[float, dict[str, Any]]]:
    if not isinstance(events, list) or len(events) > MAX_SESSION_EVENTS:
        raise BadRequest(f"'{where}.events' must be a list of at most {MAX_SESSION_EVENTS}")
    out = []
    for i, event in enumerate(events):
        t = event.get("t_ms") if isinstance(event, dict) else None
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 <= t < 1e13:
            raise BadRequest(f"'{where}.events[{i}].t_ms' must be a number of milliseconds")
        out.append((float(t), event))
    out.sort(key=lambda pair: pair[0])
    return out


def _sessions(body: dict[str, Any]) -> list[dict[str, Any]]:
    sessions = body.get("sessions") or []
    if not isinstance(sessions, list) or len(sessions) > MAX_SESSIONS:
        raise BadRequest(f"'sessions' must be a list of at most {MAX_SESSIONS}")
    for i, raw in enumerate(sessions):
        if not isinstance(raw, dict):
            raise BadRequest(f"sessions[{i}] must be an object")
    return sessions


def _scheme(name: str):
    scheme = current_project().config.scheme(name)
    if scheme is None:
        raise BadRequest(f"unknown schema_name {name!r}")
    return scheme


def _item_for(user, body: dict[str, Any], raw: dict[str, Any]):
    instance_id = raw.get("instance_id") or body.get("instance_id")
    return _own_item(user, {"instance_id": instance_id})


def typing_summary(events: list[tuple[float, dict[str, Any]]], raw: dict) -> dict[str, Any]:
    """Counts from a session's keystroke events: typed, deleted and pasted characters,
    pauses, speed, and how much of the final text was pasted."""
    typed = deleted = pasted = pastes = keystrokes = pauses = 0
    last = None
    for t, event in events:
        kind = str(event.get("input_type") or "")
        delta = event.get("delta")
        delta = delta if isinstance(delta, int) and not isinstance(delta, bool) else 0
        if kind in PASTE_TYPES:
            pastes += 1
            pasted += max(delta, 0)
        else:
            keystrokes += 1
            typed += max(delta, 0)
            deleted += max(-delta, 0)
            if last is not None and t - last >= PAUSE_MS:
                pauses += 1
            last = t
    duration = events[-1][0] - events[0][0] if events else 0.0
    final = raw.get("final_chars")
    final = final if isinstance(final, int) and not isinstance(final, bool) and final >= 0 else None
    return {
        "keystrokes": keystrokes,
        "chars_typed": typed,
        "chars_deleted": deleted,
        "pastes": pastes,
        "chars_pasted": pasted,
        "pauses": pauses,
        "duration_ms": round(duration),
        "final_chars": final,
        "virtual_keyboard": bool(raw.get("virtual_keyboard")),
    }


def merge_typing(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """One field's sessions as one response: counts add up, the last final length counts."""
    keys = ("keystrokes", "chars_typed", "chars_deleted", "pastes", "chars_pasted", "pauses")
    out: dict[str, Any] = {k: sum(s[k] for s in summaries) for k in (*keys, "duration_ms")}
    finals = [s["final_chars"] for s in summaries if s["final_chars"] is not None]
    out["final_chars"] = finals[-1] if finals else None
    out["sessions"] = len(summaries)
    minutes = out["duration_ms"] / 60000
    out["chars_per_minute"] = round(out["chars_typed"] / minutes, 1) if minutes > 0 else None
    total = out["chars_typed"] + out["chars_pasted"]
    out["paste_ratio"] = round(out["chars_pasted"] / total, 4) if total else 0.0
    out["virtual_keyboard"] = any(s["virtual_keyboard"] for s in summaries)
    return out


def telemetry_summary(events: list[tuple[float, dict[str, Any]]], raw: dict) -> dict[str, Any]:
    actions: dict[str, int] = {}
    idle = 0.0
    for (t0, _), (t1, _) in itertools.pairwise(events):
        if t1 - t0 >= IDLE_MS:
            idle += t1 - t0
    for _t, event in events:
        action = str(event.get("action") or "unknown")[:40]
        actions[action] = actions.get(action, 0) + 1
    duration = events[-1][0] - events[0][0] if events else 0.0
    return {
        "events": len(events),
        "actions": actions,
        "duration_ms": round(duration),
        "idle_ms": round(idle),
    }


def merge_telemetry(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    actions: dict[str, int] = {}
    for s in summaries:
        for action, n in s["actions"].items():
            actions[action] = actions.get(action, 0) + n
    duration = sum(s["duration_ms"] for s in summaries)
    idle = sum(s["idle_ms"] for s in summaries)
    return {
        "events": sum(s["events"] for s in summaries),
        "actions": actions,
        "duration_ms": duration,
        "idle_ms": idle,
        "active_ms": duration - idle,
        "sessions": len(summaries),
    }


@bp.post("/api/track_typing")
@login_required_json
def track_typing():
    user = require_user()
    body = _body(("instance_id", "sessions"))
    reports = []
    for i, raw in enumerate(_sessions(body)):
        schema = _scheme(_name(raw, "schema_name")).name
        label = _name(raw, "label_name")
        events = _times(raw.get("events") or [], f"sessions[{i}]")
        if not events:
            continue  # nothing typed: nothing to keep
        item = _item_for(user, body, raw)
        summary = typing_summary(events, raw)
        data = {"schema": schema, "label": label, "summary": summary}
        reports.append(Report(user.user_id, item.seq, TYPING, data))
    behavior().record(reports)
    return jsonify(status="ok", sessions_recorded=len(reports))


@bp.post("/api/track_annotation_telemetry")
@login_required_json
def track_annotation_telemetry():
    user = require_user()
    body = _body(("instance_id", "sessions"))
    reports = []
    for i, raw in enumerate(_sessions(body)):
        schema = _scheme(_name(raw, "schema_name")).name
        events = _times(raw.get("events") or [], f"sessions[{i}]")
        if not events:
            continue
        item = _item_for(user, body, raw)
        data = {"schema": schema, "summary": telemetry_summary(events, raw)}
        reports.append(Report(user.user_id, item.seq, TELEMETRY, data))
    behavior().record(reports)
    return jsonify(status="ok", sessions_recorded=len(reports))


def _own_reports(instance_id: str, kind: str) -> list[dict[str, Any]]:
    user = require_user()
    item = own_item(user, instance_id)
    return behavior().reports(user.user_id, item.seq, kind)


@bp.get("/api/typing_summary/<path:instance_id>")
@login_required_json
def typing_summaries(instance_id: str):
    by_field: dict[str, list[dict[str, Any]]] = {}
    for report in _own_reports(instance_id, TYPING):
        key = f"{report['schema']}:::{report['label']}"
        by_field.setdefault(key, []).append(report["summary"])
    merged = {key: merge_typing(s) for key, s in by_field.items()}
    return jsonify(instance_id=instance_id, typing_summaries=merged)


@bp.get("/api/annotation_telemetry/<path:instance_id>")
@login_required_json
def annotation_telemetry(instance_id: str):
    by_schema: dict[str, list[dict[str, Any]]] = {}
    for report in _own_reports(instance_id, TELEMETRY):
        by_schema.setdefault(report["schema"], []).append(report["summary"])
    merged = {schema: merge_telemetry(s) for schema, s in by_schema.items()}
    return jsonify(instance_id=instance_id, annotation_telemetry=merged)


@bp.post("/api/track")
@bp.post("/api/track/propagate")
@login_required_json
def propagate_track():
    """Track an object from one frame forward (media/box_tracking.py). A `box` is tracked
    with OpenCV's MIL tracker; Potato's SAM 2 `points` prompt answers 503, available: false."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    video = body.get("video")
    if not isinstance(video, str) or not video.strip():
        raise BadRequest("video is required: a project media path or an http(s) URL")
    start = _whole(body, "start_frame", 0, 0, 10_000_000)
    frames = _whole(body, "frames", box_tracking.DEFAULT_FRAMES, 1, 100_000)
    if body.get("box") is None:
        points = body.get("points")
        if not isinstance(points, list) or not points:
            raise BadRequest("give box {x, y, width, height} (or SAM 2 points [[x, y, label]])")
        return jsonify(
            error="point-prompted tracking (SAM 2) is not available on this server; "
            "send a box to track it with OpenCV",
            available=False,
        ), 503
    box = box_tracking.read_box(body["box"])
    config = current_project().config
    with local_media(config, video, VIDEO_TYPES) as path:
        return jsonify(box_tracking.track_box(path, box, start, frames))


def _whole(body: dict, key: str, default: int, low: int, high: int) -> int:
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{key} must be a whole number from {low} to {high}, got {value!r}")
    return value
