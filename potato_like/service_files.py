"""Where /api/v1 keeps its files under the service's private `files_dir`: uploaded audio,
trained models and finished exports. Names are our own UUIDs, never client text."""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path


def _checked(value: str) -> str:
    return str(uuid.UUID(value))  # ValueError for anything but a UUID: no path tricks


def audio_path(files_dir: Path, audio_id: str) -> Path:
    return files_dir / "audio" / _checked(audio_id)


def model_path(files_dir: Path, model_id: str) -> Path:
    return files_dir / "models" / f"{_checked(model_id)}.joblib"


def export_dir(files_dir: Path, job_id: str) -> Path:
    return files_dir / "exports" / _checked(job_id)


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
