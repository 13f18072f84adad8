"""The rollout set an annotator sees (`GET /api/rollout/set`): the scheme's manifest (panel
order and captions, from the scheme) plus each stream's length, read from project files with
opencv. Remote streams keep their URL; their length is unknown and the manifest says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..media.paths import in_media_dir, media_kind, project_root, safe_project_file
from ..media.video import video_metadata
from ..media.waveform import UnreadableMedia


def stream_file(config, value: Any) -> Path | None:
    """The project file behind a stream's item value, or None (remote, unsafe or missing).
    Paths are checked by media/paths (no `..`, absolute paths or files of other kinds)."""
    if media_kind(value) != "project":
        return None
    rel = in_media_dir(project_root(config), value.strip())
    found = safe_project_file(config, rel)
    if found is None or not found[0].is_file():
        return None
    return found[0]


def rollout_manifest(config, scheme, fields: dict, annotator: str, item_id: str) -> dict:
    manifest = scheme.rollout_set(fields, annotator, item_id)
    warnings: list[str] = []
    for stream in manifest["streams"]:
        stream.update(fps=None, num_frames=None, duration=None)
        path = stream_file(config, fields.get(stream["stream_id"]))
        if path is None:
            warnings.append(f"{stream['name']}: not a project file, so its length is unknown")
            continue
        try:
            meta = video_metadata(path)
        except UnreadableMedia as exc:
            warnings.append(f"{stream['name']}: {exc}")
            continue
        stream.update(fps=meta["fps"], num_frames=meta["frame_count"], duration=meta["duration"])
    # The longest stream: a rollout that runs past the recording is where drift shows.
    duration = max((s["duration"] or 0.0 for s in manifest["streams"]), default=0.0)
    manifest["duration"] = duration
    manifest["num_frames"] = round(duration * manifest["fps"])
    manifest["warnings"] = warnings
    return manifest
