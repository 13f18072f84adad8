"""`GET /admin/api/quality_control` (seed 003): attention checks, gold standards,
auto-promotion and pre-annotation."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..quality.report import quality_report
from .security import admin_required, current_project

bp = Blueprint("admin_quality", __name__)


@bp.get("/admin/api/quality_control")
@admin_required
def quality_control():
    return jsonify(quality_report(current_project()))
