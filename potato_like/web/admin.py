"""Admin JSON endpoints in seed 003 shapes: health, overview, the paginated instances and
all_instances lists, annotators, the export formats and a streamed export (which first
flushes the per-user output files). The HTML dashboard (dashboard.py), agreement
(admin_agreement.py), quality control (admin_quality.py), user/item/system state and
questions (admin_state.py) and run-time settings and suspicious activity (admin_runtime.py)
have their own modules."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, jsonify, request, stream_with_context

from .. import __version__
from ..errors import BadRequest
from ..export.registry import exporter, formats
from ..export.server_files import write_export
from ..store.activity import Activity
from ..store.stats import STATUS_CODES
from . import potato_shapes
from .params import int_arg, page_args
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


@bp.get("/admin/api/overview")
@admin_required
def overview():
    project = current_project()
    return jsonify(potato_shapes.overview(project.store.stats.overview().as_json(), project.config))


@bp.get("/admin/api/instances")
@admin_required
def instances():
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_CODES:
        raise BadRequest(f"unknown status {status!r}; use {', '.join(STATUS_CODES)}")
    if "page" in request.args or "page_size" in request.args:
        # Potato's pagination: page (from 1) and page_size (default 25).
        limit = int_arg("page_size", 25, minimum=1, maximum=1000)
        offset = (int_arg("page", 1, minimum=1, maximum=10**9) - 1) * limit
    else:
        limit, offset = page_args(default_limit=100)
    project = current_project()
    rows, total = project.store.stats.instances(status, limit, offset)
    return jsonify(potato_shapes.instances(rows, total, limit, offset, project.policy.overlap))


@bp.get("/admin/all_instances")
@admin_required
def all_instances():
    limit, offset = page_args(default_limit=100)
    rows, total = current_project().store.stats.instances(None, limit, offset, full_text=True)
    return jsonify(instances=rows, total_count=total, limit=limit, offset=offset)


@bp.get("/admin/api/annotators")
@admin_required
def annotators():
    limit, offset = page_args(default_limit=500)
    store = current_project().store
    rows, total = store.stats.annotators(limit, offset)
    times = Activity(store).submit_times([r["user_id"] for r in rows])
    return jsonify(potato_shapes.annotators(rows, total, times))


@bp.get("/admin/api/export/formats")
@admin_required
def export_formats():
    return jsonify(formats=[potato_shapes.export_format(cls.describe()) for cls in formats()])


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
    if "output" in body or _json_only():
        # Potato's clients: the export is written on the server and described in JSON.
        return jsonify(write_export(project, chosen, filename, body.get("output")))
    return Response(
        stream_with_context(chosen.stream(project)),
        mimetype=chosen.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _json_only() -> bool:
    """The client asked for JSON and nothing else (Accept: application/json)."""
    return request.accept_mimetypes.best == "application/json"


def _slug(name: str) -> str:
    slug = "".join(c if c.isalnum() else "_" for c in name).strip("_").lower()
    return slug or "annotations"
