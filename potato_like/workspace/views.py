"""The workspace dashboard at `/`: sign in with an admin-scoped workspace API key, see every
project with its progress and status, create, pause, archive, reactivate and delete."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..errors import ConfigError, Conflict, PotatoLikeError, Unauthorized
from ..web.api_v1.common import service
from .create import DEFAULT_SCHEMES, create_project, require_project
from .workspace import STATUSES, project_summary

bp = Blueprint("workspace", __name__)
SIGNED_IN = "workspace_key_id"


def _signed_in() -> bool:
    """A session opened with an admin-scoped workspace key that is still active (revoking
    the key ends the session at its next request)."""
    key_id = session.get(SIGNED_IN)
    if not key_id:
        return False
    record = service().store.api_keys.get(key_id)
    if record is None or not record.allows("admin"):
        session.clear()
        return False
    return True


def _protect() -> None:
    current_app.extensions["potato_like_csrf"].protect()


@bp.get("/")
def home():
    if not _signed_in():
        return render_template("workspace/login.html")
    workspace = service()
    show_archived = request.args.get("archived") == "1"
    rows = [
        project_summary(workspace, slug, project)
        for slug, project in sorted(workspace.projects().items())
    ]
    hidden = sum(1 for r in rows if r["status"] == "archived")
    if not show_archived:
        rows = [r for r in rows if r["status"] != "archived"]
    return render_template(
        "workspace/dashboard.html",
        rows=rows,
        hidden=hidden,
        show_archived=show_archived,
        statuses=STATUSES,
        message=request.args.get("message", ""),
        error=None,
    )


@bp.get("/health")
def health():
    """For load balancers and monitors: the workspace answers, and how many projects run."""
    return jsonify({"status": "ok", "projects": len(service().projects())})


@bp.post("/login")
def login():
    _protect()
    key = request.form.get("key", "").strip()
    found: dict = {}

    def admin_key(candidate: str) -> bool:
        record = service().store.api_keys.find(candidate)
        found["key"] = record
        return record is not None and record.allows("admin")

    limits = current_app.extensions["potato_like_limits"]
    try:
        correct = bool(key) and limits.check_admin_key(key, also=admin_key)
    except PotatoLikeError as err:
        return render_template("workspace/login.html", error=err.message), err.status
    if not correct:
        return render_template(
            "workspace/login.html", error="That is not an admin-scoped workspace API key."
        ), 401
    session.clear()
    session[SIGNED_IN] = found["key"].id
    session.permanent = True
    return redirect(url_for("workspace.home"))


@bp.post("/logout")
def logout():
    _protect()
    session.clear()
    return redirect(url_for("workspace.home"))


def _require_admin() -> None:
    _protect()
    if not _signed_in():
        raise Unauthorized("sign in with an admin-scoped workspace API key first")


@bp.post("/projects")
def create():
    _require_admin()
    slug = request.form.get("slug", "").strip()
    title = request.form.get("title", "").strip() or slug
    labels = [x.strip() for x in request.form.get("labels", "").split(",") if x.strip()]
    lines = [x.strip() for x in request.form.get("items", "").splitlines() if x.strip()]
    schemes = None
    if labels:
        schemes = [{**DEFAULT_SCHEMES[0], "labels": labels}]  # the default question
    items = [{"id": f"item-{i}", "text": text} for i, text in enumerate(lines, 1)]
    try:
        create_project(service(), slug, title, schemes, items)
    except (ConfigError, Conflict) as err:
        problems = err.problems if isinstance(err, ConfigError) else [err.message]
        return _dashboard_error(problems, 409 if isinstance(err, Conflict) else 422)
    return redirect(url_for("workspace.home", message=f"Project {slug} created."))


@bp.post("/projects/<slug>/status")
def set_status(slug: str):
    _require_admin()
    require_project(service(), slug)
    status = request.form.get("status", "")
    if status not in STATUSES:
        return _dashboard_error([f"unknown status {status!r}"], 400)
    service().set_status(slug, status)
    return redirect(url_for("workspace.home", message=f"Project {slug} is {status} now."))


@bp.post("/projects/<slug>/delete")
def delete(slug: str):
    _require_admin()
    require_project(service(), slug)
    if request.form.get("confirm", "") != slug:
        return _dashboard_error(
            [f"type the project's slug ({slug}) to confirm that it and its data go"], 400
        )
    service().delete(slug)
    return redirect(url_for("workspace.home", message=f"Project {slug} deleted."))


def _dashboard_error(problems: list[str], status: int):
    workspace = service()
    rows = [
        project_summary(workspace, s, p)
        for s, p in sorted(workspace.projects().items())
        if workspace.status(s) != "archived"
    ]
    page = render_template(
        "workspace/dashboard.html",
        rows=rows,
        hidden=0,
        show_archived=False,
        statuses=STATUSES,
        message="",
        error=problems,
    )
    return page, status
