"""Crowd workers in the web app: arrival from a platform link (GET / with the platform's
parameters), MTurk's preview, clear pages for bad links, the time limit, and the admin view
GET /admin/api/crowdsourcing."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..crowd import arrival_provider, end_for_time, time_is_up
from ..crowd.base import ArrivalProblem
from ..errors import Forbidden, PotatoLikeError
from .security import admin_required, current_project

bp = Blueprint("crowd", __name__)

# Requests the time limit applies to (pages show the countdown).
TIMED_ENDPOINTS = frozenset(
    {
        "annotate.annotate_page",
        "annotate.annotate_action",
        "api.current_instance",
        "api.update_instance",
        "api.go_to",
        "phases.phase_page",
        "phases.phase_json",
        "phases.submit_phase",
    }
)
COUNTDOWN_PAGES = frozenset({"annotate.annotate_page", "phases.phase_page"})


def arrival():
    """Handle GET / for a crowd project: a response, or None when the request carries no
    platform parameters (then the home page decides: resume, or explain)."""
    project = current_project()
    cfg = project.config.crowd
    args = request.args
    provider = arrival_provider(cfg, args)
    if provider.is_preview(args):
        return preview_page(provider)
    if not args:
        return None  # a plain visit: the home page resumes a session or explains
    try:
        identity = provider.identity(args)
    except ArrivalProblem as err:
        return problem_page(err.message, err.status, provider.label)
    from .auth import login_without_password

    # The same worker again (another tab, the link clicked twice): keep the session, so the
    # pages already open keep working (their CSRF token stays valid).
    same = current_user.is_authenticated and current_user.username == identity.worker_id
    if not same:
        try:
            login_without_password(identity.worker_id, kind=cfg.login_kind)
        except PotatoLikeError as err:
            return problem_page(err.message, err.status, provider.label)
    project.store.crowd.arrive(
        current_user.user_id,
        provider.name,
        identity.worker_id,
        study_id=identity.study_id,
        session_id=identity.session_id,
        submit_to=identity.submit_to,
        params=identity.extra,
        time_limit_seconds=cfg.time_limit_seconds,
    )
    return redirect(url_for("annotate.annotate_page"))


def problem_page(message: str, status: int, platform_label: str):
    return (
        render_template(
            "crowd/problem.html", message=message, status=status, platform_label=platform_label
        ),
        status,
    )


def missing_link_page():
    """A visitor without the platform's parameters and without a session."""
    project = current_project()
    cfg = project.config.crowd
    provider = arrival_provider(cfg, request.args)
    return problem_page(
        f"This study is opened from {provider.label}: the link carries your id "
        f"({cfg.id_param}). Please start it from there.",
        400,
        provider.label,
    )


def preview_page(provider):
    """MTurk's preview (HIT not accepted yet): the task read-only, no account created."""
    project = current_project()
    return render_template(
        "crowd/preview.html",
        config=project.config,
        item=project.store.items.by_seq(1),
        platform_label=provider.label,
    )


@bp.before_app_request
def enforce_time_limit():
    if request.endpoint not in TIMED_ENDPOINTS:
        return None
    project = current_project()
    cfg = project.config.crowd
    if cfg is None or cfg.time_limit_seconds is None or not current_user.is_authenticated:
        return None
    if not time_is_up(project, current_user.user_id):
        return None
    if project.config.study.has_flow:
        end_for_time(project, current_user.user_id)
        return None  # the views see the new state and lead to the end page
    if request.endpoint == "annotate.annotate_page":
        return redirect(url_for("annotate.done_page"))
    raise Forbidden("your time for this study is up", status="time_up")


@bp.app_context_processor
def countdown():
    """`crowd_deadline` (UNIX seconds) for the countdown shown on annotation and phase pages."""
    if request.endpoint not in COUNTDOWN_PAGES:
        return {}
    project = current_project()
    cfg = project.config.crowd
    if cfg is None or cfg.time_limit_seconds is None or not current_user.is_authenticated:
        return {}
    deadline = project.store.crowd.deadline(current_user.user_id)
    if not deadline or deadline <= time.time():
        return {}
    state = project.store.study.state(current_user.user_id)
    if state is not None and state.status != "active":
        return {}  # the end page: no clock
    study = project.config.study
    if state is not None and study.phase_index(state.phase) > study.phase_index(
        study.annotation_phase
    ):
        return {}  # after annotation the time no longer counts (see end_for_time)
    return {"crowd_deadline": deadline}


# -- admin ---------------------------------------------------------------------------------
def crowd_report() -> dict[str, Any]:
    """Workers by platform in the seed's shape (summary, prolific, mturk), plus `other`."""
    project = current_project()
    study = project.store.study
    attention = study.qc_by_user("attention_check")
    gold = study.qc_by_user("gold_standard")
    groups: dict[str, list[dict[str, Any]]] = {"prolific": [], "mturk": [], "other": []}
    for row in project.store.crowd.workers():
        groups.get(row["platform"], groups["other"]).append(_worker(row, attention, gold))

    def issued(workers: list[dict[str, Any]]) -> int:
        return sum(1 for w in workers if w["outcome"] == "completed" and w["completion_code"])

    cfg = project.config.crowd
    return {
        "enabled": cfg is not None,
        "provider": cfg.provider if cfg else None,
        "summary": {
            "total_workers": sum(len(g) for g in groups.values()),
            "prolific_workers": len(groups["prolific"]),
            "mturk_workers": len(groups["mturk"]),
            "other_workers": len(groups["other"]),
        },
        "prolific": {
            "workers": groups["prolific"],
            "completion_codes_issued": issued(groups["prolific"]),
        },
        "mturk": {
            "workers": groups["mturk"],
            "hits_completed": sum(1 for w in groups["mturk"] if w["outcome"] == "completed"),
        },
        "other": {"workers": groups["other"], "completion_codes_issued": issued(groups["other"])},
    }


def _worker(row: dict[str, Any], attention: dict, gold: dict) -> dict[str, Any]:
    name = row["username"]
    a_total, a_ok = attention.get(name, (0, 0))
    g_total, g_ok = gold.get(name, (0, 0))
    last = row["last_active_at"] or row["last_seen_at"]
    return {
        "username": name,
        "worker_id": row["worker_id"],
        "platform": row["platform"],
        "study_id": row["study_id"],
        "session_id": row["session_id"],
        "status": row["study_status"],
        "status_reason": row["status_reason"],
        "phase": row["phase"],
        "annotations": row["done_count"],
        "first_seen": row["first_seen_at"],
        "last_active": last,
        "time_spent_seconds": round(max(0.0, last - row["first_seen_at"]), 1),
        "visits": row["visits"],
        "deadline": row["deadline"],
        "outcome": row["outcome"],
        "completion_code": row["code"],
        "code_issued_at": row["code_issued_at"],
        "attention_checks": {"passed": a_ok, "failed": a_total - a_ok},
        "gold_standards": {"correct": g_ok, "total": g_total},
    }


@bp.get("/admin/api/crowdsourcing")
@admin_required
def crowdsourcing_json():
    return jsonify(crowd_report())


@bp.get("/admin/crowd/")
def crowd_page():
    """The dashboard's workers table: platform, status, time spent, QC results, code."""
    from .dashboard import _guard

    if (denied := _guard()) is not None:
        return denied
    report = crowd_report()
    workers = [w for group in ("prolific", "mturk", "other") for w in report[group]["workers"]]
    workers.sort(key=lambda w: w["first_seen"], reverse=True)
    return render_template("admin/crowd.html", tab="crowd", report=report, workers=workers)
