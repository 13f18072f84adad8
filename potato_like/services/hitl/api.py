"""Seed 001's routes at a workspace's root: `/v1/health`, `/v1/projects`, `/v1/jobs...`,
`/v1/metrics`, `/v1/ip` (key: `Authorization: api_key K`, or any form api_keys accepts;
errors `{"error": "..."}`), and the admin's `/api/v1/projects/<id>/activate|deactivate`."""

from __future__ import annotations

import datetime as dt
import logging
import socket
from functools import partial, wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, make_response, request, send_file

from ...api_keys import presented_key
from ...errors import BadRequest, ConfigError, Forbidden, NotFound, PotatoLikeError, Unauthorized
from ...web.api_v1.common import Invalid, install_errors, require_scope, service
from ...web.key_lookup import allows, presented_record
from ...webhooks.outbox import headers_problem, target_problem
from . import logic
from .metrics import LEVELS, project_metrics

log = logging.getLogger("potato_like")
bp = Blueprint("hitl", __name__)
admin_bp = Blueprint("hitl_admin", __name__, url_prefix="/api/v1")
install_errors(admin_bp)


@bp.errorhandler(PotatoLikeError)
def on_error(err: PotatoLikeError):
    return jsonify({"error": err.message}), err.status


def keyed(scope: str):
    """The view needs a workspace API key allowing `scope`: 401 without one or with a wrong
    one, 403 when the key may not do this."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            record = presented_record("send Authorization: api_key YOUR_API_KEY")
            if record is None:  # no project admin key at the workspace root
                raise Unauthorized("invalid or revoked API key")
            if not allows(record, scope):
                raise Forbidden(f"this API key may not do this (it needs the {scope} scope)")
            g.api_key = record
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _json() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object (Content-Type: application/json)")
    return data


def _text(data: dict, name: str, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name}: required, a non-empty string")
    return value.strip()


@bp.get("/v1/health")
def health():
    if presented_key(request.headers):  # a key given must be a good one
        return keyed("read")(lambda: jsonify({"status": "UP"}))()
    return jsonify({"status": "UP"})


# -- projects ------------------------------------------------------------------------------
@bp.post("/v1/projects")
@keyed("write")
def create_project():
    data = _json()
    if "instructions_file_url" not in data and "project" in data:
        return _as_batch()  # seed 002's documented body for this path creates a batch
    name = _text(data, "name")
    url = _text(data, "instructions_file_url")
    if len(name) > 200:
        raise BadRequest("name: at most 200 characters")
    pid = logic.create(service(), name, url, g.api_key.id)
    return jsonify({"id": pid, "status": "new"}), 200


def _as_batch():
    """Hand a seed-002 batch body to whichever view serves POST /v1/batches here."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, args = adapter.match("/v1/batches", method="POST")
    except Exception:
        raise NotFound("batches are not served here (POST /v1/batches)") from None
    return current_app.view_functions[endpoint](**args)


@bp.get("/v1/projects")
@keyed("read")
def list_projects():
    workspace = service()
    found = []
    for rec in workspace.store.hitl.projects():
        if workspace.app_for(rec["slug"]) is not None:
            found.append(logic.project_out(workspace, logic.project(workspace, rec["id"])))
    return jsonify(found)


@bp.get("/v1/projects/<pid>")
@keyed("read")
def get_project(pid: str):
    return jsonify(logic.project_out(service(), logic.project(service(), pid)))


@admin_bp.post("/projects/<pid>/activate")
@require_scope("admin")
def activate(pid: str):
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid([{"loc": ["body"], "msg": "must be a JSON object", "type": "type_error"}])
    schemes = data.get("annotation_schemes")
    if schemes is not None and (
        not isinstance(schemes, list) or not all(isinstance(s, dict) for s in schemes)
    ):
        raise Invalid(
            [{"loc": ["body", "annotation_schemes"], "msg": "a list of schemes", "type": "type"}]
        )
    try:
        rec = logic.activate(service(), pid, schemes)
    except ConfigError as err:
        raise Invalid(
            [
                {"loc": ["body", "annotation_schemes"], "msg": p, "type": "config"}
                for p in err.problems
            ]
        ) from None
    return jsonify(logic.project_out(service(), rec))


@admin_bp.post("/projects/<pid>/deactivate")
@require_scope("admin")
def deactivate(pid: str):
    logic.set_status(service(), pid, "inactive")
    return jsonify(logic.project_out(service(), logic.project(service(), pid)))


# -- jobs ----------------------------------------------------------------------------------
def _job_body(data: dict) -> dict[str, Any]:
    wanted: dict[str, Any] = {"project_id": _text(data, "project_id")}
    urls = data.get("file_urls")
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise BadRequest("file_urls: required, a non-empty list of URLs")
    if len(urls) > logic.MAX_FILES:
        raise BadRequest(f"file_urls: at most {logic.MAX_FILES} files per job")
    wanted["file_urls"] = urls
    predictions = data.get("predictions")
    if predictions is not None and not isinstance(predictions, dict):
        raise BadRequest("predictions: must be a JSON object")
    wanted["predictions"] = predictions
    hook = data.get("webhook_url")
    if hook is not None and (
        not isinstance(hook, str) or not hook.lower().startswith(("http://", "https://"))
    ):
        raise BadRequest("webhook_url: must be an http(s) URL")
    headers = data.get("webhook_headers")
    if headers is not None and (
        not isinstance(headers, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise BadRequest("webhook_headers: must be an object of strings")
    if hook is not None and (problem := target_problem(hook) or headers_problem(headers)):
        raise BadRequest(f"webhook: {problem}")
    wanted["webhook_url"], wanted["webhook_headers"] = hook, headers
    minutes = data.get("expiration_minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 1440
    ):
        raise BadRequest("expiration_minutes: must be an integer between 1 and 1440")
    wanted["expiration_minutes"] = minutes
    return wanted


@bp.post("/v1/jobs")
@keyed("write")
def create_job():
    wanted = _job_body(_json())
    return jsonify({"job_id": logic.add_job(service(), wanted["project_id"], wanted)})


def _out(found: dict) -> dict:
    return logic.job_out(found, logic.image_url(service(), found, request.host_url))


@bp.get("/v1/jobs/<pid>/<jid>")
@keyed("read")
def get_job(pid: str, jid: str):
    return jsonify(_out(logic.job(service(), pid, jid)))


@bp.delete("/v1/jobs/<pid>/<jid>")
@keyed("write")
def cancel_job(pid: str, jid: str):
    return jsonify([_out(logic.cancel(service(), pid, jid))])


@bp.get("/v1/jobs/<pid>/<jid>/files/<int:n>")
@keyed("read")
def job_file(pid: str, jid: str, n: int):
    path, content_type = logic.file_path(service(), pid, jid, n)
    if not path.is_file():
        raise NotFound("the file is gone")
    return send_file(path, mimetype=content_type, max_age=0)


@bp.get("/v1/jobs/<pid>")
@keyed("read")
def bulk_jobs(pid: str):
    workspace = service()
    logic.project(workspace, pid)
    logic.reconcile(workspace)
    return jsonify([_out(j) for j in workspace.store.hitl.jobs([pid])])


# -- metrics and egress ip -------------------------------------------------------------------
def _date(name: str) -> dt.date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise BadRequest(f"{name}: must be an ISO date (YYYY-MM-DD)") from None


@bp.get("/v1/metrics")
@keyed("read")
def metrics():
    workspace = service()
    level = request.args.get("period_group_level") or "month"
    if level not in LEVELS:
        raise BadRequest(f"period_group_level: one of {', '.join(LEVELS)}")
    start, end = _date("period_start_date"), _date("period_end_date")
    wanted = request.args.get("project_ids")
    projects = workspace.store.hitl.projects()
    if wanted:
        ids = [p.strip() for p in wanted.split(",") if p.strip()]
        known = {p["id"] for p in projects}
        if unknown := [i for i in ids if i not in known]:
            raise NotFound(f"no project {', '.join(unknown)}")
        projects = [p for p in projects if p["id"] in ids]
    logic.reconcile(workspace)
    out = []
    for rec in projects:
        jobs = workspace.store.hitl.jobs([rec["id"]])
        out.append(project_metrics(rec, jobs, start, end, level))
    return jsonify(out)


@bp.get("/v1/ip")
@keyed("read")
def egress_ip():
    address = service().config.egress_ip or _outbound_address()
    response = make_response(address)
    response.mimetype = "text/plain"
    return response


def _outbound_address() -> str:
    """The local address this host leaves through (a UDP "connect" sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: routed like the internet, never used
            return sock.getsockname()[0]
        except OSError:
            return "127.0.0.1"


# -- the reconciler ---------------------------------------------------------------------------
@bp.record_once
def _register_reconciler(state) -> None:
    """The workspace's background thread (webhooks/worker.py, started by run.py DIR) runs
    the reconciler before each delivery round, every few seconds."""
    workspace = state.app.extensions["potato_like"]
    workspace.periodic.append(partial(logic.reconcile, workspace))
