"""Potato's corpus map (`corpus_map: {enabled: true}`): the annotator page /corpus/map and
/corpus/api/build_status|rebuild|map_data|clusters|cluster/<id>/docs|knn/<doc_id>|goto, with
Potato's JSON shapes. The map is built in the background (embeddings/corpus_map.py) and
read here from the store; a request never builds it.

Errors: the map off answers 400, not built yet 409, an unknown document 404, all as
`{"error": ...}`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..embeddings.corpus_map import runner
from ..errors import BadRequest, Conflict, NotFound
from .api import navigate_or_hold
from .security import admin_required, current_project, login_required_json, require_user

bp = Blueprint("corpus_map", __name__, url_prefix="/corpus")
NOT_ENABLED = "Corpus map not enabled: add `corpus_map: {enabled: true}` to the config"
NOT_BUILT = "the corpus map is not built yet; poll /corpus/api/build_status"


@bp.record_once
def build_on_start(state) -> None:
    project = state.app.extensions["potato_like"]
    cfg = project.config.corpus_map
    if cfg is not None and cfg.build_on_start and project.store.corpus_map.built_at() is None:
        runner(project).trigger()


class _Loaded:
    """The stored build, parsed once per build (a rebuild in any process changes
    `built_at`, which every read checks)."""

    def __init__(self) -> None:
        self.built_at: float | None = None
        self.data: dict[str, Any] | None = None
        self.by_id: dict[str, dict[str, Any]] = {}

    def get(self, project) -> dict[str, Any] | None:
        built_at = project.store.corpus_map.built_at()
        if built_at is None:
            return None
        if built_at != self.built_at:
            loaded = project.store.corpus_map.load()
            if loaded is None:
                return None
            self.built_at, self.data = loaded
            self.by_id = {p["doc_id"]: p for p in self.data["points"]}
        return self.data


def _project():
    project = current_project()
    if project.config.corpus_map is None:
        raise BadRequest(NOT_ENABLED)
    return project


def _loaded():
    project = _project()
    holder = project.cache("corpus_map_loaded", _Loaded)
    data = holder.get(project)
    if data is None:
        raise Conflict(NOT_BUILT)
    return holder, data


@bp.get("/map")
def map_page():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login_page"))
    _project()
    return render_template("corpus_map.html")


@bp.get("/api/build_status")
@login_required_json
def build_status():
    project = _project()
    work = runner(project)
    holder = project.cache("corpus_map_loaded", _Loaded)
    data = holder.get(project)
    built = data is not None
    if work.running:
        state = "building"
    elif work.last_error:
        state = "error"
    else:
        state = "done" if built else "idle"
    return jsonify(
        state=state,
        built=built,
        n_docs=len(data["points"]) if built else 0,
        error=work.last_error or work.last_note,
        **({"info": data["info"]} if built else {}),
    )


@bp.post("/api/rebuild")
@admin_required
def rebuild():
    project = _project()
    return jsonify(status="rebuild started", run=runner(project).trigger())


@bp.get("/api/map_data")
@login_required_json
def map_data():
    _holder, data = _loaded()
    return jsonify(points=data["points"], clusters=data["clusters"])


@bp.get("/api/clusters")
@login_required_json
def clusters():
    _holder, data = _loaded()
    members: dict[int, list[str]] = {}
    for p in data["points"]:
        members.setdefault(p["cluster"], []).append(p["doc_id"])
    return jsonify(
        clusters=[
            {"id": c["id"], "doc_ids": members.get(c["id"], []), **c} for c in data["clusters"]
        ]
    )


@bp.get("/api/cluster/<int:cluster_id>/docs")
@login_required_json
def cluster_docs(cluster_id: int):
    _holder, data = _loaded()
    if not any(c["id"] == cluster_id for c in data["clusters"]):
        raise NotFound(f"no cluster {cluster_id}")
    docs = [
        {"doc_id": p["doc_id"], "snippet": p["snippet"]}
        for p in data["points"]
        if p["cluster"] == cluster_id
    ]
    return jsonify(docs=docs)


@bp.get("/api/knn/<doc_id>")
@login_required_json
def knn(doc_id: str):
    holder, data = _loaded()
    if doc_id not in holder.by_id:
        raise NotFound(f"unknown doc_id {doc_id!r}")
    neighbours = [
        {"doc_id": nid, "score": score, "snippet": holder.by_id.get(nid, {}).get("snippet", "")}
        for nid, score in data["knn"].get(doc_id, [])
    ]
    return jsonify(neighbors=neighbours)


@bp.post("/api/goto")
@login_required_json
def goto():
    """Move the signed-in annotator to `doc_id` (assigning it when the project's rules let
    them take it: a 403 says why not)."""
    project = _project()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    doc_id = body.get("doc_id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id:
        raise BadRequest("Missing 'doc_id'")
    if project.store.items.by_id(doc_id) is None:
        raise NotFound(f"unknown doc_id {doc_id!r}")
    pos, check = navigate_or_hold(require_user(), {"go_to": doc_id}, form_index=False)
    if check is not None:
        raise Conflict("answer the pending check before moving to another document")
    return jsonify(
        success=True, doc_id=pos.item_id, index=pos.index, url=url_for("annotate.annotate_page")
    )
