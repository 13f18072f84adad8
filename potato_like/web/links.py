"""Link and event API (seed 003): read and delete span links and events. They are written
through /updateinstance (`link_annotations`, `event_annotations`)."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..spans.colors import label_colors
from ..spans.updates import delete_entry, iter_entries
from .api import visible_item
from .security import current_project, login_required_json, require_user
from .spans import apply_change

bp = Blueprint("links", __name__)


def _entries(instance_id: str, kind: str):
    user = require_user()
    item = visible_item(user, instance_id)
    project = current_project()
    config = project.config
    maps = project.store.annotations.maps_for(item.seq, user.user_id)
    out = []
    for scheme, entry in iter_entries(config, maps, kind):
        color = label_colors(config, scheme).get(
            entry["link_type"] if kind == "links" else entry["event_type"]
        )
        out.append(
            {**entry, "schema": scheme.name, "span_schema": scheme.span_schema, "color": color}
        )
    return item, out


@bp.get("/api/links/<path:instance_id>")
@login_required_json
def links(instance_id: str):
    item, entries = _entries(instance_id, "links")
    return jsonify(instance_id=item.id, links=entries)


def _delete(kind: str, instance_id: str, entry_id: str):
    user = require_user()
    item = visible_item(user, instance_id)
    apply_change(user, item, delete_entry(current_project().config, kind, entry_id))
    return jsonify(status="success", deleted=entry_id)


@bp.delete("/api/links/<path:instance_id>/<link_id>")
@login_required_json
def delete_link(instance_id: str, link_id: str):
    return _delete("links", instance_id, link_id)


@bp.get("/api/events/<path:instance_id>")
@login_required_json
def events(instance_id: str):
    item, entries = _entries(instance_id, "events")
    return jsonify(instance_id=item.id, events=entries)


@bp.delete("/api/events/<path:instance_id>/<event_id>")
@login_required_json
def delete_event(instance_id: str, event_id: str):
    return _delete("events", instance_id, event_id)
