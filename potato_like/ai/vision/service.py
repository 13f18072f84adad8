"""Vision pre-annotations for a project: which schemes get them (those drawing boxes or
polygons on the item's image), a cache per item, detection in one background thread (a
model run takes seconds; never inside a request beyond the configured time-out), and the
detections as the schemes' stored values, which the annotation page shows as editable
pre-annotations until the annotator saves their own."""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import BadAnnotation
from ...net.safe_fetch import FetchError, FetchPolicy, fetch
from ...store.ai_records import items_after
from .detectors import DETECTORS, VisionUnavailable
from .frames import DEFAULT_MAX_FRAMES, detect_video

if TYPE_CHECKING:
    from ...project import Project

log = logging.getLogger("potato_like.ai")

DRAWN = ("bbox", "polygon")  # the shape types detections become
FAILURE_SECONDS = 60.0
MAX_QUEUED = 50


def draws_on_images(scheme) -> bool:
    """A scheme that draws boxes or polygons on the item's image (it says so by its
    `shape_types` and its `local_file` lookup of the item's image)."""
    kinds = getattr(scheme, "shape_types", ()) or ()
    return hasattr(scheme, "local_file") and any(k in kinds for k in DRAWN)


def draws_on_frames(scheme) -> bool:
    """A scheme that draws boxes on a video's frames (`detects_on_frames`): detections on
    sampled frames become its tracks (frames.py)."""
    return hasattr(scheme, "local_file") and bool(getattr(scheme, "detects_on_frames", False))


def vision(project: Project) -> VisionService | None:
    ai = project.config.ai
    if ai is None or ai.vision is None:
        return None
    return project.cache("ai_vision", lambda: VisionService(project, ai.vision))


class VisionService:
    def __init__(self, project: Project, cfg) -> None:
        self.project = project
        self.cfg = cfg
        self.detector = DETECTORS[cfg.endpoint_type](cfg.settings, cfg.base_dir)
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, list]] = {}
        self._failed: dict[str, tuple[str, float]] = {}
        self._inflight: dict[str, Future] = {}
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="ai-vision")

    def schemes(self) -> list:
        return [s for s in self.project.config.schemes if draws_on_images(s) or draws_on_frames(s)]

    def get(self, item_id: str, text: str, *, wait: bool = True) -> tuple[dict | None, str]:
        """({schema: [shapes with confidence]}, "") or (None, a message for people)."""
        if not self.schemes():
            return None, "no scheme draws boxes or polygons on images or video frames"
        with self._lock:
            hit = self._cache.get(item_id)
            if hit is not None:
                return hit, ""
            failed = self._failed.get(item_id)
            if failed and failed[1] > time.monotonic():
                return None, failed[0]
            future = self._inflight.get(item_id)
            if future is None:
                if not wait and len(self._inflight) >= MAX_QUEUED:
                    return None, "the detector is busy"
                future = self._inflight[item_id] = self._pool.submit(self._run, item_id, text)
        if not wait:
            return None, "the detections are being prepared"
        try:
            return future.result(timeout=self.cfg.timeout)
        except FutureTimeout:
            return None, f"no detections within {self.cfg.timeout:g} s"

    def _run(self, item_id: str, text: str) -> tuple[dict | None, str]:
        try:
            found = {}
            with tempfile.TemporaryDirectory(prefix="potato-vision-") as scratch:
                for scheme in self.schemes():
                    if draws_on_frames(scheme):
                        where = self._video_value(scheme, item_id, text)
                        found[scheme.name] = self._video(scheme, where, scratch)
                        continue
                    path = self._image(scheme, (text or "").strip(), Path(scratch))
                    shapes = self.detector.detect(path, list(scheme.label_names),
                                                  list(scheme.shape_types))  # fmt: skip
                    found[scheme.name] = shapes
        except VisionUnavailable as exc:
            return self._fail(item_id, str(exc))
        except Exception as exc:  # a library or model failure must not become a 500
            log.exception("vision endpoint %s failed on %s", self.detector.name, item_id)
            return self._fail(item_id, f"the {self.detector.name} detector failed: {exc}")
        with self._lock:
            self._inflight.pop(item_id, None)
            self._cache[item_id] = found
        return found, ""

    def _video_value(self, scheme, item_id: str, text: str) -> str:
        """The item's video: its `source_field` when the scheme names one, else its text."""
        field = getattr(scheme, "source_field", "")
        row = self.project.store.items.by_id(item_id) if field else None
        value = row.fields.get(field) if row is not None else None
        return (value if isinstance(value, str) else text or "").strip()

    def _video(self, scheme, where: str, scratch: str) -> dict:
        path = scheme.local_file(where)
        if path is None:
            raise VisionUnavailable("the item's video is not a file of the project")
        max_frames = int(self.cfg.settings.get("max_frames") or DEFAULT_MAX_FRAMES)
        return detect_video(self.detector, Path(path), list(scheme.label_names), max_frames,
                            Path(scratch))  # fmt: skip

    def _image(self, scheme, where: str, scratch: Path) -> Path:
        """The item's image file: a file of the project, or (only for detectors that say so)
        a URL fetched through the SSRF-guarded fetch into a scratch file."""
        path = scheme.local_file(where)
        if path is not None:
            return Path(path)
        if not (self.detector.fetches_urls and where.lower().startswith(("http://", "https://"))):
            raise VisionUnavailable("the item's image is not a file of the project")
        media = self.project.config.media
        policy = FetchPolicy(
            allow_hosts=media.allow_fetch_hosts,
            max_bytes=min(media.fetch_max_bytes, self.detector.max_bytes),
            timeout=min(media.fetch_timeout, self.cfg.timeout),
            accept=("image/", "application/octet-stream"),
        )
        try:
            body = fetch(where, policy).body
        except FetchError as exc:
            raise VisionUnavailable(f"the item's image could not be fetched: {exc}") from None
        target = scratch / "remote-image"
        target.write_bytes(body)
        return target

    def _fail(self, item_id: str, message: str) -> tuple[None, str]:
        with self._lock:
            self._inflight.pop(item_id, None)
            self._failed[item_id] = (message, time.monotonic() + FAILURE_SECONDS)
        return None, message

    def preannotations(self, item_id: str, text: str) -> dict[str, Any]:
        """{schema: stored value} from the cached detections (none yet: asked for in the
        background, the page shows nothing this time). Shapes a scheme refuses are left out."""
        found, _ = self.get(item_id, text, wait=False)
        out = {}
        for scheme in self.schemes():
            shapes = (found or {}).get(scheme.name)
            if not shapes or (draws_on_frames(scheme) and not shapes["tracks"]):
                continue
            try:
                if draws_on_frames(scheme):
                    value = scheme.value_from_tracks(shapes["tracks"], shapes["video_metadata"])
                else:
                    value = scheme.value_for(shapes, text)
            except BadAnnotation as exc:
                log.warning("vision shapes for %s/%s refused: %s", item_id, scheme.name, exc)
                continue
            if value:
                out[scheme.name] = value
        return out

    def prefetch(self, after_seq: int, count: int) -> int:
        queued = 0
        for _seq, item_id, text in items_after(self.project.store, after_seq, count):
            if item_id not in self._cache and item_id not in self._inflight:
                self.get(item_id, text, wait=False)
                queued += 1
        return queued

    def wait_idle(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._inflight and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._inflight

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
