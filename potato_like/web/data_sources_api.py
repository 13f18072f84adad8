"""Potato's admin endpoints for remote data sources: the list with each copy's state, and a
refresh that fetches one source again now and imports what changed (config/remote_data.py
reads the sources; the fetch obeys the same guard, caps and allow-list as at start)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify

from ..errors import NotFound
from .security import admin_required, current_project

bp = Blueprint("data_sources_api", __name__)


@bp.get("/admin/api/data_sources")
@admin_required
def list_sources():
    project = current_project()
    remote = project.config.remote_data
    sources = [remote.status(s) for s in remote.sources] if remote is not None else []
    live = project.live_sources()
    for db in remote.databases if remote is not None else ():
        entry = {"id": db.id, "type": "database", "url": db.shown_url, "cached": True}
        if db.id in live:
            entry["live"] = live[db.id].describe()
        sources.append(entry)
    # `enabled` is Potato's key (whether any remote source is configured)
    return jsonify(enabled=bool(sources), sources=sources, count=len(sources))


@bp.post("/admin/api/data_sources/<source_id>/refresh")
@admin_required
def refresh_source(source_id: str):
    result = current_project().refresh_remote_source(source_id)
    if result is None:
        raise NotFound(f"no remote data source with id {source_id!r}")
    status, report = result
    # `status` and `source_id` are Potato's keys
    return jsonify(
        success=True,
        status="success",
        source_id=source_id,
        source=status,
        imported=asdict(report),
    )


@bp.get("/admin/api/data_sources/live")
@admin_required
def live_sources():
    live = current_project().live_sources()
    return jsonify(sources=[i.describe() for i in live.values()], count=len(live))


@bp.get("/admin/api/data_sources/<source_id>/live")
@admin_required
def live_source(source_id: str):
    return jsonify(_live(source_id).describe())


@bp.post("/admin/api/data_sources/<source_id>/live/poll")
@admin_required
def poll_live_source(source_id: str):
    """Poll one live source now (in this request: the admin asked to wait for it); a
    database that cannot be read answers 502 with the reason."""
    ingestor = _live(source_id)
    added = ingestor.poll()
    return jsonify(success=True, added=added, **ingestor.describe())


def _live(source_id: str):
    ingestor = current_project().live_sources().get(source_id)
    if ingestor is None:
        raise NotFound(f"no live database source with id {source_id!r}")
    return ingestor
