"""Secrets persisted in the project's output directory (mode 0600), created on first start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .private_files import make_private_dir, open_private


def read_or_create(path: Path, nbytes: int = 32) -> str:
    """Return the secret stored at `path`, creating it atomically (0600) when missing."""
    make_private_dir(path.parent)
    try:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(nbytes)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = open_private(tmp)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    try:
        # Another process may have created it meanwhile: keep theirs (link fails if it exists).
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()
