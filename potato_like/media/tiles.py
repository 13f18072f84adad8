"""Deep Zoom (DZI) tile pyramids of large project images, made with opencv on demand.

A 20000x20000 survey cannot go to a browser as one file. The pyramid holds the image at
successive halvings, each cut into `tile_size` squares with `overlap` pixels shared with
their neighbours; the editor fetches only the tiles on screen. DZI numbers levels from
0 (1x1 px) up to `max_level` (full size): level L is the image scaled by 2**(L - max_level).

A level is built as a unit the first time one of its tiles is asked for: the source is
decoded once (opencv's reduced decoders for levels at 1/2, 1/4 and 1/8 or smaller, which
libjpeg does without ever holding the full-size image), resized to the level and written out
tile by tile under the cache directory, with a marker file when complete. Builds are
serialised by an flock on the cache directory (threads and server processes alike), so the
memory a build holds is bounded by one decode of at most `max_pixels` pixels; serving a
built tile is a file read. The image's size comes from its header (PNG, JPEG; other formats
are decoded once), so an image whose header claims more than `max_pixels` is refused before
anything is decoded.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import struct
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .images import UnreadableImage, read_size

DEFAULT_TILE_SIZE = 254
DEFAULT_OVERLAP = 1
DEFAULT_MAX_PIXELS = 640_000_000
TILE_FORMAT = "jpg"
TILE_QUALITY = 88
# Images with more pixels than this get tiles in the editor even without `viewer: deepzoom`
# (a preview of them would decode the whole image in the request).
AUTO_TILE_PIXELS = 40_000_000


class TileError(ValueError):
    """The request names no tile of this pyramid, or the source cannot be tiled."""


@dataclass(frozen=True)
class Pyramid:
    width: int
    height: int
    tile_size: int = DEFAULT_TILE_SIZE
    overlap: int = DEFAULT_OVERLAP

    @property
    def max_level(self) -> int:
        return max(0, math.ceil(math.log2(max(self.width, self.height))))

    def scale(self, level: int) -> int:
        """How many full-image pixels one pixel of `level` stands for (a power of two)."""
        return 2 ** (self.max_level - level)

    def level_size(self, level: int) -> tuple[int, int]:
        s = self.scale(level)
        return max(1, math.ceil(self.width / s)), max(1, math.ceil(self.height / s))

    def grid(self, level: int) -> tuple[int, int]:
        w, h = self.level_size(level)
        return math.ceil(w / self.tile_size), math.ceil(h / self.tile_size)

    def tile_box(self, level: int, column: int, row: int) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of a tile in its level's pixels, overlap included."""
        if not 0 <= level <= self.max_level:
            raise TileError(f"level {level} is outside 0..{self.max_level}")
        cols, rows = self.grid(level)
        if not (0 <= column < cols and 0 <= row < rows):
            raise TileError(f"tile {column}_{row} is outside level {level} ({cols}x{rows})")
        w, h = self.level_size(level)
        ts, ov = self.tile_size, self.overlap
        x0 = column * ts - (ov if column else 0)
        y0 = row * ts - (ov if row else 0)
        return x0, y0, min(w, (column + 1) * ts + ov), min(h, (row + 1) * ts + ov)

    def dzi(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Image xmlns="http://schemas.microsoft.com/deepzoom/2008" '
            f'Format="{TILE_FORMAT}" Overlap="{self.overlap}" TileSize="{self.tile_size}">'
            f'<Size Width="{self.width}" Height="{self.height}"/></Image>\n'
        )

    def as_json(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "tile_size": self.tile_size,
            "overlap": self.overlap,
            "format": TILE_FORMAT,
            "max_level": self.max_level,
        }


# -- image size from the header -----------------------------------------------------------
def header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) read from a PNG or JPEG header (JPEG with its EXIF rotation applied,
    as opencv shows it), or None for other formats."""
    try:
        with path.open("rb") as fh:
            head = fh.read(26)
            if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
                width, height = struct.unpack(">II", head[16:24])
                return int(width), int(height)
            if head[:2] == b"\xff\xd8":
                fh.seek(2)
                return _jpeg_size(fh)
    except (OSError, struct.error):
        return None
    return None


def _jpeg_size(fh) -> tuple[int, int] | None:
    rotated = False
    while True:
        marker = fh.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
            continue
        (length,) = struct.unpack(">H", fh.read(2))
        if length < 2:
            return None
        body = fh.read(length - 2)
        if kind == 0xE1 and body[:6] == b"Exif\x00\x00":
            rotated = _exif_orientation(body[6:]) in (5, 6, 7, 8)
        if kind in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", body[1:5])
            return (int(height), int(width)) if rotated else (int(width), int(height))
        if kind == 0xDA:
            return None


def _exif_orientation(tiff: bytes) -> int | None:
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for i in range(count):
        at = ifd + 2 + 12 * i
        if at + 12 > len(tiff):
            return None
        tag, _kind, _n = struct.unpack(order + "HHI", tiff[at : at + 8])
        if tag == 0x0112:
            return struct.unpack(order + "H", tiff[at + 8 : at + 10])[0]
    return None


def image_size(path: Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> tuple[int, int]:
    """(width, height) of an image, from its header when it has one we read; refuses
    images above `max_pixels` (a hostile header cannot make us decode it)."""
    size = header_size(path)
    if size is None:
        size = read_size(path)
    width, height = size
    if width <= 0 or height <= 0:
        raise UnreadableImage(f"{path.name}: the image has no pixels")
    if width * height > max_pixels:
        raise TileError(
            f"{path.name}: {width}x{height} is more than the {max_pixels:,} pixels "
            "tiles.max_pixels allows"
        )
    return width, height


# -- building levels ----------------------------------------------------------------------
def pyramid_dir(cache_dir: Path, source: Path, pyramid: Pyramid) -> Path:
    st = source.stat()
    key = (
        f"{source}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{pyramid.tile_size}\x1f{pyramid.overlap}"
    )
    return cache_dir / hashlib.blake2s(key.encode()).hexdigest()[:32]


@contextmanager
def _build_lock(cache_dir: Path):
    """One level build at a time per cache directory (threads and processes)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    fh = open(cache_dir / ".build.lock", "a+b")  # noqa: SIM115 - held for the block
    try:
        try:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not on Linux: no cross-process lock
            pass
        yield
    finally:
        fh.close()  # releases the lock


def _decode(source: Path, reduction: int):
    import cv2  # lazy: heavy import

    flag = {
        1: cv2.IMREAD_COLOR,
        2: cv2.IMREAD_REDUCED_COLOR_2,
        4: cv2.IMREAD_REDUCED_COLOR_4,
        8: cv2.IMREAD_REDUCED_COLOR_8,
    }[reduction]
    image = cv2.imread(str(source), flag)
    if image is None or image.size == 0:
        raise UnreadableImage(f"{source.name}: not an image that can be read")
    return image


def ensure_level(cache_dir: Path, source: Path, pyramid: Pyramid, level: int) -> Path:
    """The directory holding every tile of `level`, built now if it is not yet."""
    directory = pyramid_dir(cache_dir, source, pyramid) / str(level)
    done = directory / ".done"
    if done.exists():
        return directory
    with _build_lock(cache_dir):
        if done.exists():  # another request built it while we waited
            return directory
        import cv2

        scale = pyramid.scale(level)
        reduction = min(8, scale)
        image = _decode(source, reduction)
        width, height = pyramid.level_size(level)
        if image.shape[1] != width or image.shape[0] != height:
            image = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
        directory.mkdir(parents=True, exist_ok=True)
        cols, rows = pyramid.grid(level)
        for row in range(rows):
            for column in range(cols):
                x0, y0, x1, y1 = pyramid.tile_box(level, column, row)
                ok, data = cv2.imencode(
                    f".{TILE_FORMAT}",
                    image[y0:y1, x0:x1],
                    [cv2.IMWRITE_JPEG_QUALITY, TILE_QUALITY],
                )
                if not ok:
                    raise UnreadableImage(f"{source.name}: tile {column}_{row} not encoded")
                _write_atomic(directory / f"{column}_{row}.{TILE_FORMAT}", data.tobytes())
        del image
        _write_atomic(done, json.dumps({"cols": cols, "rows": rows}).encode())
    return directory


def tile_file(
    cache_dir: Path, source: Path, pyramid: Pyramid, level: int, column: int, row: int
) -> Path:
    pyramid.tile_box(level, column, row)  # raises TileError for a tile outside the pyramid
    return ensure_level(cache_dir, source, pyramid, level) / f"{column}_{row}.{TILE_FORMAT}"


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
