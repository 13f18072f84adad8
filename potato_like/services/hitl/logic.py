"""Seed-001 projects and jobs on a workspace.

- A project is a workspace project (slug `hitl-<12 hex>`) created paused: its status is
  `new` until an admin activates it with its annotation schemes (then `active`; `inactive`
  when deactivated). Its instructions file is downloaded at creation into the project's
  `media/hitl/` and linked (or shown, for images) in the project's instructions.
- A job is one item of that project (id = the job id), its files downloaded into
  `media/hitl/<job>/`, its predictions in the item's `predictions` field, which the
  project's `pre_annotation` puts into the form as editable answers.
- A job's status follows the item: `progress` once someone holds or answered it, `done` when
  it has the answers the project needs (max_annotations_per_item, else one annotator).
  `reconcile` moves jobs on and enqueues the webhook in the same transaction; expired and
  canceled jobs leave the data file, so the importer retires their items (never served).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ...errors import BadRequest, ConfigError, Conflict, NotFound
from ...workspace.create import DEFAULT_SCHEMES
from . import files

if TYPE_CHECKING:
    from ...workspace.workspace import Workspace

log = logging.getLogger("potato_like")
MEDIA = "media/hitl"
JOBS_DIR = "data/jobs"
MAX_FILES = 20
WORKSPACE_STATUS = {"new": "paused", "active": "active", "inactive": "paused"}


def _store(workspace: Workspace):
    return workspace.store.hitl


# -- projects ----------------------------------------------------------------------------
def create(workspace: Workspace, name: str, instructions_url: str | None, owner: str | None):
    """A new project (status new); its id. Download problems are Download (400)."""
    body = ext = None
    if instructions_url is not None:
        body, ext = files.download(workspace, instructions_url, files.INSTRUCTION_KINDS)
    pid = uuid.uuid4().hex
    slug = f"hitl-{pid[:12]}"
    html = None
    if ext is not None:
        href = f"{MEDIA}/instructions.{ext}"
        html = (
            f'<p><img src="{href}" alt="instructions"></p>'
            if ext in ("png", "jpg", "jpeg")
            else f'<p><a href="{href}">Instructions ({ext.upper()})</a></p>'
        )
    _write_project(workspace, slug, name, html, body, ext)
    workspace.set_status(slug, WORKSPACE_STATUS["new"])
    _store(workspace).add_project(pid, slug, name, f"instructions.{ext}" if ext else None, owner)
    return pid


def _write_project(workspace: Workspace, slug: str, name: str, html, body, ext) -> None:
    """projects/<slug>/: a config whose items are the files of `data/jobs/` (one per job,
    watched, so it may be empty), and the instructions file; checked before it is placed."""
    config = {
        "annotation_task_name": name,
        "task_dir": ".",
        "output_annotation_dir": "annotation_output/",
        "data_directory": JOBS_DIR,
        "watch_data_directory": True,
        "item_properties": {"id_key": "id", "text_key": "text"},
        "instance_display": {
            "fields": [
                {"key": "image", "type": "image", "label": "Image"},
                {
                    "key": "images",
                    "type": "gallery",
                    "label": "Images",
                    "display_options": {"layout": "grid"},
                },
                {"key": "document", "type": "pdf", "label": "Document"},
            ]
        },
        "annotation_schemes": DEFAULT_SCHEMES,
        "pre_annotation": {"enabled": True, "field": "predictions"},
        "user_config": {"allow_all_users": True},
        "require_password": True,
        "assignment_strategy": "random",
    }
    if html:
        config["instructions"] = html
    staging = Path(tempfile.mkdtemp(prefix=f".new-{slug}-", dir=workspace.config.projects_dir))
    try:
        (staging / JOBS_DIR).mkdir(parents=True)
        text = "# Created by POST /v1/projects (docs/service-api-001.md)\n"
        text += yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
        (staging / "config.yaml").write_text(text, encoding="utf-8")
        if body is not None:
            (staging / MEDIA).mkdir(parents=True)
            (staging / MEDIA / f"instructions.{ext}").write_bytes(body)
        try:
            workspace.load_project_config(slug, staging)
        except ConfigError as err:
            raise BadRequest("; ".join(err.problems)) from None
        os.rename(staging, workspace.project_dir(slug))
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    try:
        workspace.start(slug)
    except ConfigError as err:
        shutil.rmtree(workspace.project_dir(slug), ignore_errors=True)
        raise BadRequest("; ".join(err.problems)) from None


def project(workspace: Workspace, pid: str) -> dict:
    """The project's record, its status as the workspace has it now: the dashboard's
    Resume (or PATCH /api/v1/projects/<slug>) activates it too, Pause/Archive make it
    inactive (or leave it new when it was never active)."""
    found = _store(workspace).project(pid) if isinstance(pid, str) else None
    if found is None or workspace.app_for(found["slug"]) is None:
        raise NotFound(f"no project {pid!r}")
    running = workspace.status(found["slug"]) == "active"
    status = "active" if running else ("new" if found["status"] == "new" else "inactive")
    if status != found["status"]:
        _store(workspace).set_project_status(pid, status)
        found["status"] = status
    return found


def find_by_name(workspace: Workspace, name: str) -> dict | None:
    for rec in _store(workspace).projects():
        if rec["name"] == name and workspace.app_for(rec["slug"]) is not None:
            return project(workspace, rec["id"])
    return None


def activate(workspace: Workspace, pid: str, schemes: list[dict] | None) -> dict:
    """Set the project's annotation schemes (when given) and open it for jobs. ConfigError
    (the schemes' problems) leaves the project as it was."""
    rec = project(workspace, pid)
    if schemes:
        path = workspace.project_dir(rec["slug"]) / "config.yaml"
        old = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(old)
        raw["annotation_schemes"] = schemes
        raw["pre_annotation"] = {"enabled": True, "field": "predictions"}
        path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8")
        try:
            workspace.start(rec["slug"])
        except ConfigError:
            path.write_text(old, encoding="utf-8")
            raise
    set_status(workspace, pid, "active")
    return project(workspace, pid)


def set_status(workspace: Workspace, pid: str, status: str) -> None:
    rec = project(workspace, pid)
    _store(workspace).set_project_status(pid, status)
    workspace.set_status(rec["slug"], WORKSPACE_STATUS[status])


def project_out(workspace: Workspace, rec: dict) -> dict:
    base = workspace.config.public_url or ""
    return {
        "id": rec["id"],
        "name": rec["name"],
        "status": rec["status"],
        "slug": rec["slug"],
        "annotate_url": f"{base}/p/{rec['slug']}/annotate",
        "created_at": _iso(rec["created_at"]),
    }


# -- jobs --------------------------------------------------------------------------------
def add_job(workspace: Workspace, pid: str, wanted: dict[str, Any]) -> str:
    rec = project(workspace, pid)
    if rec["status"] != "active":
        raise Conflict(f"project {pid} is {rec['status']}: it accepts no jobs")
    urls = wanted["file_urls"]
    for url in urls:
        files.extension(url, files.JOB_KINDS)  # every URL checked before any download
    bodies = [files.download(workspace, url, files.JOB_KINDS) for url in urls]
    jid = uuid.uuid4().hex
    directory = workspace.project_dir(rec["slug"])
    (directory / MEDIA / jid).mkdir(parents=True, exist_ok=True)
    stored = []
    for n, (body, ext) in enumerate(bodies):
        rel = f"{MEDIA}/{jid}/{n}.{ext}"
        (directory / rel).write_bytes(body)
        stored.append({"path": rel, "content_type": files.MEDIA_TYPES[ext], "url": urls[n]})
    item: dict[str, Any] = {"id": jid, "text": stored[0]["path"]}
    item["files"] = [s["path"] for s in stored]
    images = [s["path"] for s in stored if s["content_type"] != "application/pdf"]
    pdfs = [s["path"] for s in stored if s["content_type"] == "application/pdf"]
    if len(images) == 1:
        item["image"] = images[0]
    elif images:  # several: all of them, in a gallery
        item["images"] = images
    if pdfs:  # the first PDF is shown; every file is listed by /v1/jobs/.../files/<n>
        item["document"] = pdfs[0]
    if wanted.get("predictions"):
        item["predictions"] = wanted["predictions"]
    now = time.time()
    minutes = wanted.get("expiration_minutes")
    _store(workspace).add_job(
        id=jid,
        project_id=pid,
        item_id=jid,
        created_at=now,
        expires_at=now + 60 * minutes if minutes else None,
        files=stored,
        webhook_url=wanted.get("webhook_url"),
        webhook_headers=wanted.get("webhook_headers"),
    )
    partial = directory / JOBS_DIR / f".{jid}.partial"  # hidden: the watcher skips it
    partial.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, directory / JOBS_DIR / f"{jid}.jsonl")
    workspace.projects()[rec["slug"]].import_data()
    return jid


def job(workspace: Workspace, pid: str, jid: str) -> dict:
    project(workspace, pid)
    reconcile(workspace, only=(pid, jid))
    found = _store(workspace).job(pid, jid)
    if found is None:
        raise NotFound(f"no job {jid!r} in project {pid!r}")
    return found


def cancel(workspace: Workspace, pid: str, jid: str) -> dict:
    found = job(workspace, pid, jid)
    with workspace.store.write() as conn:
        moved = _store(workspace).change(
            conn, jid, ("new", "progress"), status="canceled", finished_at=time.time()
        )
    if not moved:
        raise Conflict(f"job {jid} is {found['status']}: only new or progress jobs can be canceled")
    _withdraw(workspace, project(workspace, pid)["slug"], {jid})
    return _store(workspace).job(pid, jid)


def image_url(workspace: Workspace, found: dict, base: str | None = None) -> str:
    """Where the job's first file is (with the key): GET /v1/jobs/<pid>/<jid>/files/0."""
    root = (base or workspace.config.public_url or "").rstrip("/")
    return f"{root}/v1/jobs/{found['project_id']}/{found['id']}/files/0"


def job_out(found: dict, image: str) -> dict:
    out = {
        "project_id": found["project_id"],
        "job_id": found["id"],
        "create_date": _iso(found["created_at"]),
        "start_date": _iso(found["started_at"]),
        "finish_date": _iso(found["finished_at"]),
        "status": found["status"],
        "annotations": found["annotations"],
        "image": image,
        "expiration_date": _iso(found["expires_at"]),
    }
    if found["status"] == "error":
        out["error"] = found["error"] or "the job was stopped"
    return out


def file_path(workspace: Workspace, pid: str, jid: str, n: int) -> tuple[Path, str]:
    found = _store(workspace).job(pid, jid)
    if found is None or not 0 <= n < len(found["files"]):
        raise NotFound("no such job file")
    rec = project(workspace, pid)
    entry = found["files"][n]
    return workspace.project_dir(rec["slug"]) / entry["path"], entry["content_type"]


# -- the reconciler ------------------------------------------------------------------------
def reconcile(workspace: Workspace, now: float | None = None, only=None) -> int:
    """Move open jobs on from their items: expired, progress, done (with the webhook
    enqueued in the same transaction). The number of jobs changed."""
    now = time.time() if now is None else now
    store = _store(workspace)
    if only is not None:
        one = store.job(*only)
        jobs = [one] if one is not None and one["status"] in ("new", "progress") else []
    else:
        jobs = store.jobs(statuses=("new", "progress"))
    changed = 0
    expired: dict[str, set[str]] = {}
    for found in jobs:
        rec = store.project(found["project_id"])
        proj = workspace.projects().get(rec["slug"]) if rec else None
        if proj is None:
            continue
        item = proj.store.items.by_id(found["item_id"])
        target = proj.config.max_annotations_per_item or 1
        if item is not None and item.done_count >= target:
            answers = _answers(proj, item.seq)
            with workspace.store.write() as conn:
                values = {"status": "done", "finished_at": now, "annotations": answers}
                if found["started_at"] is None:
                    values["started_at"] = now
                if store.change(conn, found["id"], ("new", "progress"), **values):
                    changed += 1
                    if found["webhook_url"]:
                        after = {**found, **values}
                        _enqueue(
                            workspace, conn, after, job_out(after, image_url(workspace, after))
                        )
            continue
        if found["expires_at"] is not None and now >= found["expires_at"]:
            with workspace.store.write() as conn:
                if store.change(conn, found["id"], ("new", "progress"), status="expired"):
                    changed += 1
                    expired.setdefault(rec["slug"], set()).add(found["item_id"])
            continue
        if found["status"] == "new" and item is not None and (item.holders or item.done_count):
            with workspace.store.write() as conn:
                changed += store.change(
                    conn, found["id"], ("new",), status="progress", started_at=now
                )
    for slug, ids in expired.items():
        _withdraw(workspace, slug, ids)
    return changed


def _answers(proj, item_seq: int) -> dict[str, Any]:
    """{annotator: {scheme: answer}} of the item (answers as the schemes export them)."""
    out: dict[str, Any] = {}
    for row in proj.store.annotations.iter_annotated(item_seq=item_seq):
        answers = {}
        for schema, label_map in row.label_maps.items():
            scheme = proj.config.scheme(schema)
            answers[schema] = scheme.answer(label_map) if scheme is not None else label_map
        out[row.user] = answers
    return out


def _enqueue(workspace: Workspace, conn, found: dict, payload: dict) -> None:
    from ...webhooks import outbox

    outbox.enqueue(
        workspace.store,
        url=found["webhook_url"],
        event="job.done",
        payload=payload,
        headers=found["webhook_headers"] or None,
        conn=conn,
    )


def _withdraw(workspace: Workspace, slug: str, item_ids: set[str]) -> None:
    """Take jobs' files out of the project's data directory: the importer deletes their
    items, or retires them when someone worked on them (kept with their answers, never
    served again)."""
    proj = workspace.projects().get(slug)
    if proj is None:
        return
    for item_id in item_ids:
        (workspace.project_dir(slug) / JOBS_DIR / f"{item_id}.jsonl").unlink(missing_ok=True)
    proj.import_data()


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    import datetime as dt

    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")
