"""Span API (seed 003): an item's text with its spans, clearing spans, label colours and
keyword highlights. Spans are written through /updateinstance (web/api.py)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from ..spans.colors import label_colors
from ..spans.keywords import find_keywords
from ..spans.updates import clear_spans, iter_entries
from .api import visible_item
from .security import SessionUser, current_project, login_required_json, require_user

bp = Blueprint("spans", __name__)


def apply_change(user: SessionUser, item, compute) -> None:
    """Run `compute` in the save transaction (lease check, events row) and refresh outputs."""
    project = current_project()
    project.store.annotations.apply(user.user_id, item.seq, item.id, project.policy, compute)
    project.output.mark_dirty(user.user_id, item.seq)


def span_json(config, scheme, span: dict[str, Any], colors: dict) -> dict[str, Any]:
    out = {"id": span["id"], "schema": scheme.name, "label": span["label"], "title": span["label"]}
    out.update({k: v for k, v in span.items() if k not in ("id", "label")})
    out["color"] = colors[scheme.name].get(span["label"])
    return out


@bp.get("/api/spans/<path:instance_id>")
@login_required_json
def instance_spans(instance_id: str):
    user = require_user()
    item = visible_item(user, instance_id)
    project = current_project()
    config = project.config
    # A pending quality-control check has no stored answers.
    maps = {} if item.seq is None else project.store.annotations.maps_for(item.seq, user.user_id)
    colors = {s.name: label_colors(config, s) for s in config.schemes if s.marks_text_ranges}
    spans = [span_json(config, s, span, colors) for s, span in iter_entries(config, maps, "spans")]
    return jsonify(instance_id=item.id, text=item.text, spans=spans)


@bp.route("/api/spans/<path:instance_id>/clear", methods=["POST", "DELETE"])
@login_required_json
def clear(instance_id: str):
    """Remove every span (or those of `?schema=`), with the links and events on them."""
    user = require_user()
    item = visible_item(user, instance_id)
    config = current_project().config
    schema = request.args.get("schema") or None
    if schema is not None and (
        config.scheme(schema) is None or not config.scheme(schema).marks_text_ranges
    ):
        raise BadRequest(f"{schema!r} is not a span scheme of this project")
    counter = [0]
    apply_change(user, item, clear_spans(config, schema, counter))
    return jsonify(status="success", cleared_count=counter[0])


@bp.get("/api/colors")
def colors():
    """Label colours per scheme, as Potato lists them: every scheme, each label it was
    configured with (or, for span, link and event schemes, has) coloured as configured or
    from the palette; {} for schemes without labels (sliders, free text)."""
    config = current_project().config
    out: dict[str, dict[str, str]] = {}
    for scheme in config.schemes:
        listed = scheme.structured or scheme.labels_configured
        out[scheme.name] = label_colors(config, scheme) if listed else {}
    return jsonify(out)


@bp.get("/api/keyword_highlights/<path:instance_id>")
@login_required_json
def keyword_highlights(instance_id: str):
    item = visible_item(require_user(), instance_id)
    config = current_project().config
    return jsonify(instance_id=item.id, keywords=find_keywords(config, item.text))
