"""Items a project receives from /api/v1 datasets (docs/api-v1.md, "Datasets and projects").

A dataset attached to a project adds one item per ready audio file. The rows live in a JSONL
file the server owns, `<output_dir>/dataset_items.jsonl`, imported with the project's own
data files at every start and after every change (Project.import_data, as live ingestion
does), so the items survive restarts and keep their annotations. The audio itself is linked
(or copied) into `<project dir>/media/datasets/<dataset_id>/`, where the media route serves
it to logged-in annotators like any project media file.

Rows are keyed by the audio id (the item id). Pushing an inference job's detections sets the
row's pre-annotation field, which pre-fills the annotator's form (quality/pre_annotation.py).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import Conflict, DataError

if TYPE_CHECKING:
    from .config.model import ProjectConfig
    from .project import Project

ITEMS_FILE = "dataset_items.jsonl"
MEDIA_DIR = "media/datasets"


def items_file(config: ProjectConfig) -> Path:
    return config.output_dir / ITEMS_FILE


def data_files(config: ProjectConfig) -> tuple[Path, ...]:
    """The files a project imports: its configured data plus the attached datasets' rows."""
    files = config.current_data_files()
    extra = items_file(config)
    if config.bws is None and config.ibws is None and extra.is_file():
        return (*files, extra)
    return files


def read_rows(config: ProjectConfig) -> list[dict[str, Any]]:
    path = items_file(config)
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _lock(project: Project) -> threading.Lock:
    return project.cache("dataset_items_lock", threading.Lock)


def change_rows(
    project: Project, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]] | None]
) -> None:
    """Rewrite the rows with `change(rows)` (None: unchanged) and import them at once."""
    config = project.config
    with _lock(project):
        rows = read_rows(config)
        new = change(rows)
        if new is None:
            return
        path = items_file(config)
        existed = path.is_file()
        _replace(path, new)
        try:
            project.import_data()
        except DataError as exc:  # e.g. an id the project's own data already has
            if existed:
                _replace(path, rows)
            else:
                path.unlink(missing_ok=True)
            problems = "; ".join(getattr(exc, "problems", None) or [str(exc)])
            raise Conflict(f"the project did not take the items: {problems}") from None


def _replace(path: Path, rows: list[dict[str, Any]]) -> None:
    """Written whole and renamed: an import never reads half a file."""
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".dataset-items-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def place_audio(config: ProjectConfig, source: Path, dataset_id: str, name: str) -> str:
    """Link (or copy) an uploaded file into the project's media; its project-relative path."""
    from .media.paths import project_root

    relative = f"{MEDIA_DIR}/{dataset_id}/{name}"
    target = project_root(config) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{name}.part")
        try:
            os.link(source, partial)
        except OSError:
            shutil.copyfile(source, partial)
        os.replace(partial, target)
    return relative
