"""The admin dashboard: server-rendered pages over the same store queries as the admin API."""

from __future__ import annotations

import time

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..errors import BadRequest, Conflict, NotFound, PotatoLikeError
from ..quality.report import quality_report
from ..spans.output import readable_entries
from ..store.stats import STATUS_CODES
from .admin_agreement import agreement_report, confusion_report, disputed_report
from .admin_runtime import hours_arg, suspicious_report
from .admin_state import questions_report
from .params import int_arg, number_arg
from .security import (
    ADMIN_KEY_SESSION,
    API_KEY_MARKER,
    admin_scoped_key,
    current_project,
    is_admin_session,
    key_marker,
    limits,
    sessions,
)

bp = Blueprint("dashboard", __name__)
PAGE_SIZE = 50
TIMELINE_SIZE = 200
CHART_W, CHART_H = 640, 160


def _guard():
    """Pages answer with the admin sign-in page instead of a JSON 401."""
    if not is_admin_session():
        return redirect(url_for("dashboard.admin_login", next=request.path))
    return None


@bp.get("/admin/login")
def admin_login():
    return render_template("admin/login.html", next=request.args.get("next", ""))


@bp.post("/admin/login")
def admin_login_submit():
    key = request.form.get("key", "")
    g.pop("api_key", None)
    try:
        # The admin key, or an admin-scoped API key (in a workspace: a workspace key too)
        correct = limits().check_admin_key(key, also=admin_scoped_key)
    except PotatoLikeError as err:
        return render_template("admin/login.html", error=err.message), err.status
    if not correct:
        return render_template("admin/login.html", error="That is not the admin key."), 401
    # A new server-side session (also for a logged-in user: the old cookie gains nothing).
    sessions().start(current_user.user_id if current_user.is_authenticated else None)
    record = g.get("api_key")  # set when an API key (not the admin key) was entered
    session[ADMIN_KEY_SESSION] = (
        f"{API_KEY_MARKER}{record.id}"
        if record is not None
        else key_marker(current_project().admin_api_key)
    )
    session.permanent = True
    target = request.form.get("next", "")
    # Only paths on this site: never an open redirect. `next` is a path inside the app
    # (request.path), so it goes back under the app's mount point (a workspace's /p/<slug>).
    if not target.startswith("/admin") or target.startswith("//"):
        return redirect(url_for("dashboard.overview_page"))
    return redirect(request.script_root + target)


@bp.post("/admin/logout")
def admin_logout():
    """ "Leave admin": this session ends; a logged-in user continues in a new one, so a
    cookie copied while admin no longer opens anything."""
    was_admin = session.pop(ADMIN_KEY_SESSION, None) is not None
    user_id = current_user.user_id if current_user.is_authenticated else None
    if was_admin or user_id is None:
        sessions().end()
        if user_id is not None:
            sessions().start(user_id)
    return redirect(url_for("dashboard.admin_login"))


@bp.get("/admin", strict_slashes=False)
def overview_page():
    if (denied := _guard()) is not None:
        return denied
    stats = current_project().store.stats
    overview = stats.overview()
    series = stats.completions_over_time(hours=48)
    return render_template(
        "admin/overview.html",
        tab="overview",
        overview=overview,
        numbers=overview.as_json(),
        chart=_chart(series["points"]),
    )


@bp.get("/admin/annotators/")
def annotators_page():
    if (denied := _guard()) is not None:
        return denied
    page = _page()
    rows, total = current_project().store.stats.annotators(PAGE_SIZE, (page - 1) * PAGE_SIZE)
    return render_template(
        "admin/annotators.html",
        tab="annotators",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        show_qc=current_project().config.study.qc_enabled,
    )


@bp.get("/admin/instances/")
def instances_page():
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_CODES:
        raise BadRequest(f"unknown status {status!r}")
    page = _page()
    query = (request.args.get("q") or "").strip()[:200]
    search = None
    if query:
        after = int_arg("after", 0, minimum=0)
        rows, resume, searched = project.store.stats.search_instances(
            query, status, PAGE_SIZE, after
        )
        total, pages = None, 1
        search = {"after": after, "resume": resume, "searched": searched}
    else:
        rows, total = project.store.stats.instances(status, PAGE_SIZE, (page - 1) * PAGE_SIZE)
        pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "admin/instances.html",
        tab="instances",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        status=status,
        query=query,
        search=search,
        total_items=project.store.stats.overview().total_items if search else None,
    )


@bp.get("/admin/item/<path:item_id>")
def item_page(item_id: str):
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    item = project.store.items.by_id(item_id)
    if item is None:
        return render_template("admin/item.html", tab="instances", item=None, missing=item_id), 404
    admin = project.store.admin
    maps = admin.item_annotations(item.seq)
    answers = {
        user: {
            s.name: (s.answer(m[s.name]) if s.name in m else None) for s in project.config.schemes
        }
        | readable_entries(project.config, m)
        for user, m in maps.items()
    }
    fields = {k: v for k, v in item.fields.items() if k != project.config.item_properties.id_key}
    charts = {}
    for s in project.config.schemes:
        drawn = s.item_charts({user: row[s.name] for user, row in answers.items()})
        if drawn:
            charts[s.name] = drawn
    return render_template(
        "admin/item.html",
        charts=charts,
        tab="instances",
        item=item,
        fields=fields,
        schemes=project.config.schemes,
        answers=answers,
        holders=admin.item_holders(item.seq),
        history=admin.history(item_seq=item.seq, limit=50).entries,
        flags=admin.flags(item_seq=item.seq),
    )


DISPUTED_SORTS = {
    "disagreement": lambda row: (-row["disagreement"], row["item_id"]),
    "annotators": lambda row: (-row["annotators"], row["item_id"]),
    "item": lambda row: row["item_id"],
}


@bp.get("/admin/quality/")
def quality_page():
    """Quality control as a page: attention checks, gold standards, promotion, and the
    most disputed items (sortable, each linking to its detail)."""
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    sort = request.args.get("sort", "disagreement")
    if sort not in DISPUTED_SORTS:
        sort = "disagreement"
    disputed = sorted(disputed_report(project), key=DISPUTED_SORTS[sort])
    return render_template(
        "admin/quality.html",
        tab="quality",
        report=quality_report(project),
        disputed=disputed,
        sort=sort,
    )


@bp.get("/admin/find")
def find_item():
    if (denied := _guard()) is not None:
        return denied
    item_id = request.args.get("id", "").strip()
    if not item_id:
        return redirect(url_for("dashboard.instances_page"))
    return redirect(url_for("dashboard.item_page", item_id=item_id))


@bp.get("/admin/agreement/")
def agreement_page():
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    report = agreement_report(project)
    matrices = {
        s.name: confusion_report(project, s.name)
        for s in project.config.schemes
        if s.confusion_matrix and s.name in report["by_schema"]
    }
    return render_template(
        "admin/agreement.html",
        tab="agreement",
        report=report,
        matrices=matrices,
        schemes={s.name: s for s in project.config.schemes},
    )


@bp.get("/admin/questions/")
def questions_page():
    if (denied := _guard()) is not None:
        return denied
    return render_template(
        "admin/questions.html",
        tab="questions",
        report=questions_report(fresh=bool(request.args.get("fresh"))),
    )


@bp.get("/admin/timeline/")
def timeline_page():
    """The annotation timeline: label changes newest first, filtered by annotator, item and
    time window (the same entries as /admin/api/annotation_history)."""
    if (denied := _guard()) is not None:
        return denied
    store = current_project().store
    username = request.args.get("user", "").strip()
    item_id = request.args.get("item", "").strip()
    minutes = number_arg("minutes", None, minimum=0, maximum=None)
    user = store.users.by_name(username) if username else None
    item = store.items.by_id(item_id) if item_id else None
    missing = [f"no annotator {username!r}"] if username and user is None else []
    missing += [f"no item {item_id!r}"] if item_id and item is None else []
    entries, has_more = [], False
    if not missing:
        page = store.admin.history(
            user_id=user.id if user else None,
            item_seq=item.seq if item else None,
            since=time.time() - minutes * 60 if minutes is not None else None,
            limit=TIMELINE_SIZE,
        )
        entries, has_more = page.entries, page.has_more
    return render_template(
        "admin/timeline.html",
        tab="timeline",
        entries=entries,
        has_more=has_more,
        missing=missing,
        user=username,
        item=item_id,
        minutes=request.args.get("minutes", ""),
    )


@bp.get("/admin/activity/")
def activity_page():
    if (denied := _guard()) is not None:
        return denied
    report = suspicious_report(current_project(), hours_arg())
    return render_template("admin/activity.html", tab="activity", report=report)


@bp.get("/admin/stale/")
def stale_page():
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    timeout = project.policy.timeout_seconds or 3600.0
    leases, total = project.store.admin.stale_leases(timeout, limit=200)
    return render_template(
        "admin/stale.html",
        tab="stale",
        leases=leases,
        total=total,
        minutes=round(timeout / 60),
        now=time.time(),
        reclaimed=request.args.get("reclaimed"),
    )


@bp.post("/admin/stale/reclaim")
def reclaim_from_page():
    if (denied := _guard()) is not None:
        return denied
    project = current_project()
    user = project.store.users.by_name(request.form.get("user_id", ""))
    item = project.store.items.by_id(request.form.get("instance_id", ""))
    if user is None or item is None:
        raise NotFound("no such user or item")
    if not project.store.assignments.reclaim(user.id, item.seq, project.policy):
        raise Conflict(f"{user.username} does not hold {item.id!r} unfinished any more")
    return redirect(url_for("dashboard.stale_page", reclaimed=f"{item.id} from {user.username}"))


def _page() -> int:
    return int_arg("page", 1, minimum=1)


def _chart(points: list[dict]) -> dict:
    """Scale the hourly series into the SVG's coordinate space (the template draws it)."""
    top = max([p["done"] for p in points] + [1])
    peak = max([p["new"] for p in points] + [1])
    step = CHART_W / max(1, len(points) - 1)
    line = " ".join(
        f"{i * step:.1f},{CHART_H - p['done'] / top * (CHART_H - 8):.1f}"
        for i, p in enumerate(points)
    )
    bars = [
        {
            "x": i * step - step / 3,
            "w": max(1.0, step * 2 / 3),
            "h": p["new"] / peak * (CHART_H / 3),
            "label": f"{p['t']}: {p['new']} finished, {p['done']} in total",
        }
        for i, p in enumerate(points)
    ]
    return {
        "w": CHART_W,
        "h": CHART_H,
        "line": line,
        "bars": bars,
        "top": top,
        "peak": peak,
        "first": points[0]["t"] if points else "",
        "last": points[-1]["t"] if points else "",
    }
