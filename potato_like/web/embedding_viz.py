"""The embedding map (Potato's "Embedding Visualization API", seed 003): the admin page
`/admin/embedding_map/` and `/admin/api/embedding_viz/data|reorder|refresh|stats`.

Maps are computed in a background thread (embeddings/map_runs.py) and stored; these views
only read stored points, start a run, or move items to the front of the queue."""

from __future__ import annotations

import importlib.util
from typing import Any

from flask import Blueprint, jsonify, render_template, request

from ..embeddings.embedders import chosen
from ..embeddings.map_data import colour_scheme, map_page
from ..embeddings.map_runs import embed_settings, map_config, runner
from ..errors import BadRequest, Conflict
from ..project import TtlCache
from .dashboard import _guard
from .params import int_arg
from .security import admin_required, current_project

bp = Blueprint("embedding_viz", __name__)
PAGE_DEFAULT, PAGE_MAX = 5000, 20000
MAX_SELECTED = 200_000
STATS_SECONDS = 10.0
NOT_ENABLED = (
    "Embedding visualization not enabled: add `embedding_visualization: {enabled: true}` "
    "to the config"
)


def _enabled_project():
    project = current_project()
    if not map_config(project).enabled:
        raise BadRequest(NOT_ENABLED)
    return project


def _stats(project, run) -> dict[str, Any]:
    """Potato's map stats, kept STATS_SECONDS per map version (counting the answered points
    of a 100,000-point map costs ~0.2 s of CPU)."""
    cache = project.cache("embedding_map_stats", lambda: TtlCache(STATS_SECONDS))
    return cache.get(run.version if run is not None else None, lambda: _count(project, run))


def _count(project, run) -> dict[str, Any]:
    total = project.store.embed_map.item_count()
    shown = run.points if run is not None else 0
    annotated = project.store.embed_map.annotated_count(run.version) if run is not None else 0
    return {
        "total_instances": total,
        "visualized_instances": shown,
        "annotated_instances": annotated,
        "unannotated_instances": shown - annotated,
    }


@bp.get("/admin/embedding_map/")
def embedding_map_page():
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    cfg = map_config(project)
    scheme = colour_scheme(project, None) if cfg.enabled else None
    return render_template(
        "admin/embedding_map.html",
        tab="embedding_map",
        enabled=cfg.enabled,
        schemes=[s.name for s in project.config.schemes],
        schema=scheme.name if scheme is not None else "",
    )


@bp.get("/admin/api/embedding_viz/data")
@admin_required
def data():
    """A page of the stored map (`cursor`: the last page's `next_cursor`; `limit` points,
    default 5000). No map yet, or `force_refresh=true`: a run starts in the background."""
    project = _enabled_project()
    limit = int_arg("limit", PAGE_DEFAULT, minimum=1, maximum=PAGE_MAX)
    cursor = int_arg("cursor", 0, minimum=0)
    schema = (request.args.get("schema") or "").strip() or None
    colour_scheme(project, schema)  # a bad schema is a 400 before anything starts
    run = project.store.embed_map.current()
    work = runner(project)
    computation = None
    if request.args.get("force_refresh", "false").lower() == "true" or (
        run is None and not work.running and work.runs == 0
    ):
        computation = work.trigger()
    if run is None:
        body: dict[str, Any] = {
            "points": [],
            "labels": [],
            "label_colors": {},
            "next_cursor": None,
        }
    else:
        body = map_page(project, run, cursor, limit, schema)
    body["stats"] = _stats(project, run) if cursor == 0 else None
    body["version"] = run.version if run is not None else None
    body["computing"] = work.running
    if computation:
        body["computation"] = computation
    if work.last_error:
        body["last_error"] = work.last_error
    return jsonify(body)


@bp.post("/admin/api/embedding_viz/refresh")
@admin_required
def refresh():
    """Start a new map in the background ("queued" when one is being computed: another
    follows it). Answers at once with Potato's shape and the stored map's stats."""
    project = _enabled_project()
    body = request.get_json(silent=True)
    if body is not None and not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    state = runner(project).trigger()
    run = project.store.embed_map.current()
    return jsonify({"status": "success", "computation": state, "stats": _stats(project, run)})


@bp.get("/admin/api/embedding_viz/stats")
@admin_required
def stats():
    project = current_project()
    cfg, settings = map_config(project), embed_settings(project)
    run = project.store.embed_map.current() if cfg.enabled else None
    work = runner(project)
    front_total, front_open = project.store.queue_front.size()
    return jsonify(
        {
            "enabled": cfg.enabled,
            "umap_available": importlib.util.find_spec("umap") is not None,
            "numpy_available": True,
            "embeddings_available": True,
            "embedder": chosen(settings)[0].describe(),
            "embedding_count": run.points if run is not None else 0,
            "cache_valid": run is not None,
            "version": run.version if run is not None else None,
            "computed_at": run.finished_at if run is not None else None,
            "computed_with": run.embedder if run is not None else None,
            "compute_seconds": run.seconds if run is not None else None,
            "status": work.status(),
            "queue_front": {"items": front_total, "open": front_open},
            "reorder_supported": project.policy.strategy.offers_every_item,
            "config": {
                "sample_size": cfg.sample_size,
                "include_all_annotated": cfg.include_all_annotated,
                "label_source": cfg.label_source,
                "umap_n_neighbors": cfg.n_neighbors,
                "umap_min_dist": cfg.min_dist,
                "umap_metric": cfg.metric,
                "embeddings_backend": settings.backend,
                "svd_components": settings.svd_components,
            },
        }
    )


@bp.post("/admin/api/embedding_viz/reorder")
@admin_required
def reorder():
    """Move the selected items to the front of the annotation queue (Potato's body:
    `selections: [{instance_ids, priority}]`, `interleave`, default true; ours also
    `replace`: empty the front first). Works with every strategy that offers all items to
    everyone; batch and category_based give each annotator only their own items: 409."""
    project = _enabled_project()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("No JSON data provided")
    selections = body.get("selections")
    if not isinstance(selections, list) or not selections:
        raise BadRequest("No selections provided")
    interleave = body.get("interleave", True)
    replace = body.get("replace", False)
    if not isinstance(interleave, bool) or not isinstance(replace, bool):
        raise BadRequest("interleave and replace must be true or false")
    groups = []
    for n, sel in enumerate(selections):
        if not isinstance(sel, dict) or not isinstance(sel.get("instance_ids"), list):
            raise BadRequest(f"selections[{n}] must be an object with an instance_ids list")
        ids = sel["instance_ids"]
        if not all(isinstance(i, str) and i for i in ids):
            raise BadRequest(f"selections[{n}].instance_ids must be non-empty strings")
        priority = sel.get("priority", n + 1)
        if isinstance(priority, bool) or not isinstance(priority, (int, float)):
            raise BadRequest(f"selections[{n}].priority must be a number")
        groups.append((priority, n, ids))
    if sum(len(ids) for _p, _n, ids in groups) > MAX_SELECTED:
        raise BadRequest(f"at most {MAX_SELECTED} items per reorder")
    strategy = project.policy.strategy
    if not strategy.offers_every_item:
        raise Conflict(
            f"assignment_strategy {strategy.name!r} offers each annotator only their own "
            "items, so the queue cannot be reordered from the map"
        )
    order = _merge(sorted(groups), interleave)
    moved = project.store.queue_front.move_to_front(order, replace=replace)
    unknown = len(order) - len(moved)
    return jsonify(
        {
            "success": True,
            "reordered_count": len(moved),
            "new_order_preview": moved[:10],
            "unknown_ids": unknown,
        }
    )


def _merge(groups: list[tuple[Any, int, list[str]]], interleave: bool) -> list[str]:
    """Potato's order: by priority; interleaved round-robin ([A,B,C],[X,Y] -> A,X,B,Y,C)
    or one group after another; each id once."""
    lists = [ids for _p, _n, ids in groups]
    if interleave:
        merged = [
            ids[i] for i in range(max(len(ids) for ids in lists)) for ids in lists if i < len(ids)
        ]
    else:
        merged = [i for ids in lists for i in ids]
    return list(dict.fromkeys(merged))
