"""Seed 000, the JTheta-style REST API, on a workspace's root app. Keys are the workspace's
API keys (`Authorization: Bearer K`, or `?key=K` on the export download). Errors answer
`{"error": "..."}`: 400 bad or missing fields, 401 no or wrong key, 403 a key without the
scope or restricted to another project, 404 unknown project or dataset."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, jsonify, redirect, request, url_for
from werkzeug.exceptions import HTTPException

from ...errors import BadRequest, Forbidden, NotFound, PotatoLikeError
from ...export.registry import exporter
from ...web.errors import error_body
from ...web.key_lookup import presented_record
from . import projects as logic

bp = Blueprint("jtheta", __name__)
EXPORT_FORMAT = "coco"


@bp.errorhandler(PotatoLikeError)
def as_json(err: PotatoLikeError):
    """Scripts get JSON whatever they accept (curl sends Accept: */*)."""
    return jsonify(error_body(str(err))), err.status


@bp.errorhandler(HTTPException)
def http_as_json(err: HTTPException):  # e.g. 413 for a request over MAX_UPLOAD_BYTES
    return jsonify(error_body(err.description or err.name)), err.code


def workspace():
    return current_app.extensions["potato_like"]


def check_key(scope: str, key: str | None = None) -> None:
    """401 without a valid key, 403 when it may not do `scope` at the workspace level."""
    g.api_key = presented_record("Authorization: Bearer <your_api_key>", key)
    if g.api_key is not None and not any(
        g.api_key.allows(scope, p) for p in (None, g.api_key.project)
    ):
        raise Forbidden(f"this API key may not do this (it needs the {scope} scope)")


def may_use(slug: str, scope: str) -> None:
    record = g.get("api_key")
    if record is not None and not record.allows(scope, slug):
        raise NotFound("no such project")  # another project's key learns nothing


def project_for(title: str, scope: str):
    slug, project = logic.find(workspace(), title)
    may_use(slug, scope)
    return slug, project


def fields(source, *names: str) -> list[str]:
    """The named fields as stripped strings; 400 naming the missing, empty or non-text ones."""
    bad = [n for n in names if not isinstance(source.get(n), str) or not source.get(n).strip()]
    if bad:
        raise BadRequest(f"missing, empty or non-text field(s): {', '.join(bad)}")
    return [source.get(n).strip() for n in names]


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def uploads() -> list[tuple[str, bytes]]:
    files = request.files.getlist("images") + request.files.getlist("images[]")
    return [(f.filename or "", f.read()) for f in files]


UPLOAD_ENDPOINTS = ("jtheta.create_dataset", "jtheta.upload_images_to_dataset")


@bp.before_request
def allow_uploads():
    """Image uploads may be larger than the app-wide body cap; nothing else may."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = logic.MAX_UPLOAD_BYTES


@bp.get("/validate_key/")
def validate_key():
    check_key("read")
    return jsonify(valid=True, message="API key is valid")


@bp.post("/create_project/")
def create_project():
    check_key("admin")
    title, category = fields(json_body(), "project_title", "project_category")
    if len(title) > 200 or len(category) > 200:
        raise BadRequest("project_title and project_category: at most 200 characters")
    if g.api_key is not None and not g.api_key.allows("admin", None):
        raise Forbidden("a key restricted to one project cannot create projects")
    records = logic.jtheta(workspace())
    known = records.project(title)
    if known is not None and known.slug not in workspace().projects():
        records.forget_project(known.slug)  # its workspace project was deleted elsewhere
    elif known is not None:
        raise BadRequest(f"project_title: a project titled {title!r} already exists")
    slug = logic.new_project(workspace(), title, category)
    return jsonify(
        message="Project created",
        project_title=title,
        project_category=category,
        project_id=slug,
        url=url_for("workspace.home", _external=False) + f"p/{slug}/",
    ), 201


@bp.post("/create_dataset/")
def create_dataset():
    check_key("write")
    name, project_name = fields(request.form, "dataset_name", "project_name")
    license_info = (request.form.get("license") or "").strip() or None
    slug, _ = project_for(project_name, "write")
    files = uploads()
    if not files:
        raise BadRequest("images: at least one image file is required")
    for i, (filename, data) in enumerate(files):  # before the dataset exists
        logic.checked_image(filename or f"images[{i}]", data)
    records = logic.jtheta(workspace())
    dataset_id = records.add_dataset(slug, name[:200], license_info)
    ids = logic.add_images(workspace(), slug, dataset_id, files)
    return jsonify(
        message="Dataset and images uploaded",
        dataset_id=dataset_id,
        dataset_name=name,
        project_name=project_name,
        license=license_info,
        images_uploaded=len(ids),
        image_ids=ids,
    ), 201


@bp.post("/upload_images_to_dataset/")
def upload_images_to_dataset():
    check_key("write")
    raw_id, project_name = fields(request.form, "dataset_id", "project_name")
    if not raw_id.isdigit():
        raise BadRequest("dataset_id: must be a number")
    slug, _ = project_for(project_name, "write")
    dataset = logic.jtheta(workspace()).dataset(int(raw_id))
    if dataset is None or dataset.slug != slug:
        raise NotFound(f"no dataset {raw_id} in project {project_name!r}")
    ids = logic.add_images(workspace(), slug, dataset.id, uploads())
    return jsonify(
        message="Images uploaded",
        dataset_id=dataset.id,
        project_name=project_name,
        images_uploaded=len(ids),
        image_ids=ids,
    ), 201


@bp.post("/request_annotation/")
def request_annotation():
    check_key("admin")
    data = json_body()
    project_name, annotator, reviewer = fields(
        data, "project_name", "assigned_annotator", "assigned_reviewer"
    )
    raw_id = data.get("dataset_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, int | str) or not str(raw_id).isdigit():
        raise BadRequest("dataset_id: must be a number")
    for field, email in (("assigned_annotator", annotator), ("assigned_reviewer", reviewer)):
        if "@" not in email or len(email) > 254 or any(c.isspace() or c == "/" for c in email):
            raise BadRequest(f"{field}: {email!r} is not an e-mail address")
    if annotator.casefold() == reviewer.casefold():
        raise BadRequest("assigned_reviewer: must be someone other than the annotator")
    labels = data.get("labels")
    if not isinstance(labels, list) or not labels:
        raise BadRequest("labels: a non-empty list of {label, type}")
    pairs = []
    for i, entry in enumerate(labels):
        if not isinstance(entry, dict):
            raise BadRequest(f"labels[{i}]: must be an object {{label, type}}")
        label, kind = entry.get("label"), entry.get("type")
        if not isinstance(label, str) or not label.strip() or not isinstance(kind, str):
            raise BadRequest(f"labels[{i}]: needs a label and a type")
        pairs.append((label.strip(), kind))
    slug, _ = project_for(project_name, "admin")
    dataset = logic.jtheta(workspace()).dataset(int(raw_id))
    if dataset is None or dataset.slug != slug:
        raise NotFound(f"no dataset {raw_id} in project {project_name!r}")
    annotator, reviewer = annotator.lower(), reviewer.lower()
    logic.set_task(workspace(), slug, pairs, [annotator, reviewer])  # 400: unknown type
    logic.jtheta(workspace()).set_team(slug, annotator, reviewer)
    links = {}
    for role, email in (("annotator", annotator), ("reviewer", reviewer)):
        token, expires = logic.invite(workspace(), slug, email, role)
        links[role] = f"{url_for('workspace.home', _external=True)}p/{slug}/jtheta/invite/{token}"
    return jsonify(
        message="Task assigned",
        project_name=project_name,
        dataset_id=dataset.id,
        assigned_annotator=annotator,
        assigned_reviewer=reviewer,
        labels=[{"label": a, "type": b} for a, b in pairs],
        annotator_invite_url=links["annotator"],
        reviewer_invite_url=links["reviewer"],
        invite_expires_at=int(expires),
    ), 200


@bp.get("/get_annotation_status/<path:project_title>/")
def get_annotation_status(project_title: str):
    check_key("read")
    slug, project = project_for(project_title, "read")
    return jsonify(logic.status(workspace(), slug, project))


@bp.post("/delete_project/")
def delete_project():
    check_key("admin")
    (title,) = fields(json_body(), "project_title")
    slug, _ = project_for(title, "admin")
    workspace().delete(slug)
    logic.jtheta(workspace()).forget_project(slug)
    return jsonify(message="Project deleted", project_title=title)


@bp.get("/api/export/download")
def export_download():
    key = request.args.get("key", "").strip()
    check_key("read", key or None)
    wanted = (request.args.get("project_title") or request.args.get("project_name") or "").strip()
    record = g.get("api_key")
    if wanted:
        slug, _ = project_for(wanted, "read")
    elif record is not None and record.project is not None:
        found = logic.jtheta(workspace()).project_by_slug(record.project)
        if found is None:
            raise NotFound("this key's project has no JTheta project")
        slug = found.slug
    else:
        rows = logic.jtheta(workspace()).projects()
        if len(rows) != 1:
            raise BadRequest(
                "this key reaches several projects (or none): add project_title=<title>"
            )
        slug = rows[0].slug
    expires = int(time.time()) + logic.DOWNLOAD_SECONDS
    signature = logic.download_signature(workspace().secret_key, slug, expires)
    target = url_for("jtheta.export_file", slug=slug, expires=expires, signature=signature)
    return redirect(target, 302)


@bp.get("/api/export/file/<slug>")
def export_file(slug: str):
    """The signed, expiring link the download redirects to (no key needed: the link is)."""
    expires = request.args.get("expires", "")
    signature = request.args.get("signature", "")
    if not logic.signed_ok(workspace().secret_key, slug, expires, signature, time.time()):
        raise Forbidden("this download link is expired or invalid")
    project = workspace().projects().get(slug)
    if project is None:
        raise NotFound("the project is gone")
    fmt = exporter(EXPORT_FORMAT)
    name = f"{slug}-{EXPORT_FORMAT}.{fmt.extension}"
    return Response(
        fmt.stream(project),
        mimetype=fmt.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
