"""Potato's cross-document event registry API (`event_template.enabled: true`), under
/corpus/api: the template, events shared by all annotators (title, slot values, member
documents, evidence citations into documents' text), created by annotators when
`allow_annotator_create`, seeded from `seed_events`. Kept in the store
(store/event_registry.py); a slot change sent with an `expected_updated_at` older than the
event's answers 409 `{"error": "stale_write", "current": <event>}`."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, Forbidden, NotFound
from ..store.event_registry import StaleWrite, iso_now
from .security import current_project, is_admin_session, login_required_json, require_user

bp = Blueprint("event_registry", __name__, url_prefix="/corpus")
MAX_TEXT = 2000
MAX_EVIDENCE = 500


@bp.record_once
def seed_events(state) -> None:
    project = state.app.extensions["potato_like"]
    template = project.config.event_template
    if template is not None and template.seed_events:
        seeds = [_seed(json.loads(raw), template.name) for raw in template.seed_events]
        project.store.event_registry.seed(seeds)


def _seed(raw: dict[str, Any], template_name: str) -> dict[str, Any]:
    now = iso_now()
    slots = raw.get("slot_values") if isinstance(raw.get("slot_values"), dict) else {}
    members = raw.get("member_doc_ids") if isinstance(raw.get("member_doc_ids"), list) else []
    return {
        **_new(str(raw["id"]), template_name, str(raw.get("title") or ""), "", now),
        "slot_values": {str(k): str(v) for k, v in slots.items()},
        "member_doc_ids": [str(d) for d in members],
        "provenance": "seeded",
    }


def _new(event_id: str, template_name: str, title: str, user: str, now: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "template_name": template_name,
        "title": title,
        "slot_values": {},
        "member_doc_ids": [],
        "evidence": [],
        "created_by": user,
        "provenance": "annotator",
        "created_at": now,
        "updated_at": now,
    }


def _template():
    template = current_project().config.event_template
    if template is None:
        raise BadRequest("the event registry is not enabled (event_template.enabled: true)")
    return template


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _text(body: dict, key: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise BadRequest(f"'{key}' must be a string of at most {limit} characters")
    return value


def _doc(body: dict):
    doc_id = body.get("doc_id")
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or str(doc_id) == "":
        raise BadRequest("'doc_id' (an item id of this project) is required")
    item = current_project().store.items.by_id(str(doc_id))
    if item is None:
        raise NotFound(f"no document {str(doc_id)!r} in this project")
    return item


def _change(event_id: str, apply, expected: str | None = None):
    try:
        event = current_project().store.event_registry.change(event_id, apply, expected)
    except StaleWrite as stale:
        # Potato's answer: the client refreshes from `current` (an object, so not a Conflict)
        return jsonify(error="stale_write", current=stale.current), 409
    if event is None:
        raise NotFound(f"no event {event_id!r}")
    return jsonify(event)


@bp.get("/api/event_template")
@login_required_json
def event_template():
    t = _template()
    slots = [{"name": n, "description": d, "type": k} for n, d, k in t.slots]
    return jsonify(
        template_name=t.name, slots=slots, allow_annotator_create=t.allow_annotator_create
    )


@bp.get("/api/events")
@login_required_json
def list_events():
    _template()
    doc_id = request.args.get("doc_id")
    events = current_project().store.event_registry.all()
    if doc_id:
        events = [e for e in events if doc_id in e["member_doc_ids"]]
    return jsonify(events=events)


@bp.get("/api/event/<event_id>")
@login_required_json
def get_event(event_id: str):
    _template()
    event = current_project().store.event_registry.get(event_id)
    if event is None:
        raise NotFound(f"no event {event_id!r}")
    return jsonify(event)


@bp.post("/api/event")
@login_required_json
def create_event():
    user = require_user()
    template = _template()
    if not template.allow_annotator_create:
        raise Forbidden("annotators may not create events here (allow_annotator_create: false)")
    body = _body()
    title = _text(body, "title", limit=200)
    event = _new("evt_" + uuid.uuid4().hex[:12], template.name, title, user.username, iso_now())
    if body.get("doc_id") is not None:
        event["member_doc_ids"].append(_doc(body).id)
    current_project().store.event_registry.create(event)
    return jsonify(event), 201


@bp.post("/api/event/<event_id>/slot")
@login_required_json
def update_slot(event_id: str):
    require_user()
    template = _template()
    body = _body()
    slot = body.get("slot")
    if slot not in template.slot_names:
        raise BadRequest(f"'slot' must be one of {', '.join(template.slot_names)}; got {slot!r}")
    value = _text(body, "value")
    expected = body.get("expected_updated_at")
    if expected is not None and not isinstance(expected, str):
        raise BadRequest("'expected_updated_at' must be the event's updated_at string")

    def apply(event):
        event["slot_values"][slot] = value

    return _change(event_id, apply, expected)


@bp.post("/api/event/<event_id>/title")
@login_required_json
def set_title(event_id: str):
    require_user()
    _template()
    title = _text(_body(), "title", limit=200)
    return _change(event_id, lambda event: event.update(title=title))


@bp.post("/api/event/<event_id>/member")
@login_required_json
def set_member(event_id: str):
    require_user()
    _template()
    body = _body()
    doc = _doc(body).id
    attach = body.get("attach", True)
    if not isinstance(attach, bool):
        raise BadRequest("'attach' must be true or false")

    def apply(event):
        members = [d for d in event["member_doc_ids"] if d != doc]
        event["member_doc_ids"] = [*members, doc] if attach else members

    return _change(event_id, apply)


@bp.post("/api/event/<event_id>/evidence")
@login_required_json
def add_evidence(event_id: str):
    user = require_user()
    template = _template()
    body = _body()
    slot = body.get("slot")
    if slot not in template.slot_names:
        raise BadRequest(f"'slot' must be one of {', '.join(template.slot_names)}; got {slot!r}")
    item = _doc(body)
    start, end = body.get("start", 0), body.get("end", 0)
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (start, end)):
        raise BadRequest("'start' and 'end' must be whole numbers (code points of the text)")
    if not 0 <= start < end <= len(item.text):
        raise BadRequest(
            f"offsets {start}:{end} do not fit the document ({len(item.text)} characters)"
        )
    quoted = _text(body, "text") or item.text[start:end]
    if quoted != item.text[start:end]:
        raise BadRequest(f"'text' {quoted!r} is not the document's text at {start}:{end}")
    citation = {
        "slot_name": slot,
        "doc_id": item.id,
        "span_start": start,
        "span_end": end,
        "quoted_text": quoted,
        "span_id": _text(body, "span_id", limit=200),
        "created_by": user.username,
        "created_at": iso_now(),
    }

    def apply(event):
        if len(event["evidence"]) >= MAX_EVIDENCE:
            raise BadRequest(f"an event holds at most {MAX_EVIDENCE} citations")
        event["evidence"].append(citation)

    return _change(event_id, apply)


@bp.delete("/api/event/<event_id>/evidence/<int:index>")
@login_required_json
def remove_evidence(event_id: str, index: int):
    require_user()
    _template()

    def apply(event):
        if index >= len(event["evidence"]):
            raise NotFound(f"event {event_id!r} has no citation {index}")
        del event["evidence"][index]

    return _change(event_id, apply)


@bp.delete("/api/event/<event_id>")
@login_required_json
def delete_event(event_id: str):
    user = require_user()
    _template()
    registry = current_project().store.event_registry
    event = registry.get(event_id)
    if event is None:
        raise NotFound(f"no event {event_id!r}")
    if event["created_by"] != user.username and not is_admin_session():
        raise Forbidden("only the event's creator or an admin may delete it")
    registry.delete(event_id)
    return jsonify(success=True)
