"""Seed 002's HTTP API on a workspace's root app (docs/service-api-002.md). Keys: the
workspace's API keys, sent as HTTP Basic user name (or any form api_keys.presented_key
reads); reading needs the read scope, the rest write. Errors: {"status_code", "error"}."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, g, jsonify, request

from ...errors import BadRequest, Conflict, Forbidden, NotFound, PotatoLikeError
from ...web.api_v1.common import require_scope, service
from .reconcile import register
from .tasks import (
    answering_scheme,
    expected_response,
    materialise,
    order_queue,
    owner_accounts,
    records,
)

bp = Blueprint("scale", __name__, url_prefix="/v1")
TASK_TYPES = ("categorization", "textcollection", "imageannotation")
STATUSES = ("staging", "in_progress", "completed")
PRIORITY = (10, 30)
MAX_NAME = 255


@bp.record_once
def _register_reconciler(state) -> None:
    workspace = state.app.extensions.get("potato_like")
    if hasattr(workspace, "periodic"):
        register(workspace)


@bp.errorhandler(PotatoLikeError)
def _error(err: PotatoLikeError):
    return jsonify({"status_code": err.status, "error": err.message}), err.status


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    moment = dt.datetime.fromtimestamp(seconds, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def batch_out(batch: dict[str, Any], detailed: bool = False) -> dict[str, Any]:
    out = {
        "project": batch["project_name"],
        "name": batch["name"],
        "callback": batch["callback"],
        "status": batch["status"],
        "created_at": iso(batch["created_at"]),
        "metadata": batch["metadata"],
        "priority": batch["priority"],
        "calibration_batch": batch["calibration"],
        "self_label_batch": batch["self_label"],
    }
    if detailed:
        pending, completed = records(service()).counts(batch["name"])
        out.update(tasks_pending=pending, tasks_completed=completed)
    return out


def task_out(task: dict[str, Any]) -> dict[str, Any]:
    params = dict(task["params"])
    return {
        "task_id": task["task_id"],
        "type": task["type"],
        "project": params.pop("project_name", task["project"]),
        "batch": task["batch"],
        "status": task["status"],
        "created_at": iso(task["created_at"]),
        "completed_at": iso(task["completed_at"]),
        "instruction": params.get("instruction"),
        "callback_url": params.get("callback_url"),
        "metadata": params.get("metadata") or {},
        "unique_id": task["unique_id"],
        "params": params,
        "response": task["response"],
    }


# -- inputs ----------------------------------------------------------------------------
def _json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if data is None and request.form:
        data = request.form.to_dict()
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def _text(data: dict, key: str, *, required: bool = False, limit: int = MAX_NAME) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise BadRequest(f"{key} is required")
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadRequest(f"{key} must be a string of at most {limit} characters")
    return value


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise BadRequest(f"{key} must be true or false")


def _callback(value: str | None, key: str) -> str | None:
    """An http(s) URL or an e-mail address (refused otherwise); the outbox checks the
    address it calls (SSRF guard) when it delivers."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return value
    if "@" in value and "/" not in value and " " not in value and not parts.scheme:
        local, _, domain = value.rpartition("@")
        if local and "." in domain:
            return value
    raise BadRequest(f"{key} must be an http(s) URL or an e-mail address")


def _project(name: str):
    """(slug, Project) of the project the client names: a workspace slug or a title."""
    projects = service().projects()
    found = projects.get(name)
    slug = name
    if found is None:
        for candidate, project in sorted(projects.items()):
            if project.config.annotation_task_name == name:
                slug, found = candidate, project
                break
    if found is None:
        raise NotFound(f"no project named {name!r}")
    key = g.get("api_key")
    if key is not None and key.project is not None and key.project != slug:
        raise Forbidden("this API key is restricted to another project")
    return slug, found


def _batch(name: str) -> dict[str, Any]:
    batch = records(service()).batch(name)
    if batch is None:
        raise NotFound(f"no batch named {name!r}")
    key = g.get("api_key")
    if key is not None and key.project is not None and key.project != batch["project"]:
        raise NotFound(f"no batch named {name!r}")
    return batch


def _time(value: str | None, key: str) -> float | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{key} must be a date or an ISO 8601 time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _int_arg(key: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{key} must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"{key} must be between {low} and {high}")
    return value


# -- batches ---------------------------------------------------------------------------
@bp.post("/batches")
@require_scope("write")
def create_batch():
    data = _json_body()
    project_name = _text(data, "project", required=True)
    name = _text(data, "name", required=True)
    slug, project = _project(project_name)
    calibration = _flag(data, "calibration_batch")
    if calibration and not project.config.study.training.enabled:
        raise Conflict(
            f"project {project_name!r} has no training phase (config `training`): a "
            "calibration batch's tasks are served as its training questions"
        )
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadRequest("metadata must be an object")
    key = g.get("api_key")
    self_label = _flag(data, "self_label_batch")
    if self_label and not owner_accounts(service(), key.id if key is not None else None):
        raise BadRequest(
            "self_label_batch needs an API key with accounts (workspace.yaml api_keys: "
            "accounts: [usernames]): its tasks are served only to those accounts"
        )
    batch = records(service()).create_batch(
        {
            "name": name,
            "project": slug,
            "project_name": project_name,
            "callback": _callback(_text(data, "callback", limit=2000), "callback"),
            "calibration": int(calibration),
            "self_label": int(self_label),
            "status": "staging",
            "metadata": metadata,
            "owner_key": key.id if key is not None else None,
            "created_at": time.time(),
        }
    )
    return jsonify(batch_out(batch)), 200


@bp.post("/batches/<name>/finalize")
@require_scope("write")
def finalize(name: str):
    batch = _batch(name)
    workspace = service()
    store = records(workspace)
    if store.finalize(name):
        project = workspace.projects().get(batch["project"])
        if project is None:
            raise NotFound(f"the project of batch {name!r} is gone")
        tasks = store.tasks(batch=name, in_project=0)
        materialise(workspace, batch["project"], project, tasks, batch)
    return jsonify(batch_out(store.batch(name))), 200


@bp.get("/batches/<name>")
@require_scope("read")
def get_batch(name: str):
    return jsonify(batch_out(_batch(name), detailed=_detailed()))


@bp.get("/batches/<name>/status")
@require_scope("read")
def batch_status(name: str):
    batch = _batch(name)
    pending, completed = records(service()).counts(name)
    return jsonify(
        {"status": batch["status"], "tasks_pending": pending, "tasks_completed": completed}
    )


def _detailed() -> bool:
    raw = request.args.get("detailed", "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise BadRequest("detailed must be true or false")
    return raw in ("true", "1")


@bp.get("/batches")
@require_scope("read")
def list_batches():
    args = request.args
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise BadRequest("status must be staging, in_progress or completed")
    slug = _project(args["project"])[0] if args.get("project") else None
    key = g.get("api_key")
    if slug is None and key is not None and key.project is not None:
        slug = key.project
    limit = _int_arg("limit", 100, 1, 100)
    offset = _int_arg("offset", 0, 0, 10**9)
    start, end = (
        _time(args.get("start_time"), "start_time"),
        _time(args.get("end_time"), "end_time"),
    )
    detailed = _detailed()
    store = records(service())
    found = store.batches(
        project=slug, status=status, start=start, end=end, limit=limit + 1, offset=offset
    )
    docs = [batch_out(b, detailed) for b in found[:limit]]
    return jsonify({"docs": docs, "limit": limit, "offset": offset, "has_more": len(found) > limit})


@bp.post("/batches/<name>/prioritize")
@require_scope("write")
def prioritize(name: str):
    batch = _batch(name)
    priority = _json_body().get("priority")
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise BadRequest("priority must be an integer from 10 to 30")
    if not PRIORITY[0] <= priority <= PRIORITY[1]:
        raise BadRequest("priority must be an integer from 10 to 30")
    workspace = service()
    records(workspace).set_batch(name, priority=priority)
    project = workspace.projects().get(batch["project"])
    if project is not None and batch["status"] == "in_progress":
        order_queue(workspace, batch["project"], project)
    return jsonify({"result": "success"})


# -- tasks -----------------------------------------------------------------------------
def _task_params(task_type: str, data: dict) -> dict[str, Any]:
    params: dict[str, Any] = {}
    attachment = _text(data, "attachment", required=True, limit=20_000)
    default_type = "image" if task_type == "imageannotation" else "text"
    attachment_type = _text(data, "attachment_type", limit=40) or default_type
    if attachment_type not in ("text", "image", "website"):
        raise BadRequest("attachment_type must be text, image or website")
    if task_type == "imageannotation" and attachment_type != "image":
        raise BadRequest("an imageannotation task's attachment_type must be image")
    if attachment_type != "text":
        parts = urlsplit(attachment)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRequest("attachment must be an http(s) URL for this attachment_type")
    params.update(attachment=attachment, attachment_type=attachment_type)
    params["instruction"] = _text(data, "instruction", limit=20_000) or ""
    params["callback_url"] = _callback(_text(data, "callback_url", limit=2000), "callback_url")
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise BadRequest("metadata must be an object")
    params["metadata"] = metadata
    if task_type == "categorization":
        categories = data.get("categories")
        if (
            not isinstance(categories, list)
            or not categories
            or not all(isinstance(c, str) and c.strip() for c in categories)
        ):
            raise BadRequest("categories must be a non-empty list of strings")
        params["categories"] = categories
        params["allow_multiple"] = _flag(data, "allow_multiple")
    elif task_type == "textcollection":
        fields = data.get("fields", [])
        if not isinstance(fields, list):
            raise BadRequest("fields must be a list")
        params["fields"] = fields
    else:
        geometries = data.get("geometries", {})
        if not isinstance(geometries, dict):
            raise BadRequest("geometries must be an object")
        params["geometries"] = geometries
    return params


@bp.post("/task/<task_type>")
@require_scope("write")
def create_task(task_type: str):
    if task_type not in TASK_TYPES:
        raise NotFound(f"unknown task type {task_type!r}: {', '.join(TASK_TYPES)}")
    data = _json_body()
    workspace = service()
    store = records(workspace)
    batch_name = _text(data, "batch")
    batch = _batch(batch_name) if batch_name else None
    project_name = _text(data, "project") or (batch["project_name"] if batch else None)
    if project_name is None:
        raise BadRequest("project is required")
    slug, project = _project(project_name)
    if service().status(slug) == "archived":
        raise Conflict(f"project {project_name!r} is archived: it takes no new tasks")
    if batch is not None and batch["project"] != slug:
        raise BadRequest(f"batch {batch_name!r} belongs to another project")
    if batch is not None and batch["status"] == "completed":
        raise Conflict(f"batch {batch_name!r} is completed: it takes no more tasks")
    params = _task_params(task_type, data)
    params["project_name"] = project_name
    scheme = answering_scheme(project, task_type, params)
    params["scheme"] = scheme.name
    if batch is not None and batch["calibration"]:
        params["expected_response"] = expected_response(project, scheme, data)
    unique_id = _text(data, "unique_id")
    task = store.create_task(
        {
            "task_id": uuid.uuid4().hex,
            "project": slug,
            "batch": batch_name,
            "type": task_type,
            "unique_id": unique_id,
            "params": params,
            "status": "pending",
            "created_at": time.time(),
        }
    )
    if batch is None or batch["status"] != "staging":
        materialise(workspace, slug, project, [task], batch)
        task = store.task(task["task_id"])
    return jsonify(task_out(task)), 200


@bp.get("/task/<task_id>")
@require_scope("read")
def get_task(task_id: str):
    task = records(service()).task(task_id)
    key = g.get("api_key")
    if task is None or (key is not None and key.project not in (None, task["project"])):
        raise NotFound(f"no task {task_id!r}")
    return jsonify(task_out(task))
