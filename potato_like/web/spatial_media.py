"""Depth maps and point clouds of project files, at Potato's URLs.

`GET /media/depth/<path>`: the depth map coloured as a PNG (`colormap`, `near`, `far` in
metres, `invert`, `scale` = metres per stored unit); `?format=json` its size, range and
default window; `?format=grid` metres on a coarse grid for the page's readout.
`GET /media/pointcloud/<path>`: a point cloud (KITTI .bin float32 x,y,z,intensity; ASCII or
binary .pcd; ASCII .ply; .npy N x 3+) as JSON: `{count, served, stride, bounds, points:
[x, y, z, ...], intensity?}`, decimated to at most `max_points` (default 200,000) with the
stride reported, so index i of the served list is point i*stride of the file.

`GET /api/episode/<path>`: a robot episode manifest (media/episodes.py) with its stream URLs
on this site and its series decimated to `max_samples` (415 for a manifest we cannot read).

Relative paths are looked up in the project directory, then under its `media/` folder
(Potato's `media_directory`), with the project media guard (no `..`, no symlinks out, no
hidden files, known suffixes only). Unreadable files are a 422 naming the problem.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import quote

from flask import Blueprint, Response, request

from ..app_path import app_path
from ..errors import BadRequest, NotFound
from ..media.depth import DepthError, colorize, describe, grid, read_depth
from ..media.episode_sources import MissingExtra, is_hdf5, is_lerobot, read_hdf5, read_lerobot
from ..media.episodes import EpisodeError, read_manifest
from ..media.paths import project_root, relative_media_path, safe_project_file
from ..media.pointcloud import CloudError, read_cloud, served_cloud
from .security import current_project, require_user

bp = Blueprint("spatial_media", __name__)


class Unsupported(BadRequest):
    status = 415


class Unprocessable(BadRequest):
    status = 422


class NotImplementedHere(BadRequest):
    status = 501  # an optional extra is not installed


def project_media(relpath: str, kinds: tuple[str, ...]):
    """The file a media value names (project dir, then `media/`), or NotFound."""
    config = current_project().config
    for candidate in (relpath, f"media/{relpath}"):
        found = safe_project_file(config, candidate)
        if found is not None and found[1].startswith(kinds):
            return found[0]
    raise NotFound("no such media file")


def _number(name: str, default=None, minimum=None):
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadRequest(f"'{name}' must be a finite number")
    if minimum is not None and value <= minimum:
        raise BadRequest(f"'{name}' must be more than {minimum}")
    return value


@bp.get("/media/depth/<path:filepath>")
def depth_map(filepath: str):
    require_user()
    path = project_media(filepath, ("image/", "application/x-npy"))
    scale = _number("scale", None, minimum=0)
    try:
        depth = read_depth(path, scale)
        fmt = request.args.get("format", "png")
        if fmt == "json":
            return describe(depth)
        if fmt == "grid":
            return grid(depth)
        if fmt != "png":
            raise BadRequest("'format' must be png, json or grid")
        png = colorize(
            depth,
            request.args.get("colormap", "turbo"),
            _number("near"),
            _number("far"),
            request.args.get("invert") in ("1", "true"),
        )
    except DepthError as exc:
        raise Unprocessable(str(exc)) from exc
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/media/pointcloud/<path:filepath>")
def point_cloud(filepath: str):
    require_user()
    path = project_media(filepath, ("application/x-pointcloud", "application/x-npy"))
    max_points = int(_number("max_points", 200_000, minimum=0))
    try:
        cloud = read_cloud(path)
    except CloudError as exc:
        raise Unprocessable(str(exc)) from exc
    return served_cloud(cloud, max_points)


@bp.get("/api/episode/<path:filepath>")
def episode_manifest(filepath: str):
    """A robot episode manifest with stream URLs on this site and decimated series."""
    require_user()
    config = current_project().config
    max_samples = int(_number("max_samples", 2000, minimum=0))

    def url_for(rel_path: str) -> str | None:
        found = safe_project_file(config, rel_path)
        return app_path(f"/project_files/{quote(rel_path)}") if found else None

    found = safe_json_file(config, filepath) or safe_json_file(config, f"media/{filepath}")
    try:
        if found is not None:
            path, rel = found
            return read_manifest(
                path, str(PurePosixPath(rel).parent).strip("."), url_for, max_samples
            )
        found = safe_project_path(config, filepath) or safe_project_path(
            config, f"media/{filepath}"
        )
        if found is not None and is_lerobot(found[0]):
            raw = request.args.get("episode") or "0"
            if not raw.isdigit() or len(raw) > 9:
                raise BadRequest("'episode' must be a whole number from 0")
            index = int(raw)
            return read_lerobot(found[0], found[1], index, url_for, max_samples)
        if found is not None and is_hdf5(found[0]):
            fps = _number("fps", 30, minimum=0.001)
            return read_hdf5(found[0], request.args.get("episode", ""), fps, max_samples)
    except EpisodeError as exc:
        raise Unsupported(str(exc)) from exc
    except MissingExtra as exc:
        raise NotImplementedHere(str(exc)) from exc
    raise NotFound("no such episode")


def safe_project_path(config, relpath: str):
    """(path, clean relative path) of a file or directory inside the project, by the rules of
    safe_json_file (no `..`, symlinks out, hidden parts or annotation output), else None."""
    clean = relative_media_path(relpath.rstrip("/"))
    if clean is None:
        return None
    root = project_root(config)
    try:
        target = (root / clean).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or target.is_relative_to(config.output_dir.resolve()):
        return None
    if any(part.startswith(".") for part in target.relative_to(root).parts):
        return None
    return target, clean


def safe_json_file(config, relpath: str):
    """(path, clean relative path) of a JSON file inside the project that the media guard
    would serve if JSON were a media type (same rules: no `..`, symlinks out, hidden files or
    annotation output), else None."""
    clean = relative_media_path(relpath)
    if clean is None or not clean.lower().endswith(".json"):
        return None
    root = project_root(config)
    try:
        target = (root / clean).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    if target.is_relative_to(config.output_dir.resolve()):
        return None
    if any(part.startswith(".") for part in target.relative_to(root).parts):
        return None
    return target, clean
