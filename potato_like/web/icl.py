"""ICL labelling API (seed 003): `/admin/api/icl/status|examples|predictions|accuracy|
trigger` and `/api/icl/record_verification`. The work runs in a background thread
(ai/icl.py); these views read the store and the worker's state, or queue work."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..ai.icl import canonical, worker
from ..errors import BadRequest
from ..store.icl import STATUSES
from .security import admin_required, current_project, login_required_json, require_user

bp = Blueprint("icl", __name__)
ACTIONS = ("refresh_examples", "batch_label", "save_state")
MAX_LIMIT = 1000


def _enabled():
    cfg = current_project().config.icl
    return cfg if cfg is not None and cfg.enabled else None


def _schema_arg(value, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            raise BadRequest("schema_name is required")
        return None
    if not isinstance(value, str):
        raise BadRequest("schema must be a string")
    cfg = current_project().config.icl
    if value not in cfg.schemas:
        raise BadRequest(
            f"unknown ICL schema {value!r}; ICL labels: {', '.join(cfg.schemas) or '(none)'}"
        )
    return value


@bp.get("/admin/api/icl/status")
@admin_required
def status():
    if _enabled() is None:
        return jsonify({"enabled": False, "message": "ICL labeling not configured"})
    return jsonify(worker(current_project()).status())


@bp.get("/admin/api/icl/examples")
@admin_required
def examples():
    if _enabled() is None:
        return jsonify({"examples": {}, "total_count": 0, "schema": request.args.get("schema")})
    schema = _schema_arg(request.args.get("schema"))
    found = worker(current_project()).examples
    chosen = {k: v for k, v in found.items() if schema in (None, k)}
    body = {"examples": chosen, "total_count": sum(len(v) for v in chosen.values())}
    if schema:
        body["schema"] = schema
    return jsonify(body)


@bp.get("/admin/api/icl/predictions")
@admin_required
def predictions():
    if _enabled() is None:
        return jsonify({"predictions": [], "total_count": 0})
    schema = _schema_arg(request.args.get("schema"))
    state = request.args.get("status") or None
    if state is not None and state not in STATUSES:
        raise BadRequest(f"status must be one of {', '.join(STATUSES)}")
    try:
        limit = int(request.args.get("limit", 100))
    except ValueError:
        raise BadRequest("limit must be a whole number") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    rows, total = current_project().store.icl.predictions(schema, state, limit)
    return jsonify({"predictions": rows, "total_count": total})


@bp.get("/admin/api/icl/accuracy")
@admin_required
def accuracy():
    if _enabled() is None:
        return jsonify({**current_project().store.icl.metrics(None), "enabled": False})
    schema = _schema_arg(request.args.get("schema"))
    return jsonify(current_project().store.icl.metrics(schema))


@bp.post("/admin/api/icl/trigger")
@admin_required
def trigger():
    if _enabled() is None:
        raise BadRequest("ICL labeling not configured (icl_labeling)")
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    action = body.get("action") or ""
    schema = body.get("schema", body.get("schema_name"))
    if not action and schema:
        action = "batch_label"
    if action not in ACTIONS:
        raise BadRequest(f"action must be one of {', '.join(ACTIONS)}")
    if action == "save_state":  # every prediction is stored as it is made
        return jsonify({"action": action, "success": True})
    schema = _schema_arg(schema)
    started = worker(current_project()).trigger(action, schema)
    return jsonify({"action": action, "success": True, "status": started, "schema": schema}), 202


@bp.post("/api/icl/record_verification")
@login_required_json
def record_verification():
    if _enabled() is None:
        raise BadRequest("ICL labeling not configured (icl_labeling)")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    item_id, human = body.get("instance_id"), body.get("human_label")
    if not isinstance(item_id, str) or not item_id or human in (None, "", []):
        raise BadRequest("instance_id, schema_name and human_label are required")
    schema = _schema_arg(body.get("schema_name"), required=True)
    project = current_project()
    scheme = project.config.scheme(schema)
    given = canonical(scheme, human)
    labels = given if isinstance(given, list) else [given]
    unknown = [x for x in labels if x not in scheme.label_names]
    if unknown:
        raise BadRequest(f"{schema}: unknown label {unknown[0]!r}; expected one of "
                         f"{', '.join(scheme.label_names)}")  # fmt: skip
    icl = project.store.icl
    prediction = icl.prediction(item_id, schema)
    if prediction is None:
        return jsonify({"success": False, "message": "No prediction found to verify"})
    correct = canonical(scheme, prediction["predicted_label"]) == given
    icl.verify(item_id, schema, given, correct, require_user().username)
    return jsonify({"success": True, "message": "Verification recorded", "correct": correct})
