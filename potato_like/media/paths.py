"""Media URLs in item data, and the guard that serves project files.

An item's media value is one of: an http(s) URL (left as is), a path on this site starting
with one `/` (left as is; Potato's `/media/...` paths), or a path relative to the project
directory, served by the `media` blueprint. Anything else (`javascript:`, `file:`,
`//host`, Windows drive paths, `..`) is refused: the display says it cannot show the value.

A served file must lie inside the project directory after resolving symlinks, must not be
hidden or inside the annotation output directory, and must have a known media suffix (so
the session secret, the database and the config are never served).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config.model import ProjectConfig

# Suffix -> Content-Type. No SVG: it can carry script when opened directly.
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".bmp": "image/bmp",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
    ".flac": "audio/flac",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mov": "video/quicktime",
    ".vtt": "text/vtt",
    ".pdf": "application/pdf",
    # depth maps and point clouds (served only by /media/depth and /media/pointcloud)
    ".npy": "application/x-npy",
    ".bin": "application/x-pointcloud",
    ".pcd": "application/x-pointcloud",
    ".ply": "application/x-pointcloud",
}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_REMOTE = re.compile(r"^https?://[^\s/]+", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
# SVG screenshots in traces (data URIs only, never files or URLs served as SVG). Safe because
# they only ever become an <img> source: an SVG loaded as an image runs no script and loads
# nothing (the browser's secure static mode); no template inlines one or links to one, and
# browsers refuse top-level navigation to data: URLs. Capped in size.
_DATA_SVG = re.compile(
    r"^data:image/svg\+xml(;charset=[A-Za-z0-9_-]+)?"
    r"(;base64,[A-Za-z0-9+/=\s]+|,[^\x00-\x1f]*)$",
    re.IGNORECASE,
)
MAX_SVG_DATA_URI = 512 * 1024  # characters


def project_root(config: ProjectConfig) -> Path:
    """The directory relative media paths are served from: the config file's directory
    (task_dir when the config was given as a mapping)."""
    base = config.config_path.parent if config.config_path is not None else config.task_dir
    return base.resolve()


def relative_media_path(value: str) -> str | None:
    """`value` as a clean relative POSIX path, or None when it is not one (a URL, absolute,
    with `..`, backslashes or control characters, or hidden parts)."""
    if not value or value != value.strip() or _SCHEME.match(value):
        return None
    if value.startswith(("/", "\\")) or "\\" in value or any(ord(c) < 32 for c in value):
        return None
    if "?" in value or "#" in value:
        return None
    parts = PurePosixPath(value).parts
    if not parts or any(part in ("..", ".") or part.startswith(".") for part in parts):
        return None
    return "/".join(parts)


def media_kind(value: object, *, allow_data_image: bool = False) -> str | None:
    """'remote', 'site', 'project' or 'data' for a usable media value; None to refuse."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if _REMOTE.match(value):
        return "remote"
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return "site" if ".." not in PurePosixPath(value).parts else None
    if allow_data_image and _DATA_IMAGE.match(value):
        return "data"
    if allow_data_image and len(value) <= MAX_SVG_DATA_URI and _DATA_SVG.match(value):
        return "data"
    return "project" if relative_media_path(value) else None


def safe_project_file(config: ProjectConfig, relpath: str) -> tuple[Path, str] | None:
    """(file, content type) for a relative path that may be served, else None."""
    clean = relative_media_path(relpath)
    if clean is None:
        return None
    content_type = MEDIA_TYPES.get(PurePosixPath(clean).suffix.lower())
    if content_type is None:
        return None
    root = project_root(config)
    try:
        target = (root / clean).resolve(strict=True)  # follows symlinks: checked below
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    output = config.output_dir.resolve()
    if target.is_relative_to(output):
        return None
    if any(part.startswith(".") for part in target.relative_to(root).parts):
        return None
    return target, content_type


def in_media_dir(root: Path, value: str) -> str:
    """`value`, or `media/<value>` when only that exists: Potato resolves relative media paths
    against `media_directory`, which its examples set to `media`."""
    clean = relative_media_path(value)
    if clean is None or (root / clean).exists() or not (root / "media" / clean).exists():
        return value
    return f"media/{clean}"


def local_media_file(task_dir: Path, source: str) -> Path | None:
    """The project file an item's media value names (a project path, or a /media/ URL), or
    None: remote, outside the project, or not a file."""
    kind = media_kind(source)
    if kind == "project":
        rel = relative_media_path(source)
    elif kind == "site" and source.startswith("/media/"):
        rel = relative_media_path(source[1:])
    else:
        return None
    if rel is None:
        return None
    root = task_dir.resolve()
    rel = in_media_dir(root, rel)
    try:
        path = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return path if path.is_relative_to(root) and path.is_file() else None
