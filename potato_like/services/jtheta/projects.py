"""What the JTheta-style API does to workspace projects: create one per project title,
add uploaded images as items (each decoded to prove it is an image), set the label scheme
and team, count progress, sign export downloads."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ...errors import BadRequest, Conflict, NotFound
from ...schemes.image_label_types import image_scheme
from ...store.jtheta import JthetaStore
from ...workspace.create import _write as create_config
from ...workspace.workspace import CONFIG_FILE

if TYPE_CHECKING:
    from ...project import Project
    from ...workspace.workspace import Workspace

MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one uploaded file
MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # one request
MAX_IMAGES_PER_REQUEST = 500
MAX_IMAGE_PIXELS = 100_000_000
INVITE_SECONDS = 7 * 24 * 3600
DOWNLOAD_SECONDS = 600
IMAGES_DIR = "images"
DATA_DIR = "data"
TEMPLATE_DATA_FILE = "data/items.jsonl"  # what workspace/create.py writes; removed here
SCHEME_NAME = "objects"
# magic bytes -> the suffix an image is stored under (formats OpenCV decodes and we serve)
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"BM", ".bmp"),
)


def jtheta(workspace: Workspace) -> JthetaStore:
    return workspace.cache("jtheta_store", lambda: JthetaStore(workspace.store))


def slug_for(workspace: Workspace, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "project"
    taken = set(workspace.projects()) | set(workspace.slugs_on_disk())
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def new_project(workspace: Workspace, title: str, category: str) -> str:
    records = jtheta(workspace)
    if records.project(title) is not None:
        raise Conflict(f"a project titled {title!r} already exists")
    slug = slug_for(workspace, title)
    _create(workspace, slug, title)
    try:
        records.add_project(title, slug, category)
    except Exception:
        workspace.delete(slug)
        raise
    return slug


def _create(workspace: Workspace, slug: str, title: str) -> None:
    """A workspace project (workspace/create.py's generated config) that starts without
    items: its data is a watched directory that uploads add files of items to. Until
    request_annotation names the labels it offers one box tool and a generic label."""
    scheme = image_scheme(SCHEME_NAME, "Draw a shape around every object", [("object", "bbox")])
    target = workspace.config.projects_dir / slug
    staging = Path(tempfile.mkdtemp(prefix=f".new-{slug}-", dir=workspace.config.projects_dir))
    try:
        create_config(staging, workspace, title, [scheme], [], None)
        (staging / TEMPLATE_DATA_FILE).unlink()
        path = staging / CONFIG_FILE
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        del config["data_files"]
        config.update(data_directory=DATA_DIR, watch_data_directory=True)
        # Only the people request_annotation invites may sign in (set_team lists them).
        config["user_config"] = {"allow_all_users": False, "users": []}
        _write_config(path, config)
        workspace.load_project_config(slug, staging)
        try:
            os.rename(staging, target)
        except OSError:
            raise Conflict(f"a project {slug!r} already exists") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    workspace.start(slug)


def _write_config(path: Path, config: dict) -> None:
    header = (
        "# A project of the JTheta-style API (seed 000, docs/services.md): images uploaded\n"
        "# with /create_dataset/ are in images/, their items in data/; the label scheme is\n"
        "# set by /request_annotation/. Edit it like any project config.\n"
    )
    text = header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def find(workspace: Workspace, title: str) -> tuple[str, Project]:
    """(slug, Project) of a JTheta project title; NotFound otherwise."""
    row = jtheta(workspace).project(title)
    project = workspace.projects().get(row.slug) if row is not None else None
    if project is None:
        raise NotFound(f"no project {title!r}")
    return row.slug, project


# -- images ------------------------------------------------------------------------------
def checked_image(name: str, data: bytes) -> str:
    """The suffix to store an upload under, once OpenCV decoded it; BadRequest otherwise."""
    import cv2
    import numpy as np

    if not data:
        raise BadRequest(f"{name}: the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise BadRequest(f"{name}: larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    suffix = next((s for magic, s in MAGIC if data.startswith(magic)), None)
    if suffix is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        suffix = ".webp"
    if suffix is None:
        raise BadRequest(f"{name}: not an image (PNG, JPEG, WebP or BMP)")
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise BadRequest(f"{name}: not a readable image (decoding failed)")
    if image.shape[0] * image.shape[1] > MAX_IMAGE_PIXELS:
        raise BadRequest(f"{name}: more than {MAX_IMAGE_PIXELS} pixels")
    return suffix


def add_images(
    workspace: Workspace, slug: str, dataset_id: int, files: list[tuple[str, bytes]]
) -> list[str]:
    """Check every file, then store them in the project's directory and add them as items
    of the running project (all or nothing: one bad file adds none). Their item ids."""
    if not files:
        raise BadRequest("images: at least one image file is required")
    if len(files) > MAX_IMAGES_PER_REQUEST:
        raise BadRequest(f"images: at most {MAX_IMAGES_PER_REQUEST} files per request")
    suffixes = [checked_image(name or f"images[{i}]", data) for i, (name, data) in enumerate(files)]
    directory = workspace.project_dir(slug)
    folder = directory / IMAGES_DIR / str(dataset_id)
    folder.mkdir(parents=True, exist_ok=True)
    rows, ids = [], []
    for (name, data), suffix in zip(files, suffixes, strict=True):
        key = uuid.uuid4().hex[:16]
        path = folder / f"{key}{suffix}"
        path.write_bytes(data)
        item_id = f"ds{dataset_id}-{key}"
        ids.append(item_id)
        rows.append(
            {
                "id": item_id,
                "text": path.relative_to(directory).as_posix(),
                "dataset_id": dataset_id,
                "filename": Path(name or "").name,
            }
        )
    # One file of items per upload, written hidden and renamed into the watched data
    # directory when complete: concurrent uploads never share a file, and the watcher
    # (which skips hidden files) never reads half of one.
    batch = directory / DATA_DIR / f"{dataset_id}-{uuid.uuid4().hex[:12]}.jsonl"
    partial = batch.with_name(f".{batch.name}.partial")
    with partial.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(partial, batch)
    workspace.projects()[slug].import_data()
    return ids


# -- the label scheme and the team ---------------------------------------------------------
def set_task(
    workspace: Workspace, slug: str, labels: list[tuple[str, str]], people: list[str]
) -> None:
    """Write the labels into the project's config.yaml as its image scheme, add `people`
    to its closed list of users and restart the project (its annotations stay: they live
    in its database)."""
    scheme = image_scheme(SCHEME_NAME, "Draw a shape around every labelled object", labels)
    path = workspace.project_dir(slug) / CONFIG_FILE
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    users = config.setdefault("user_config", {}).setdefault("users", [])
    added = [p for p in people if p not in users]
    if config.get("annotation_schemes") == [scheme] and not added:
        return
    config["annotation_schemes"] = [scheme]
    users += added
    _write_config(path, config)
    workspace.start(slug)


def invite(workspace: Workspace, slug: str, email: str, role: str) -> tuple[str, float]:
    """A new one-time invite token for `email` as `role`, and when it expires."""
    token = secrets.token_urlsafe(32)
    expires = time.time() + INVITE_SECONDS
    jtheta(workspace).add_invite(token, slug, email, role, expires)
    return token, expires


# -- progress ------------------------------------------------------------------------------
def status(workspace: Workspace, slug: str, project: Project) -> dict:
    """Counts of the project's images: annotated ones, reviewed ones (accepted or rejected
    since their last change) and those waiting for review or rework."""
    last_change: dict[str, float] = {}
    for rec in project.store.annotations.iter_annotated():
        last_change[rec.item_id] = max(last_change.get(rec.item_id, 0.0), rec.updated_at)
    reviews = jtheta(workspace).latest_reviews(slug)
    accepted = rejected = pending = 0
    for item_id, changed in last_change.items():
        review = reviews.get(item_id)
        if review is None or review["decided_at"] < changed:
            pending += 1  # never reviewed, or changed again after a rejection
        elif review["decision"] == "accept":
            accepted += 1
        else:
            rejected += 1
    total = project.store.stats.overview().total_items
    row = jtheta(workspace).project_by_slug(slug)
    return {
        "project_title": row.title,
        "project_category": row.category,
        "total": total,
        "total_images": total,
        "annotated": len(last_change),
        "not_annotated": total - len(last_change),
        "reviewed": accepted + rejected,
        "accepted": accepted,
        "rejected": rejected,
        "pending_review": pending,
        "datasets": jtheta(workspace).dataset_count(slug),
        "assigned_annotator": row.annotator,
        "assigned_reviewer": row.reviewer,
    }


# -- signed export downloads ---------------------------------------------------------------
def download_signature(secret: str, slug: str, expires: int) -> str:
    message = f"jtheta-export|{slug}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_ok(secret: str, slug: str, expires: str, signature: str, now: float) -> bool:
    try:
        when = int(expires)
    except ValueError:
        return False
    good = download_signature(secret, slug, when)
    return hmac.compare_digest(good, signature) and when > now
