"""AI suggestions and option highlights for annotators (seed 003 "AI Assistant API", "Option
Highlighting API"), and the automation-bias report for admins.

Every endpoint answers within the provider's time-out: a slow or dead endpoint gives a
suggestion-less answer with a `message`, never a hang or a 500. API keys and endpoint URLs
are never part of an answer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ..ai.service import records, service
from ..ai.vision.service import draws_on_images, vision
from ..errors import BadRequest, NotFound
from .security import admin_required, current_project, login_required_json, require_user
from .tracking import own_item

bp = Blueprint("ai", __name__)

MAX_PREFETCH = 100
VISUAL_ASSISTANTS = ("detection", "pre_annotate")  # Potato's aiAssistant kinds for images


def _service():
    found = service(current_project())
    if found is None:
        raise NotFound("AI assistance is not enabled in this project (ai_support)")
    return found


def _item_for(user) -> Any:
    """The item asked about: `instance_id`, or the user's current item (Potato's form)."""
    instance_id = (request.values.get("instance_id") or "").strip()
    if instance_id:
        return own_item(user, instance_id)
    project = current_project()
    pos = project.store.assignments.current(user.user_id, project.policy)
    if pos.finished or pos.item_seq is None:
        raise NotFound("there is no current item: pass instance_id")
    return project.store.items.by_seq(pos.item_seq)


def _schemes_for(svc, *, by_index: bool = True) -> list:
    """The schemes asked about: `schema` (a name), `annotationId` (Potato: the scheme's
    position in annotation_schemes), or every scheme with suggestions."""
    config = current_project().config
    name = (request.values.get("schema") or "").strip()
    index = request.values.get("annotationId", request.values.get("annotation_id"))
    if name:
        scheme = svc.scheme(name)
        if scheme is None:
            if config.scheme(name) is None:
                raise BadRequest(f"unknown schema {name!r}")
            raise BadRequest(f"schema {name!r} gets no AI suggestions")
        return [scheme]
    if by_index and index not in (None, ""):
        return [_scheme_at(svc, index)]
    return svc.schemes()


def _scheme_at(svc, index: Any):
    config = current_project().config
    try:
        position = int(index)
    except (TypeError, ValueError):
        raise BadRequest("'annotationId' must be the scheme's index (0, 1, ...)") from None
    if not 0 <= position < len(config.schemes):
        raise NotFound(f"there is no annotation scheme {position}")
    scheme = svc.scheme(config.schemes[position].name)
    if scheme is None:
        raise BadRequest(f"scheme {position} ({config.schemes[position].name}) gets no suggestions")
    return scheme


def _suggest(user, item, schemes) -> tuple[list[dict], list[str]]:
    """Suggestions for the item's schemes (recorded as shown) and messages for the rest."""
    svc = _service()
    found, messages = [], []
    for scheme in schemes:
        suggestion, message = svc.get(item.id, item.text, scheme)
        if suggestion is None:
            messages.append(f"{scheme.name}: {message}")
            continue
        records(current_project()).shown(user.user_id, item.seq, suggestion)
        found.append(suggestion)
    svc.prefetch(item.seq, svc.ai.cache.on_next)
    return found, messages


def _potato_detections(item):
    """Potato's visual form of the suggestion endpoints: `aiAssistant=detection` or
    `pre_annotate` on an image scheme (`annotationId`, else the first) answers
    `{"detections": [{label, bbox: {x, y, width, height}, confidence}]}` from the vision
    endpoint; None when the request is not that form."""
    detector = vision(current_project())
    if detector is None or request.values.get("aiAssistant") not in VISUAL_ASSISTANTS:
        return None
    drawn = [s for s in detector.schemes() if draws_on_images(s)]
    index = request.values.get("annotationId")
    if index not in (None, ""):
        schemes = current_project().config.schemes
        try:
            wanted = schemes[int(index)]
        except (ValueError, IndexError):
            raise NotFound(f"there is no annotation scheme {index}") from None
        drawn = [s for s in drawn if s.name == wanted.name]
    if not drawn:
        raise BadRequest("that scheme draws no boxes on the item's image")
    found, message = detector.get(item.id, item.text)
    detections = [
        {"label": s["label"], "bbox": s["coordinates"], "confidence": s["confidence"]}
        for s in (found or {}).get(drawn[0].name, [])
        if s.get("type") == "bbox"
    ]
    return jsonify(detections=detections, instance_id=item.id, message=message)


@bp.get("/api/get_ai_suggestion")
@login_required_json
def api_get_ai_suggestion():
    user = require_user()
    item = _item_for(user)
    visual = _potato_detections(item)
    if visual is not None:
        return visual
    found, messages = _suggest(user, item, _schemes_for(_service()))
    return jsonify(
        instance_id=item.id,
        suggestions=found,
        message="; ".join(messages),
        prefill=_service().ai.prefill,
    )


@bp.get("/api/vision_suggestions")
@login_required_json
def vision_suggestions():
    """The vision endpoint's detections on the item's image, per scheme, as shapes in the
    image scheme's wire format with their `confidence` (waits at most the time-out)."""
    detector = vision(current_project())
    if detector is None:
        raise NotFound("no vision endpoint is configured (ai_support.visual_endpoint_type)")
    item = _item_for(require_user())
    found, message = detector.get(item.id, item.text)
    return jsonify(
        instance_id=item.id,
        endpoint_type=detector.detector.name,
        model=detector.detector.model_name,
        suggestions=found or {},
        message=message,
    )


@bp.get("/get_ai_suggestion")
@login_required_json
def get_ai_suggestion():
    """Potato's form: ?annotationId=<scheme index>&aiAssistant=<kind>, on the current item
    (or `instance_id`). Answers {suggestion, confidence, labels: {schema: label}}."""
    user = require_user()
    item = _item_for(user)
    visual = _potato_detections(item)
    if visual is not None:
        return visual
    svc = _service()
    index = request.values.get("annotationId")
    schemes = [_scheme_at(svc, index)] if index not in (None, "") else _schemes_for(svc)
    found, messages = _suggest(user, item, schemes)
    best = found[0] if found else None
    return jsonify(
        suggestion=(best["explanation"] or f"Suggested: {best['label']}") if best else "",
        confidence=best["confidence"] if best else None,
        labels={s["schema"]: s["label"] for s in found},
        instance_id=item.id,
        message="; ".join(messages),
    )


@bp.get("/api/ai_assistant")
@login_required_json
def ai_assistant():
    """Seed 003: {html, suggestions: [{schema, label, confidence}]}."""
    user = require_user()
    item = _item_for(user)
    found, messages = _suggest(user, item, _schemes_for(_service()))
    html = render_template("annotate/ai_hint.html", suggestions=found, messages=messages)
    return jsonify(
        html=html,
        suggestions=[
            {
                "schema": s["schema"],
                "label": s["label"],
                "confidence": s["confidence"],
                "explanation": s["explanation"],
                "evidence": s["evidence"],
            }
            for s in found
        ],
        instance_id=item.id,
        message="; ".join(messages),
    )


# -- option highlighting ---------------------------------------------------------------------
@bp.get("/api/option_highlights/config")
@login_required_json
def option_highlights_config():
    ai = current_project().config.ai
    if ai is None:
        return jsonify(enabled=False)
    svc = _service()
    conf = ai.highlighting.as_json()
    names = [s.name for s in svc.schemes()]
    if ai.highlighting.schemas is not None:
        names = [n for n in names if n in ai.highlighting.schemas]
    conf["enabled"] = ai.highlighting.enabled and bool(names)
    return jsonify(**conf, schemes=names)


@bp.post("/api/option_highlights/prefetch")
@login_required_json
def option_highlights_prefetch():
    user = require_user()
    svc = _service()
    body = request.get_json(silent=True) or {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    count = body.get("count", svc.ai.highlighting.prefetch_count)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PREFETCH:
        raise BadRequest(f"'count' must be a whole number from 0 to {MAX_PREFETCH}")
    project = current_project()
    pos = project.store.assignments.current(user.user_id, project.policy)
    start = pos.item_seq if pos.item_seq is not None else 0
    return jsonify(status="success", queued=svc.prefetch(start, count))


@bp.get("/api/option_highlights/<int:annotation_id>")
@login_required_json
def option_highlights(annotation_id: int):
    user = require_user()
    svc = _service()
    ai = svc.ai
    if not ai.highlighting.enabled:
        raise NotFound("option highlighting is off (ai_support.option_highlighting.enabled)")
    scheme = _scheme_at(svc, annotation_id)
    if ai.highlighting.schemas is not None and scheme.name not in ai.highlighting.schemas:
        raise BadRequest(f"scheme {scheme.name!r} is not in option_highlighting.schemas")
    item = _item_for(user)
    suggestion, message = svc.get(item.id, item.text, scheme)
    config = ai.highlighting.as_json()
    if suggestion is None:
        return jsonify(highlighted=[], top_k=0, confidence=None, config=config, message=message)
    top = _top_options(suggestion, scheme.label_names, ai.highlighting.top_k)
    return jsonify(
        highlighted=top,
        top_k=len(top),
        confidence=suggestion["confidence"],
        config=config,
        schema=scheme.name,
        instance_id=item.id,
    )


def _top_options(suggestion: dict, labels: list[str], k: int) -> list[str]:
    """The suggested label(s) first, then by the provider's scores when it gave any."""
    chosen = suggestion["label"] if isinstance(suggestion["label"], list) else [suggestion["label"]]
    scores = suggestion.get("scores") or {}
    rest = sorted((x for x in labels if x not in chosen), key=lambda x: -scores.get(x, -1))
    ranked = [x for x in chosen if x in labels] + (rest if scores else [])
    return ranked[: max(k, len(chosen))]


# -- automation bias -------------------------------------------------------------------------
@bp.get("/admin/api/ai_influence")
@admin_required
def ai_influence():
    """Per annotator: suggestions shown, accepted, overridden, rejected (server-side)."""
    rows = records(current_project()).influence()
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("shown", "accepted", "overridden", "rejected", "undecided")
    }
    decided = totals["accepted"] + totals["overridden"] + totals["rejected"]
    totals["acceptance_rate"] = round(totals["accepted"] / decided, 4) if decided else None
    ai = current_project().config.ai
    return jsonify(
        annotators=rows,
        totals=totals,
        ai=ai.public_json() if ai else {"enabled": False},
    )
