"""The delivery thread: every few seconds, `deliver_due` on each store that may hold
deliveries, then any other short periodic passes its owner registered (a workspace's seed
reconcilers, which enqueue completions). One daemon thread per server process; a failing
pass is logged and the thread goes on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from . import outbox

log = logging.getLogger("potato_like")
INTERVAL_SECONDS = 2.0


class DeliveryThread:
    def __init__(
        self,
        stores: Callable[[], Iterable],
        passes: Callable[[], Iterable[Callable[[], object]]] = tuple,
        interval: float = INTERVAL_SECONDS,
        name: str = "webhook-delivery",
    ) -> None:
        self.stores = stores
        self.passes = passes
        self.interval = interval
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """One round: the periodic passes first (they may enqueue), then every due delivery.
        Returns how many deliveries were attempted."""
        for work in list(self.passes()):
            try:
                work()
            except Exception:
                log.exception("periodic pass %r failed", work)
        attempted = 0
        for store in list(self.stores()):
            try:
                attempted += outbox.deliver_due(store)
            except Exception:
                log.exception("webhook delivery pass failed")
        return attempted

    def start(self) -> DeliveryThread:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.run_once()


def start_for_project(project) -> DeliveryThread | None:
    """A single-project server's delivery thread; None (no thread) without `webhooks:`."""
    if project.config.webhooks is None:
        return None
    return DeliveryThread(lambda: (project.store,)).start()
