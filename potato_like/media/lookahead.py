"""Waveform look-ahead: when an annotator opens an item, the waveforms of the next items (by
position in the data) are computed in one background thread, so the next page's
`/api/waveform/generate` finds them cached instead of decoding an hour of audio on the spot.

Only project files are read (a remote URL is never fetched in the background). The audio of
an item is what its waveform schemes (`waveform_lookahead = True`) would play: their
`media_src` for the item, else the item's text when that names a project audio file. One
thread per project at most; the queue is bounded and each file is queued once per process.
"""

from __future__ import annotations

import threading
from collections import deque
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..app_path import site_path
from .paths import media_kind, safe_project_file
from .waveform import cache_dir, waveform_key

if TYPE_CHECKING:
    from ..project import Project

AHEAD = 3  # items after the one opened
QUEUE_LIMIT = 64
SEEN_LIMIT = 10_000


class WaveformLookahead:
    def __init__(self, project: Project, ahead: int = AHEAD) -> None:
        self.project = project
        self.ahead = ahead
        self.schemes = [
            s for s in project.config.schemes if getattr(s, "waveform_lookahead", False)
        ]
        self._queue: deque = deque(maxlen=QUEUE_LIMIT)
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.computed = 0
        self.failed = 0

    def after_page(self, item_seq: int) -> None:
        """Queue the audio of the `ahead` items after `item_seq` (cheap: no file is read)."""
        if not self.schemes or self.ahead <= 0:
            return
        store = self.project.store
        for seq in range(item_seq + 1, item_seq + 1 + self.ahead):
            item = store.items.by_seq(seq)
            if item is None:
                break
            for rel in self._sources(item):
                self._enqueue(rel)

    def _sources(self, item) -> list[str]:
        fields = {self.project.config.item_properties.text_key: item.text, **item.fields}
        found = []
        for scheme in self.schemes:
            src = getattr(scheme.for_page(fields, "", item.id, None), "media_src", None)
            src = site_path(src) if src else src
            if src and src.startswith("/project_files/"):
                found.append(unquote(src[len("/project_files/") :]))
            elif src and src.startswith("/media/"):
                found.append("media/" + unquote(src[len("/media/") :]))
            elif src is None and media_kind(item.text) == "project":
                found.append(item.text.strip())
        return found

    def _enqueue(self, rel: str) -> None:
        found = safe_project_file(self.project.config, rel)
        if found is None or not found[1].startswith(("audio/", "video/")):
            return
        key = str(PurePosixPath(rel))
        with self._lock:
            if key in self._seen or len(self._seen) >= SEEN_LIMIT:
                return
            self._seen.add(key)
            self._queue.append(found[0])
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="waveform-lookahead", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        directory = cache_dir(self.project.config.output_dir)
        while True:
            with self._lock:
                if not self._queue:
                    self._thread = None
                    return
                path = self._queue.popleft()
            try:
                waveform_key(path, directory)
                self.computed += 1
            except Exception:  # a bad file is reported when a page asks for its waveform
                self.failed += 1

    def join(self, timeout: float | None = None) -> None:
        """Wait for the queue to drain (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
