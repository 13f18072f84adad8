"""PDF pages as images, rendered on the server with pypdfium2 (PDFium), so image tools work
on them.

A PDF is untrusted input: every PDFium call runs in a child process (`python -m
potato_like.media.pdf`) with a wall-clock timeout and an address-space limit, so a page
that takes forever, a decompression bomb or a crash inside PDFium costs that child, never
the server. Files above `MAX_BYTES` are refused before anything reads them; documents with
more than `MAX_PAGES` pages are refused; a page renders at `DPI` dots per inch, scaled down
so its longer side is at most `MAX_SIDE` pixels (a page that claims to be a kilometre wide
renders small). Results are cached under the output directory, named by the file's path,
size and mtime: `<digest>.json` (page count and sizes) and `<digest>-p<page>.png`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 500
DPI = 150
MAX_SIDE = 3000
TIMEOUT_S = 20.0
CHILD_MEMORY = 1024 * 1024 * 1024  # address space of the rendering child


class BadPdf(ValueError):
    """The file is not a PDF we render: too big, too many pages, corrupt, or too slow."""


def _digest(path: Path) -> str:
    st = path.stat()
    key = f"{path}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{DPI}\x1f{MAX_SIDE}"
    return hashlib.blake2s(key.encode()).hexdigest()[:32]


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadPdf(f"{path.name}: cannot be opened") from exc
    if size > MAX_BYTES:
        raise BadPdf(f"{path.name}: {size:,} bytes is more than the {MAX_BYTES:,} allowed")
    with path.open("rb") as fh:
        if b"%PDF-" not in fh.read(1024):
            raise BadPdf(f"{path.name}: not a PDF (no %PDF- header)")


def _child(args: list[str], timeout: float) -> bytes:
    try:
        done = subprocess.run(
            [sys.executable, "-m", "potato_like.media.pdf", *args],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BadPdf(f"rendering took longer than {timeout:g} s") from exc
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {done.returncode}"
        raise BadPdf(f"cannot be read as a PDF ({reason[:200]})")
    return done.stdout


def pdf_info(path: Path, cache_dir: Path | None, timeout: float = TIMEOUT_S) -> dict:
    """{"pages": n, "sizes": [[w, h] rendered pixels per page], "points": [[w, h] ...]}
    (cached in `cache_dir` when given)."""
    _check_size(path)
    cached = cache_dir / f"{_digest(path)}.json" if cache_dir is not None else None
    try:
        if cached is not None:
            return json.loads(cached.read_text())
    except (OSError, ValueError):
        pass
    info = json.loads(_child(["info", str(path)], timeout))
    if info.get("pages", 0) > MAX_PAGES:
        raise BadPdf(f"{path.name}: {info['pages']} pages is more than the {MAX_PAGES} allowed")
    if not info.get("pages"):
        raise BadPdf(f"{path.name}: the PDF has no pages")
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(cached, json.dumps(info).encode())
    return info


def page_image(path: Path, page: int, cache_dir: Path, timeout: float = TIMEOUT_S) -> Path:
    """A PNG of page `page` (1-based), rendered once and cached."""
    info = pdf_info(path, cache_dir, timeout)
    if not 1 <= page <= info["pages"]:
        raise BadPdf(f"page {page} is outside 1..{info['pages']}")
    target = cache_dir / f"{_digest(path)}-p{page}.png"
    if not target.exists():
        fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        os.close(fd)
        try:
            _child(["render", str(path), str(page), tmp], timeout)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return target


def _scale(width: float, height: float) -> float:
    return min(DPI / 72, MAX_SIDE / max(width, height, 1e-6))


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


def _main(argv: list[str]) -> int:  # pragma: no cover - runs in the child process
    try:  # the child limits itself (no preexec_fn: the server has threads)
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    except (ImportError, ValueError, OSError):
        pass
    import pypdfium2 as pdfium

    command, source = argv[0], argv[1]
    document = pdfium.PdfDocument(source)
    if command == "info":
        sizes, points = [], []
        count = len(document)
        for index in range(min(count, MAX_PAGES)):
            width, height = document[index].get_size()
            s = _scale(width, height)
            points.append([round(width, 2), round(height, 2)])
            sizes.append([max(1, round(width * s)), max(1, round(height * s))])
        sys.stdout.write(json.dumps({"pages": count, "sizes": sizes, "points": points}))
        return 0
    import cv2

    page = document[int(argv[2]) - 1]
    width, height = page.get_size()
    s = _scale(width, height)
    pixels = page.render(scale=s).to_numpy()
    size = (max(1, round(width * s)), max(1, round(height * s)))  # what "info" promised
    if (pixels.shape[1], pixels.shape[0]) != size:
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".png", pixels)
    if not ok:
        raise SystemExit("the page could not be encoded")
    Path(argv[3]).write_bytes(data.tobytes())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(_main(sys.argv[1:]))
