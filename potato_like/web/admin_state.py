"""Admin state endpoints (seed 003): annotation history, user/system/item state, stale
leases and reclaiming them, per-user instance caps, and per-question answer distributions.

All SQL is in store/admin_state.py; every listing is capped so each answer stays fast at a
million items.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from flask import Blueprint, jsonify, request

from ..errors import BadRequest, Conflict, NotFound, PotatoLikeError
from ..schemes.base import Scheme
from ..store.admin_state import AdminState
from ..store.assignments import DONE
from ..store.stats import iso
from ..store.users import UserRow
from . import potato_shapes
from .errors import error_body
from .params import int_arg, number_arg
from .security import admin_required, current_project

bp = Blueprint("admin_state", __name__)

HISTORY_DEFAULT, HISTORY_MAX = 200, 1000
USER_HISTORY = 50
ORDERING_CAP = 10_000
SYSTEM_USERS_CAP = 1000
STALE_DEFAULT_MINUTES = 60.0
USER_STATE_ANNOTATED_CAP = 1000  # items listed in user_state's annotations.by_instance
DISTRIBUTION_CAP = 1000  # distinct numeric values listed in a distribution
INSTANCE_KEYS = ("max_instances", "instances", "max_annotations")
SLOW_SECONDS, CACHE_SECONDS = 0.1, 30.0  # cache an answer that took longer than SLOW_SECONDS


@bp.errorhandler(PotatoLikeError)
def _json_error(err: PotatoLikeError):
    # /admin/user_state/... and friends are JSON endpoints even outside /admin/api/.
    return jsonify(error_body(err.message, **err.extra)), err.status


def _state() -> AdminState:
    return current_project().store.admin


def _user(username: str) -> UserRow:
    user = current_project().store.users.by_name(username)
    if user is None:
        raise NotFound(f"user {username!r} does not exist")
    return user


# -- annotation history --------------------------------------------------------------------
@bp.get("/admin/api/annotation_history")
@admin_required
def annotation_history():
    limit = int_arg("limit", HISTORY_DEFAULT, maximum=HISTORY_MAX)
    minutes = number_arg("minutes", None, minimum=0, maximum=None)
    since = time.time() - minutes * 60 if minutes is not None else None
    store = current_project().store
    username = request.args.get("user_id", "").strip() or None
    instance_id = request.args.get("instance_id", "").strip() or None
    user = store.users.by_name(username) if username else None
    item = store.items.by_id(instance_id) if instance_id else None
    if (username and user is None) or (instance_id and item is None) or limit == 0:
        entries, has_more = [], False  # nothing can match
    else:
        page = _state().history(
            user_id=user.id if user else None,
            item_seq=item.seq if item else None,
            since=since,
            limit=limit,
        )
        entries, has_more = page.entries, page.has_more
    return jsonify(history=entries, count=len(entries), limit=limit, has_more=has_more)


# -- users ---------------------------------------------------------------------------------
@bp.get("/admin/user_state/<path:username>")
@admin_required
def user_state(username: str):
    user = _user(username)
    state = _state()
    ordering, truncated = state.item_ordering(user.id, ORDERING_CAP)
    history = state.history(user_id=user.id, limit=USER_HISTORY).entries
    body: dict[str, Any] = {
        "user_id": user.username,
        "current_phase": user.phase,
        "current_instance_index": min(user.current_pos, user.next_pos),
        "instance_id_ordering": ordering,
        "assigned_count": user.assigned_count,
        "completed_count": user.done_count,
        "annotation_history": history,
        "max_instances": user.max_items,
        "last_active": iso(user.last_active_at),
        "study_status": user.study_status,
        "status_reason": user.status_reason,
    }
    if truncated:
        body["truncated"] = True
    body.update(_study_state(user.id))
    body.update(_potato_user_state(user, ordering))
    return jsonify(body)


def _potato_user_state(user: UserRow, ordering: list[str]) -> dict[str, Any]:
    """Potato's keys of /admin/user_state: username, phase, current_instance (the item the
    user is on; read only, nothing is leased), max_assignments, assignment counts and
    annotations by item."""
    project = current_project()
    here = min(user.current_pos, user.next_pos)
    item = project.store.items.by_id(ordering[here]) if here < len(ordering) else None
    current = None
    if item is not None:
        current = {"id": item.id, "text": item.text, "displayed_text": item.text}
    by_instance: dict[str, dict[str, Any]] = {}
    for entry in project.store.annotations.iter_annotated(user_id=user.id):
        if len(by_instance) >= USER_STATE_ANNOTATED_CAP:
            break
        by_instance[entry.item_id] = _potato_keys(entry.label_maps)
    return {
        "username": user.username,
        "phase": user.phase,
        "current_instance": current,
        "max_assignments": user.max_items,
        "assignments": {
            "total": user.assigned_count,
            "annotated": user.done_count,
            "remaining": max(0, user.assigned_count - user.done_count),
        },
        "annotated": user.done_count,
        "annotations": {"total_count": len(by_instance), "by_instance": by_instance},
    }


def _potato_keys(maps: dict[str, Any]) -> dict[str, Any]:
    """Label maps as Potato's "schema:label": value keys (structured values whole)."""
    out: dict[str, Any] = {}
    for schema, value in maps.items():
        if isinstance(value, dict) and all(not isinstance(v, (dict, list)) for v in value.values()):
            out.update({f"{schema}:{label}": v for label, v in value.items()})
        else:
            out[schema] = value
    return out


def _study_state(user_id: int) -> dict[str, Any]:
    """Phase answers, training progress and check results of one user (when configured)."""
    from ..quality.checks import ATTENTION, GOLD
    from ..study import training

    project = current_project()
    study = project.config.study
    out: dict[str, Any] = {}
    if len(study.phases) > 1:
        out["phase_answers"] = project.store.study.phase_answers(user_id)
    if any(page.instruments for page in study.phases):
        from ..study.survey_scores import user_scores

        answers = out.get("phase_answers") or project.store.study.phase_answers(user_id)
        out["instrument_scores"] = user_scores(study.phases, answers)
    if study.training.enabled:
        t_state = project.flow.training_state(user_id)
        out["training"] = training.summary(project.flow.training, t_state)
    if study.qc_enabled:
        with project.store.read() as conn:
            att = project.store.study.qc_tally(user_id, ATTENTION, conn)
            gold = project.store.study.qc_tally(user_id, GOLD, conn)
        out["quality_control"] = {
            "attention_checks": {"passed": att[1], "failed": att[0] - att[1]},
            "gold_standards": {"correct": gold[1], "total": gold[0]},
        }
    return out


@bp.get("/admin/system_state")
@admin_required
def system_state():
    project = current_project()
    rows, total_users = _state().users_page(SYSTEM_USERS_CAP)
    overview = project.store.stats.overview()
    by_status = overview.as_json()["items_by_status"]
    body: dict[str, Any] = {
        "users": {
            r.username: {
                "phase": r.phase,
                "annotations": r.done_count,
                "assigned": r.assigned_count,
                "last_active": iso(r.last_active_at),
            }
            for r in rows
        },
        "total_users": total_users,
        "items": {
            "total": overview.total_items,
            "assigned": by_status["in_progress"] + by_status["completed"],
            "completed": by_status["completed"],
            "unassigned": by_status["unassigned"],
        },
    }
    if total_users > len(rows):
        body["users_truncated"] = True
    return jsonify(body)


@bp.post("/admin/api/user/<path:username>/set_instances")
@admin_required
def set_instances(username: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('the body must be a JSON object like {"max_instances": 50}')
    key = next((k for k in INSTANCE_KEYS if k in body), None)
    if key is None:
        raise BadRequest('give "max_instances": a whole number, or null / -1 to remove the cap')
    value = body[key]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise BadRequest(f"{key} must be a whole number, null or -1, got {value!r}")
    if value is not None and value < -1:
        raise BadRequest(f"{key} must be 0 or more (or -1 / null to remove the cap), got {value}")
    cap = None if value in (None, -1) else value
    user = _user(username)
    if not current_project().store.users.set_max_items(user.id, cap):
        raise NotFound(f"user {username!r} does not exist")
    return jsonify(status="success", user_id=user.username, max_instances=cap)


# -- items ---------------------------------------------------------------------------------
@bp.get("/admin/item_state/<path:item_id>")
@admin_required
def item_state(item_id: str):
    project = current_project()
    item = project.store.items.by_id(item_id)
    if item is None:
        raise NotFound(f"instance {item_id!r} does not exist")
    state = _state()
    return jsonify(
        id=item.id,
        text=item.text,
        data=item.data(project.config.item_properties.text_key),
        assigned_to=state.item_holders(item.seq),
        annotations=state.item_annotations(item.seq),
        annotations_count=item.done_count,
    )


# -- stale leases --------------------------------------------------------------------------
@bp.get("/admin/api/stale_assignments")
@admin_required
def stale_assignments():
    project = current_project()
    limit = int_arg("limit", 100, maximum=1000)
    offset = int_arg("offset", 0, maximum=10**9)
    timeout = project.policy.timeout_seconds
    default_minutes = timeout / 60 if timeout else STALE_DEFAULT_MINUTES
    minutes = number_arg("older_than_minutes", default_minutes, minimum=0, maximum=None)
    now = time.time()
    leases, total = _state().stale_leases(minutes * 60, limit, offset, now=now)
    return jsonify(
        stale_assignments=[
            {
                "user_id": lease.username,
                "instance_id": lease.item_id,
                "leased_at": iso(lease.leased_at),
                "minutes_idle": round((now - lease.leased_at) / 60, 1),
                "position": lease.position,
            }
            for lease in leases
        ],
        timeout_minutes=minutes,
        total_count=total,
        limit=limit,
        offset=offset,
    )


@bp.post("/admin/api/reclaim_instance")
@admin_required
def reclaim_instance():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest('the body must be a JSON object like {"user_id": ..., "instance_id": ...}')
    username, instance_id = body.get("user_id"), body.get("instance_id")
    for name, value in (("user_id", username), ("instance_id", instance_id)):
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(f"{name!r} is required (a string)")
    project = current_project()
    user = _user(username)
    item = project.store.items.by_id(instance_id)
    if item is None:
        raise NotFound(f"instance {instance_id!r} does not exist")
    if not project.store.assignments.reclaim(user.id, item.seq, project.policy):
        status = project.store.assignments.status_of(user.id, item.seq)
        why = "does not hold" if status is None else f"holds it as {status!r}, not"
        raise Conflict(
            f"user {username!r} {why} an unfinished lease on instance {instance_id!r}",
            assignment_status=status or "none",
        )
    return jsonify(status="success", reclaimed=True, user_id=username, instance_id=instance_id)


# -- questions -----------------------------------------------------------------------------
@bp.get("/admin/api/questions")
@admin_required
def questions():
    fresh = request.args.get("fresh", "").lower() in ("1", "true", "yes")
    return jsonify(potato_shapes.questions(questions_report(fresh=fresh)))


def _cached(name: str, compute, *, fresh: bool = False) -> dict[str, Any]:
    """Answer from a per-app cache when the last computation was slow (a full scan of a large
    annotations table): small projects always see fresh numbers, large ones at most
    CACHE_SECONDS old (`?fresh=1` recomputes)."""
    cache = current_project().cache("admin_state_reports", dict)
    now = time.monotonic()
    hit = cache.get(name)
    if hit is not None and hit[1] > now and not fresh:
        return hit[0]
    started = time.perf_counter()
    value = compute()
    if time.perf_counter() - started > SLOW_SECONDS:
        cache[name] = (value, now + CACHE_SECONDS)
    else:
        cache.pop(name, None)
    return value


SUMMARY_ROWS = 100_000  # annotations the record types' dashboard summaries read at most


def questions_report(fresh: bool = False) -> dict[str, Any]:
    """Answer distributions per scheme (also shown on the dashboard)."""
    return _cached("questions", _questions, fresh=fresh)


def _questions() -> dict[str, Any]:
    project = current_project()
    schemes = project.config.schemes
    # Kept by the save (store/aggregates.py): one small read at any project size.
    tallies = project.store.aggregates.tallies([s.name for s in schemes])
    untallied = project.store.aggregates.untallied
    summaries = _answer_summaries(project, [s for s in schemes if s.summarizes_answers])
    out = []
    for scheme in schemes:
        if scheme.name in untallied:
            entry = _describe(scheme, sum(n for _value, n in tallies[scheme.name]), {})
            if scheme.name in summaries:
                entry["summary"] = summaries[scheme.name]
            out.append(entry)
            continue
        groups = [(json.loads(value), n) for value, n in tallies[scheme.name]]
        if scheme.summary_kind == "numbers":
            out.append(_numeric(scheme, groups))
        else:
            out.append(_labels(scheme, groups))
    for scheme, entry in zip(schemes, out, strict=True):
        if scheme.analysis_title:
            entry["model"] = {"title": scheme.analysis_title, **_analysis(project, scheme)}
    return {
        "questions": out,
        "summary": {
            "total_questions": len(out),
            "total_answers": sum(q["total_answers"] for q in out),
            "question_types": sorted({s.type_name for s in schemes}),
        },
        "generated_at": iso(time.time()),
    }


def _analysis(project, scheme: Scheme) -> dict[str, Any]:
    """The scheme's model of its submitted answers (e.g. conjoint part-worths)."""
    rows = (
        row
        for row in project.store.annotations.iter_annotated()
        if row.status == DONE and scheme.name in row.label_maps
    )
    if scheme.analysis_by_annotator:
        # the item as the page saw it (its text too), and who answered
        text_key = project.config.item_properties.text_key
        answers = (
            ({text_key: row.text, **row.fields}, row.item_id, row.label_maps[scheme.name], row.user)
            for row in rows
        )
        return scheme.analysis(answers, project.config.random_seed)
    return scheme.analysis((row.fields, row.item_id, row.label_maps[scheme.name]) for row in rows)


def _answer_summaries(project, schemes: list[Scheme]) -> dict[str, dict[str, Any]]:
    """The schemes' dashboard_summary over their stored answers (one pass over the
    annotations; at most SUMMARY_ROWS annotations are read)."""
    if not schemes:
        return {}
    maps: dict[str, list[Any]] = {s.name: [] for s in schemes}
    for n, row in enumerate(project.store.annotations.iter_annotated()):
        if n >= SUMMARY_ROWS:
            break
        for name, found in maps.items():
            if row.label_maps.get(name):
                found.append(row.label_maps[name])
    return {s.name: s.dashboard_summary(maps[s.name]) for s in schemes}


def _describe(scheme: Scheme, total: int, distribution: dict[str, int]) -> dict[str, Any]:
    return {
        "name": scheme.name,
        "type": scheme.type_name,
        "description": scheme.description,
        "total_answers": total,
        "distribution": distribution,
    }


def _labels(scheme: Scheme, groups: list[tuple[dict[str, str], int]]) -> dict[str, Any]:
    """Count each chosen label (a multiselect map counts for each of its labels)."""
    counts: Counter[str] = Counter()
    for label_map, n in groups:
        for label in scheme.chosen_labels(label_map):
            if label is not None:
                counts[str(label)] += n
    ordered = {name: counts.pop(name, 0) for name in scheme.label_names}
    ordered.update(sorted(counts.items()))  # e.g. free_response, or labels no longer configured
    return _describe(scheme, sum(n for _map, n in groups), ordered)


def _numeric(scheme: Scheme, groups: list[tuple[dict[str, str], int]]) -> dict[str, Any]:
    values: list[tuple[float, int]] = []
    for label_map, n in groups:
        number = scheme.answer(label_map)
        if isinstance(number, (int, float)):
            values.append((float(number), n))
    values.sort()
    total = sum(n for _v, n in values)
    distribution = {_format(v): n for v, n in values} if len(values) <= DISTRIBUTION_CAP else {}
    out = _describe(scheme, total, distribution)
    out.update(
        min=_plain(values[0][0]) if values else None,
        max=_plain(values[-1][0]) if values else None,
        mean=round(sum(v * n for v, n in values) / total, 4) if total else None,
    )
    if len(values) > DISTRIBUTION_CAP:
        out["distribution_truncated"] = True
    return out


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def _format(number: float) -> str:
    return str(_plain(number))
