"""Admin endpoints of the foundation: health and exports. (The dashboard comes later.)"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request, stream_with_context

from .. import __version__
from ..errors import BadRequest
from ..export.registry import exporter, formats
from .security import admin_required, current_project

bp = Blueprint("admin", __name__)


@bp.get("/admin/health")
@admin_required
def admin_health():
    current_project().store.ping()
    return jsonify(
        status="healthy",
        timestamp=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        version=__version__,
    )


@bp.get("/admin/api/export/formats")
@admin_required
def export_formats():
    return jsonify(formats=[cls.describe() for cls in formats()])


@bp.post("/admin/api/export")
@admin_required
def run_export():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('the body must be a JSON object like {"format": "csv"}')
    name = body.get("format")
    chosen = exporter(name) if isinstance(name, str) else None
    if chosen is None:
        names = ", ".join(cls.name for cls in formats())
        raise BadRequest(f"unknown export format {name!r}; available: {names}")
    project = current_project()
    project.output.flush()
    filename = f"{_slug(project.config.annotation_task_name)}.{chosen.extension}"
    return Response(
        stream_with_context(chosen.stream(project)),
        mimetype=chosen.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _slug(name: str) -> str:
    slug = "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()
    return slug or "annotations"
