"""Entity linking API (seed 003): configured knowledge bases, search, entity details, and
linking a span to an entity. Span links are stored on the span (kb_id, kb_source, kb_label)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request

from ..errors import BadRequest, NotFound
from ..spans.kb import KB_FIELDS, MAX_KB_FIELD, MAX_RESULTS, KnowledgeBases
from ..spans.updates import find_span
from .api import visible_item
from .params import int_arg
from .security import current_project, login_required_json, require_user
from .spans import apply_change

bp = Blueprint("entity_linking", __name__)


@bp.record_once
def open_knowledge_bases(state) -> None:
    """Index local KB files once per app (at start, so a broken file stops the start)."""
    project = state.app.extensions["potato_like"]
    state.app.extensions["potato_like_kbs"] = KnowledgeBases(
        project.config.schemes, project.config.output_dir
    )


def knowledge_bases() -> KnowledgeBases:
    return current_app.extensions["potato_like_kbs"]


def _kb(name: Any):
    if not isinstance(name, str) or not name:
        raise BadRequest("the parameter 'kb' (a knowledge base name) is required")
    kb = knowledge_bases().by_name.get(name)
    if kb is None:
        names = ", ".join(knowledge_bases().by_name) or "none"
        raise NotFound(f"unknown knowledge base {name!r}; configured: {names}")
    return kb


@bp.get("/api/entity_linking/configured_kbs")
@login_required_json
def configured_kbs():
    return jsonify(knowledge_bases=knowledge_bases().describe())


@bp.get("/api/entity_linking/search")
@login_required_json
def search():
    query = (request.args.get("query") or request.args.get("q") or "").strip()
    if not query:
        raise BadRequest("the parameter 'query' (or 'q') is required")
    if len(query) > 200:
        raise BadRequest("'query' is longer than 200 characters")
    kb = _kb(request.args.get("kb"))
    limit = int_arg("limit", 10, minimum=1, maximum=MAX_RESULTS)
    return jsonify(query=query, kb=kb.config.name, results=kb.search(query, limit))


@bp.get("/api/entity_linking/entity/<kb_name>/<path:entity_id>")
@login_required_json
def entity(kb_name: str, entity_id: str):
    found = _kb(kb_name).entity(entity_id)
    if found is None:
        raise NotFound(f"entity {entity_id!r} is not in knowledge base {kb_name!r}")
    return jsonify(entity=found)


@bp.post("/api/entity_linking/update_span")
@login_required_json
def update_span():
    user = require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    span_id = body.get("span_id")
    if not isinstance(span_id, str) or not span_id:
        raise BadRequest("'span_id' is required")
    instance_id = body.get("instance_id")
    if (
        isinstance(instance_id, bool)
        or not isinstance(instance_id, (str, int))
        or not str(instance_id).strip()
    ):
        raise BadRequest("'instance_id' is required")
    item = visible_item(user, str(instance_id).strip())
    link = {k: body.get(k) for k in KB_FIELDS}
    if link["kb_id"] is not None:
        if not isinstance(link["kb_id"], str) or not link["kb_id"]:
            raise BadRequest("'kb_id' must be an entity id, or null to remove the link")
        if link["kb_source"] is None:
            raise BadRequest("'kb_source' (the knowledge base of 'kb_id') is required")
        # Every later save of the span checks these again (schemes/span.py).
        for key in ("kb_id", "kb_label"):
            if link[key] is not None and (
                not isinstance(link[key], str) or len(link[key]) > MAX_KB_FIELD
            ):
                raise BadRequest(f"'{key}' must be a string of at most {MAX_KB_FIELD} characters")
        found = _kb(link["kb_source"]).entity(link["kb_id"])
        if found is None:
            raise BadRequest(f"entity {link['kb_id']!r} is not in {link['kb_source']!r}")
        link["kb_label"] = link["kb_label"] or found["label"]
    config = current_project().config

    def compute(old):
        for scheme in config.schemes:
            if not scheme.marks_text_ranges or body.get("schema") not in (None, scheme.name):
                continue
            spans = scheme.entries(old.get(scheme.name))
            i = find_span(scheme.name, spans, span_id)
            if i is not None:
                span = spans[i]
                allowed = [kb.name for kb in scheme.knowledge_bases]
                if link["kb_id"] is not None and link["kb_source"] not in allowed:
                    raise BadRequest(
                        f"{scheme.name} links to {', '.join(allowed) or 'no knowledge base'}, "
                        f"not {link['kb_source']!r}"
                    )
                updated = {k: v for k, v in span.items() if k not in KB_FIELDS}
                if link["kb_id"] is not None:
                    updated.update({k: str(v) for k, v in link.items() if v})
                spans = [*spans[:i], updated, *spans[i + 1 :]]
                return {scheme.name: {"spans": spans}}, False
        raise NotFound(f"span {span_id!r} does not exist on this instance")

    apply_change(user, item, compute)
    target = f"{link['kb_source']}:{link['kb_id']}" if link["kb_id"] else "nothing"
    return jsonify(status="success", message=f"Span {span_id} linked to {target}")
