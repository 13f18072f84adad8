"""Media values as local files the server can read: project files through the `paths` rules,
remote URLs downloaded through the safe fetcher into a temporary file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..app_path import site_path
from ..errors import BadRequest, NotFound
from ..net.safe_fetch import FetchPolicy, open_stream
from .paths import media_kind, safe_project_file

if TYPE_CHECKING:
    from ..config.model import ProjectConfig

AUDIO_TYPES = ("audio/", "video/", "application/octet-stream", "application/ogg")
VIDEO_TYPES = ("video/", "application/octet-stream", "application/mp4")
# Site paths that map onto project files (the `media` blueprint's URLs).
_SITE_PREFIXES = {"/project_files/": "", "/media/": "media/"}


def fetch_policy(config: ProjectConfig, accept: tuple[str, ...]) -> FetchPolicy:
    media = config.media
    return FetchPolicy(
        allow_hosts=media.allow_fetch_hosts,
        max_bytes=media.fetch_max_bytes,
        timeout=media.fetch_timeout,
        accept=accept,
    )


def project_relpath(value: str) -> str | None:
    """The project-relative path a media value names, or None for remote/unknown values."""
    value = site_path(value)
    kind = media_kind(value)
    if kind == "project":
        return value.strip()
    if kind == "site":
        for prefix, replacement in _SITE_PREFIXES.items():
            if value.startswith(prefix):
                return replacement + value[len(prefix) :]
    return None


@contextmanager
def local_media(config: ProjectConfig, value: object, accept: tuple[str, ...]) -> Iterator[Path]:
    """A readable local file for a media value: the project file itself, or a downloaded
    copy of a remote URL (removed afterwards). Raises BadRequest/NotFound/FetchError."""
    if not isinstance(value, str) or not value.strip():
        raise BadRequest("give the media URL or project path as a string")
    value = value.strip()
    kind = media_kind(value)
    if kind == "remote":
        directory = config.output_dir / "media_downloads"
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="dl-")
        try:
            with os.fdopen(fd, "wb") as fh, open_stream(value, fetch_policy(config, accept)) as s:
                for chunk in s.chunks():
                    fh.write(chunk)
            yield Path(tmp)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return
    relpath = project_relpath(value)
    found = safe_project_file(config, relpath) if relpath else None
    if found is None:
        # One answer for outside, hidden, unknown type and missing: no probing.
        raise NotFound("no such media file in this project")
    yield found[0]
