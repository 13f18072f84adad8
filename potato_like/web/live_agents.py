"""Live agent runs at Potato's paths (`/api/live_agent/...`, `/api/live_coding_agent/...`):
start a run on an item, poll its state (`?since=N` gives the steps from N on), pause,
resume, stop, instruct, list one's runs, and (coding agent) list the workspace's files.

A request never runs the agent: `start` hands the run to a background thread
(live_agents/runs.py) and answers at once. Agent settings come from the config only; a
client-supplied `config` is ignored, as in Potato. Runs belong to the annotator who started
them: another user's run is a 404.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, Conflict, NotFound
from ..live_agents.runs import MAX_INSTRUCTION, RunRefused, live_runs
from .security import current_project, login_required_json, require_user
from .tracking import own_item

bp = Blueprint("live_agents", __name__)
KINDS = ("live_agent", "live_coding_agent")
ACTIONS = ("pause", "resume", "stop", "instruct")
MAX_FILES = 500


def route(rule: str, methods=("GET",), actions: bool = False):
    """One URL rule per kind (and per control) at Potato's literal paths; the view gets
    `kind` (and `action`) from the rule's defaults."""

    def add(view):
        for kind in KINDS:
            for action in ACTIONS if actions else (None,):
                defaults = {"kind": kind, **({"action": action} if action else {})}
                path = rule.replace("{kind}", kind).replace("{action}", action or "")
                bp.add_url_rule(path, view.__name__, view, methods=list(methods), defaults=defaults)
        return view

    return add


def _settings(kind: str):
    found = current_project().config.live_agents.get(kind)
    if found is None:
        raise NotFound(f"this project has no {kind} block: no agent to run")
    return found


def _run(kind: str, run_id: str):
    user = require_user()
    run = live_runs(current_project()).get(run_id)
    if run is None or run.kind != kind or run.username != user.username:
        raise NotFound(f"no run {run_id!r} of yours")
    return run


@route("/api/{kind}/start", methods=("POST",))
@login_required_json
def start(kind: str):
    settings = _settings(kind)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object with instance_id")
    instance_id = body.get("instance_id")
    if not isinstance(instance_id, str) or not instance_id.strip():
        raise BadRequest("'instance_id' is required")
    user = require_user()
    item = own_item(user, instance_id.strip())
    start_url = str(item.fields.get("start_url") or item.fields.get("url") or "")
    if kind == "live_agent" and not start_url:
        raise BadRequest("this item has no start_url field: the agent has nowhere to start")
    try:
        run = live_runs(current_project()).start(
            settings, user.username, item.id, item.text, start_url
        )
    except RunRefused as exc:
        raise Conflict(str(exc)) from None
    return jsonify(session_id=run.run_id, state=run.state, backend=settings.endpoint_type)


@route("/api/{kind}/state/<run_id>")
@login_required_json
def state(kind: str, run_id: str):
    run = _run(kind, run_id)
    since = request.args.get("since", "0")
    if not since.isdigit():
        raise BadRequest("'since' must be a step number")
    return jsonify(run.public(int(since)))


@route("/api/{kind}/trace/<run_id>")
@login_required_json
def trace(kind: str, run_id: str):
    return jsonify(_run(kind, run_id).trace())


@route("/api/{kind}/{action}/<run_id>", methods=("POST",), actions=True)
@login_required_json
def control(kind: str, action: str, run_id: str):
    run = _run(kind, run_id)
    runs = live_runs(current_project())
    try:
        if action == "instruct":
            if not _settings(kind).allow_instructions:
                raise Conflict("instructions are off for this agent (allow_instructions)")
            body = request.get_json(silent=True)
            text = body.get("instruction") if isinstance(body, dict) else None
            if not isinstance(text, str) or not text.strip():
                raise BadRequest("'instruction' must be a non-empty string")
            if len(text) > MAX_INSTRUCTION:
                raise BadRequest(f"'instruction' is longer than {MAX_INSTRUCTION} characters")
            runs.instruct(run, text.strip())
        else:
            getattr(runs, action)(run)
    except RunRefused as exc:
        raise Conflict(str(exc)) from None
    return jsonify(session_id=run.run_id, state=run.state)


@route("/api/{kind}/sessions")
@login_required_json
def sessions(kind: str):
    _settings(kind)  # 404 without the config block: the page says so before Start
    user = require_user()
    instance_id = request.args.get("instance_id") or None
    runs = live_runs(current_project()).of_user(user.username, kind, instance_id)
    return jsonify(
        sessions=[
            {
                "session_id": r.run_id,
                "instance_id": r.instance_id,
                "state": r.state,
                "step_count": len(r.steps),
                "started": r.started,
            }
            for r in sorted(runs, key=lambda r: r.started)
        ]
    )


@route("/api/{kind}/files/<run_id>")
@login_required_json
def files(kind: str, run_id: str):
    run = _run(kind, run_id)
    root = run.workspace.resolve()
    names = []
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                names.append(path.relative_to(root).as_posix())
                if len(names) >= MAX_FILES:
                    break
    return jsonify(session_id=run.run_id, files=names)
