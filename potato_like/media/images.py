"""Image sizes and downscaled previews, read with opencv (imported lazily).

`ImageSizes` remembers the (width, height) of files it has read, keyed by path, size and
modification time, so a changed file is read again. `preview_file` writes a downscaled JPEG
of a large image once into a cache directory and returns its path afterwards: the annotation
page shows the preview first, so a 4000x3000 photo is interactive quickly, while the stored
coordinates stay normalised to the full image.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

PREVIEW_MAX_SIDE = 1600
PREVIEW_QUALITY = 85
_CACHE_LIMIT = 4096


class UnreadableImage(ValueError):
    """The file is missing, not an image opencv can decode, or empty."""


def _stamp(path: Path) -> tuple[str, int, int]:
    st = path.stat()
    return str(path), st.st_size, st.st_mtime_ns


def read_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image file, as the browser shows it (EXIF orientation applied)."""
    import cv2  # lazy: heavy import, only pages and saves of image schemes need it

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise UnreadableImage(f"{path.name}: not an image that can be read")
    height, width = image.shape[:2]
    return int(width), int(height)


class ImageSizes:
    """A bounded per-project memo of image sizes (one per scheme or app, never global)."""

    def __init__(self, limit: int = _CACHE_LIMIT) -> None:
        self.limit = limit
        self._sizes: dict[tuple, Any] = {}

    def pdf(self, path: Path) -> dict:
        """Page count and rendered page sizes of a PDF (media/pdf.py), memoised."""
        from .pdf import pdf_info

        try:
            key = ("pdf", *_stamp(path))
        except OSError as exc:
            raise UnreadableImage(f"{path.name}: cannot be opened") from exc
        found = self._sizes.get(key)
        if found is None:
            found = pdf_info(path, None)
            if len(self._sizes) >= self.limit:
                self._sizes.pop(next(iter(self._sizes)))
            self._sizes[key] = found
        return found

    def size(self, path: Path) -> tuple[int, int]:
        try:
            key = _stamp(path)
        except OSError as exc:
            raise UnreadableImage(f"{path.name}: cannot be opened") from exc
        found = self._sizes.get(key)
        if found is None:
            from .tiles import header_size  # PNG/JPEG: no decode of a 20k x 20k image

            found = header_size(path) or read_size(path)
            if len(self._sizes) >= self.limit:
                self._sizes.pop(next(iter(self._sizes)))
            self._sizes[key] = found
        return found


def preview_file(
    path: Path, cache_dir: Path, max_side: int = PREVIEW_MAX_SIDE
) -> tuple[Path, tuple[int, int]]:
    """(preview, (width, height) of the original): a JPEG of `path` at most `max_side` pixels
    on its longer side, made once and cached in `cache_dir` (named by the source's path, size
    and mtime, with the original's size beside it), so the image is decoded once for both;
    the file itself when it is already small enough."""
    try:
        name, size, mtime = _stamp(path)
    except OSError as exc:
        raise UnreadableImage(f"{path.name}: cannot be opened") from exc
    digest = hashlib.blake2s(f"{name}\x1f{size}\x1f{mtime}\x1f{max_side}".encode()).hexdigest()
    target = cache_dir / f"{digest[:32]}.jpg"
    sidecar = cache_dir / f"{digest[:32]}.json"
    try:
        known = json.loads(sidecar.read_text())
        dims = (int(known["width"]), int(known["height"]))
        return (target if known.get("preview") else path), dims
    except (OSError, ValueError, KeyError, TypeError):
        pass
    import cv2  # lazy

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise UnreadableImage(f"{path.name}: not an image that can be read")
    height, width = image.shape[:2]
    scale = max_side / max(width, height)
    cache_dir.mkdir(parents=True, exist_ok=True)
    if scale < 1:
        small = cv2.resize(
            image,
            (max(1, round(width * scale)), max(1, round(height * scale))),
            interpolation=cv2.INTER_AREA,
        )
        ok, encoded = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, PREVIEW_QUALITY])
        if not ok:
            raise UnreadableImage(f"{path.name}: the preview could not be encoded")
        _write_atomic(target, encoded.tobytes())
    info = {"width": int(width), "height": int(height), "preview": scale < 1}
    _write_atomic(sidecar, json.dumps(info).encode())
    return (target if scale < 1 else path), (int(width), int(height))


def _write_atomic(target: Path, data: bytes) -> None:
    """Two requests for the same preview never see half a file."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
