"""One kind of background work of a project (MACE, the builtin model's training, the
embedding map): runs happen in a daemon thread, one at a time per process, never inside a
request; a trigger during a run asks for exactly one more run after it; a failed run is
logged and reported in `status()`, and the server goes on.

Subclasses set `thread_name` and `what`, implement `run_once()`, and may extend
`status()`. One instance per project and kind, kept in `Project.cache`."""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .project import Project

log = logging.getLogger("potato_like.background")


class BackgroundRuns:
    thread_name = "background-run"
    what = "background run"  # for the log: "<what> failed"

    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._active = False  # a run thread is working (changed under _lock)
        self._again = False
        self.runs = 0
        self.last_error: str | None = None
        self.last_finished: float | None = None
        self.last_seconds: float | None = None

    @property
    def running(self) -> bool:
        return self._active

    def trigger(self) -> str:
        """ "started", or "queued" when a run is going on (another follows it)."""
        with self._lock:
            if self._active:
                self._again = True
                return "queued"
            self._active = True
            threading.Thread(target=self._work, name=self.thread_name, daemon=True).start()
            return "started"

    def wait(self, timeout: float = 60.0) -> bool:
        """Wait for the current run (and a queued one) to finish; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._active and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._active

    def run_once(self) -> Any:
        """One run, in the calling thread."""
        raise NotImplementedError

    def _work(self) -> None:
        while True:
            started = time.monotonic()
            try:
                self.run_once()
                self.last_error = None
            except Exception as exc:  # a failed run is reported; the server goes on
                log.exception("%s failed", self.what)
                self.last_error = f"{type(exc).__name__}: {exc}"
            self.runs += 1
            self.last_seconds = round(time.monotonic() - started, 3)
            self.last_finished = time.time()
            with self._lock:
                if not self._again:
                    self._active = False
                    return
                self._again = False

    def status(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "runs": self.runs,
            "last_error": self.last_error,
            "last_finished": self.last_finished,
            "last_seconds": self.last_seconds,
        }
