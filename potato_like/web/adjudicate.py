"""Adjudication (seed 003 "Adjudication API"): the `/adjudicate` page and its JSON API, and
`GET /admin/api/adjudication`. Adjudicators are the password accounts named in
`adjudication.adjudicator_users` (and admins); annotators get 403. The rules live in
quality/adjudication.py, the rows in store/gold.py."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

from ..errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from ..quality import adjudication as rules
from .security import admin_required, current_project

bp = Blueprint("adjudicate", __name__)


def adjudicator_required(view):
    """A logged-in adjudicator (or admin) with a password account; 404 when adjudication
    is off, 401 without a session, 403 for everyone else."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        project = current_project()
        cfg = project.config.adjudication
        if not cfg.enabled:
            raise NotFound("adjudication is not enabled for this project")
        if not current_user.is_authenticated:
            raise Unauthorized("No active session")
        name = current_user.username
        if name.casefold() not in {n.casefold() for n in cfg.adjudicator_users} and not (
            current_user.is_admin
        ):
            raise Forbidden("adjudicators only")
        row = project.store.users.get(current_user.user_id)
        if row is None or not row.password_hash:
            raise Forbidden("adjudicators must log in with a password account")
        return view(*args, **kwargs)

    return wrapped


@bp.get("/adjudicate")
@adjudicator_required
def page():
    cfg = current_project().config.adjudication
    return render_template(
        "adjudicate/adjudicate.html",
        taxonomy=cfg.error_taxonomy,
        require_confidence=cfg.require_confidence,
        similarity=cfg.similarity_enabled,
        fast_ms=cfg.fast_decision_warning_ms,
        start=request.args.get("instance_id", ""),
    )


@bp.get("/adjudicate/api/queue")
@adjudicator_required
def queue():
    status = request.args.get("status") or None
    if status is not None and status not in (rules.PENDING, rules.SKIPPED, rules.COMPLETED):
        raise BadRequest("status must be pending, skipped or completed")
    entries = rules.queue(current_project(), current_user.user_id)
    if status:
        entries = [e for e in entries if e.status == status]
    return jsonify({"items": [e.as_json() for e in entries], "total": len(entries)})


@bp.get("/adjudicate/api/item/<path:instance_id>")
@adjudicator_required
def item(instance_id: str):
    project = current_project()
    entry = _entry(instance_id)
    return jsonify(_item_body(project, entry, with_similar=True))


@bp.get("/adjudicate/api/next")
@adjudicator_required
def next_item():
    project = current_project()
    pending = [e for e in rules.queue(project, current_user.user_id) if e.status == rules.PENDING]
    if not pending:
        return jsonify({"item": None, "message": "No more items to adjudicate"})
    return jsonify(_item_body(project, pending[0], with_similar=False))


@bp.post("/adjudicate/api/submit")
@adjudicator_required
def submit():
    project = current_project()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("body must be a JSON object")
    instance_id = body.get("instance_id")
    if not isinstance(instance_id, str) or not instance_id:
        raise BadRequest("instance_id is required")
    row = project.store.items.by_id(instance_id)
    if row is None:
        raise NotFound(f"no item {instance_id!r}")
    answers = project.store.gold.item_answers(row.seq)
    finished = {a.username for a in answers}
    if len(finished) < project.config.adjudication.min_annotations:
        raise Conflict(
            f"{instance_id!r} has {len(finished)} finished annotation(s); adjudication starts "
            f"at {project.config.adjudication.min_annotations}"
        )
    groups = rules.group_answers(project.config, [(a.username, a.schema, a.value) for a in answers])
    decision = rules.check_decision(project.config, body, groups)
    project.store.gold.save_decision(
        row.seq,
        current_user.username,
        decision.labels,
        decision.source,
        decision.confidence,
        decision.notes,
        decision.error_categories,
        decision.time_spent_ms,
    )
    return jsonify({"status": "ok", "instance_id": instance_id, "source": decision.source})


@bp.post("/adjudicate/api/skip/<path:instance_id>")
@adjudicator_required
def skip(instance_id: str):
    entry = _entry(instance_id)
    current_project().store.gold.skip(current_user.user_id, entry.seq)
    return jsonify({"status": "ok", "instance_id": instance_id})


@bp.get("/adjudicate/api/stats")
@adjudicator_required
def stats():
    return jsonify(_stats(current_project(), current_user.user_id))


@bp.get("/adjudicate/api/similar/<path:instance_id>")
@adjudicator_required
def similar(instance_id: str):
    project = current_project()
    entry = _entry(instance_id)
    if not project.config.adjudication.similarity_enabled:
        return jsonify({"instance_id": instance_id, "enabled": False, "similar_items": []})
    return jsonify(
        {"instance_id": instance_id, "enabled": True, "similar_items": _similar(project, entry)}
    )


@bp.get("/admin/api/adjudication")
@admin_required
def admin_overview():
    project = current_project()
    cfg = project.config.adjudication
    if not cfg.enabled:
        return jsonify({"enabled": False, "message": "Adjudication not configured"})
    recent = sorted(project.store.gold.decisions(), key=lambda d: -d.decided_at)[:20]
    return jsonify(
        {
            "enabled": True,
            "stats": _stats(project, None),
            "adjudicators": list(cfg.adjudicator_users),
            "config": {
                "min_annotations": cfg.min_annotations,
                "agreement_threshold": cfg.agreement_threshold,
                "require_fully_annotated": cfg.require_fully_annotated,
                "show_all_items": cfg.show_all_items,
                "error_taxonomy": list(cfg.error_taxonomy),
                "similarity_enabled": cfg.similarity_enabled,
            },
            "recent_decisions": [_decision_json(d) for d in recent],
        }
    )


# -- helpers -------------------------------------------------------------------------------
def _entry(instance_id: str) -> rules.QueueEntry:
    for entry in rules.queue(current_project(), current_user.user_id):
        if entry.instance_id == instance_id:
            return entry
    raise NotFound(f"{instance_id!r} is not in the adjudication queue")


def _stats(project, user_id: int | None) -> dict:
    entries = rules.queue(project, user_id)
    total = len(entries)
    count = {s: sum(1 for e in entries if e.status == s) for s in rules.QUEUE_STATUSES}
    return {
        "total": total,
        "completed": count[rules.COMPLETED],
        "pending": count[rules.PENDING],
        "skipped": count[rules.SKIPPED],
        "in_progress": 0,
        "completion_rate": round(count[rules.COMPLETED] / total, 4) if total else 0.0,
        "avg_agreement": (
            round(sum(e.overall_agreement for e in entries) / total, 4) if total else 0.0
        ),
        "adjudicator_stats": project.store.gold.adjudicator_totals(),
    }


def _decision_json(decision) -> dict:
    return {
        "instance_id": decision.item_id,
        "adjudicator_id": decision.adjudicator,
        "timestamp": decision.decided_at,
        "label_decisions": decision.labels,
        "source": decision.source,
        "confidence": decision.confidence,
        "notes": decision.notes,
        "error_taxonomy": decision.error_categories,
        "time_spent_ms": decision.time_spent_ms,
    }


def _item_body(project, entry: rules.QueueEntry, with_similar: bool) -> dict:
    from .adjudicate_view import item_view

    body = item_view(project, entry)
    decision = project.store.gold.decision(entry.seq)
    body["decision"] = _decision_json(decision) if decision else None
    body["similar_items"] = (
        _similar(project, entry)
        if with_similar and project.config.adjudication.similarity_enabled and _index_ready(project)
        else []
    )
    return body


def _index_ready(project) -> bool:
    """Similar items come with the item only when the TF-IDF index is built; building it
    (scikit-learn, every item's text) is left to GET /adjudicate/api/similar, which the page
    calls after showing the item."""
    from ..quality.similar_items import similar_items

    return similar_items(project).ready()


def _similar(project, entry: rules.QueueEntry) -> list[dict]:
    from ..quality.similar_items import similar_items
    from .adjudicate_view import similar_view

    cfg = project.config.adjudication
    found = similar_items(project).index().neighbours(entry.seq, cfg.similarity_top_k)
    return similar_view(project, found)
