"""Potato's rollout endpoints, for schemes that have a rollout set (potato_like/rollouts/).

`GET /api/rollout/set?schema=<name>`: the session's current item as a rollout manifest, in
the annotator's panel order. `POST /api/rollout/judge` `{schema, streams?, prompt_version?}`:
the project's AI provider judges the current item's streams; nothing is stored (a verdict is
to be compared with the annotator's marks, never merged into them).
`POST /admin/api/rollout/judge-batch` `{schemas?, max_items?, streams?, prompt_version?}`:
judges every item (at most `max_items`, default 100, per schema, in the request) and stores
the predictions per prompt version; the summary names everything skipped.
`GET /admin/api/rollout/alignment?schema=&tolerance=0.5&prompt_version=`: the stored
predictions scored against the annotators' consensus.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from ..ai.providers import for_project
from ..errors import BadRequest, NotFound, PotatoLikeError
from ..rollouts.alignment import align, human_consensus
from ..rollouts.judge import judge_stream
from ..rollouts.manifest import rollout_manifest, stream_file
from .security import admin_required, current_project, login_required_json, require_user

bp = Blueprint("rollouts", __name__)

DEFAULT_MAX_ITEMS = 100
MAX_ITEMS = 10_000


class NoJudge(PotatoLikeError):
    status = 503


def _rollout_schemes():
    return [s for s in current_project().config.schemes if hasattr(s, "rollout_set")]


def _scheme(name: Any):
    if not isinstance(name, str) or not name:
        raise BadRequest("'schema' is required: the name of a rollout scheme")
    scheme = next((s for s in current_project().config.schemes if s.name == name), None)
    if scheme is None:
        raise NotFound(f"no annotation scheme named {name!r} is configured")
    if not hasattr(scheme, "rollout_set"):
        raise BadRequest(f"{name!r} is a {scheme.type_name} scheme; it has no rollout set")
    return scheme


def _current_item(user):
    project = current_project()
    pos = project.store.assignments.current(user.user_id, project.policy)
    if pos.finished:
        raise NotFound("No current instance: every item is done")
    return project.store.items.by_seq(pos.item_seq)


def _provider():
    # The contact sheet travels as an OpenAI-style image part, which only the OpenAI chat
    # completions providers (openai, openai_compatible/vllm) send as such.
    from ..ai.providers.openai_compatible import OpenAI

    provider = for_project(current_project())
    if not isinstance(provider, OpenAI):
        raise NoJudge(
            "No vision-capable AI endpoint is configured: judging a rollout needs a model "
            "that can see the frames (ai_support with an openai or openai_compatible endpoint)"
        )
    return provider


def _names(body: dict, key: str) -> list[str] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"'{key}' must be a list of names")
    return value


def _version(body: dict) -> str:
    value = body.get("prompt_version", "")
    if not isinstance(value, str) or len(value) > 200:
        raise BadRequest("'prompt_version' must be a short string")
    return value


def _judge_item(provider, scheme, item_id: str, fields: dict, annotator: str, wanted, version):
    config = current_project().config
    manifest = rollout_manifest(config, scheme, fields, annotator, item_id)
    out = []
    for stream in manifest["streams"]:
        if wanted and stream["stream_id"] not in wanted:
            continue
        out.append(
            judge_stream(
                provider,
                stream_file(config, fields.get(stream["stream_id"])),
                stream["duration"] or 0.0,
                manifest["violation_types"],
                instance_id=item_id,
                schema_name=scheme.name,
                stream_id=stream["stream_id"],
                scenario=manifest["prompt"],
                prompt_version=version,
            )
        )
    return out


@bp.get("/api/rollout/set")
@login_required_json
def rollout_set():
    user = require_user()
    scheme = _scheme(request.args.get("schema"))
    item = _current_item(user)
    config = current_project().config
    return jsonify(rollout_manifest(config, scheme, item.fields, user.username, item.id))


@bp.post("/api/rollout/judge")
@login_required_json
def rollout_judge():
    user = require_user()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object: {schema, streams?, prompt_version?}")
    scheme = _scheme(body.get("schema"))
    wanted = _names(body, "streams")
    unknown = sorted(set(wanted or []) - set(scheme.stream_fields))
    if unknown:
        raise BadRequest(f"unknown stream(s) {', '.join(unknown)}; this scheme's streams are "
                         f"{', '.join(scheme.stream_fields)}")  # fmt: skip
    version = _version(body)
    item = _current_item(user)
    provider = _provider()
    predictions = _judge_item(provider, scheme, item.id, item.fields, user.username, wanted,
                              version)  # fmt: skip
    return jsonify(instance_id=item.id, schema=scheme.name, predictions=predictions)


@bp.post("/admin/api/rollout/judge-batch")
@admin_required
def rollout_judge_batch():
    body = request.get_json(silent=True)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    names = _names(body, "schemas")
    wanted = _names(body, "streams")
    version = _version(body)
    max_items = body.get("max_items", DEFAULT_MAX_ITEMS)
    if (
        not isinstance(max_items, int)
        or isinstance(max_items, bool)
        or not 1 <= max_items <= MAX_ITEMS
    ):
        raise BadRequest(f"'max_items' must be a whole number from 1 to {MAX_ITEMS}")
    schemes = _rollout_schemes()
    if not schemes:
        raise BadRequest("no rollout scheme is configured")
    if names is not None:
        missing = sorted(set(names) - {s.name for s in schemes})
        if missing:
            raise BadRequest(f"not rollout schemes here: {', '.join(missing)}")
        schemes = [s for s in schemes if s.name in names]
    provider = _provider()
    store = current_project().store
    judged = failed = 0
    skipped: list[str] = []
    for scheme in schemes:
        predictions: list[dict] = []
        for seen, (item_id, fields) in enumerate(store.items.iter_id_fields()):
            if seen >= max_items:
                skipped.append(f"{scheme.name}: stopped at the {max_items}-item limit")
                break
            # The batch judges streams in the scheme's own order (no annotator shuffle).
            for p in _judge_item(provider, scheme, item_id, fields, "", wanted, version):
                if p["error"]:
                    failed += 1
                    skipped.append(f"{item_id}::{p['stream_id']}: {p['error']}")
                else:
                    judged += 1
                predictions.append(p)
        store.rollout_predictions.put_many(version or "v0", predictions)
    return jsonify(judged=judged, failed=failed, skipped=skipped, n_skipped=len(skipped),
                   schemas=[s.name for s in schemes], prompt_version=version or "v0")  # fmt: skip


@bp.get("/admin/api/rollout/alignment")
@admin_required
def rollout_alignment():
    try:
        tolerance = float(request.args.get("tolerance") or 0.5)
    except ValueError:
        raise BadRequest("tolerance must be a number of seconds") from None
    if not 0 < tolerance < 1e6:
        raise BadRequest("tolerance must be a positive number of seconds")
    wanted = request.args.get("schema") or None
    schemes = [s for s in _rollout_schemes() if wanted in (None, s.name)]
    if wanted and not schemes:
        raise NotFound(f"no rollout scheme named {wanted!r}")
    project = current_project()
    version = (
        request.args.get("prompt_version") or project.store.rollout_predictions.latest_version()
    )
    if version is None:
        raise NotFound("No judge predictions have been recorded yet: run the batch first")
    report: dict[str, Any] = {"prompt_version": version, "tolerance": tolerance, "schemas": {}}
    rows: dict[str, dict[str, dict[str, dict]]] = {s.name: {} for s in schemes}
    for answered in project.store.annotations.iter_annotated():
        for scheme in schemes:
            value = scheme.data(answered.label_maps.get(scheme.name))
            if value:
                rows[scheme.name].setdefault(answered.item_id, {})[answered.user] = value
    for scheme in schemes:
        predictions = project.store.rollout_predictions.for_schema(version, scheme.name)
        if not predictions:
            report["schemas"][scheme.name] = {
                "error": f"no predictions recorded for {scheme.name!r} at prompt version {version}"
            }
            continue
        report["schemas"][scheme.name] = align(
            predictions, human_consensus(rows[scheme.name]), tolerance
        )
    return jsonify(report)
