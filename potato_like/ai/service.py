"""AI suggestions for the annotation page: which schemes get them, a cache per item and model
(in memory, and on disk with `cache_config.disk_cache`), prefetch of the next items in
background threads, and the record of what annotators did with them.

A request never waits longer than the provider's time-out (plus a small margin): the call runs
in a worker thread, and a caller that cannot wait gets "no suggestion yet" while the answer is
still cached for the next look. A failing endpoint is not asked again for FAILURE_SECONDS, so
a dead server costs one time-out, not one per page.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store.ai_records import AiRecords, items_after
from .icl import suggestion_examples
from .providers.registry import for_project
from .suggestion import ProviderUnavailable, SuggestionRequest

if TYPE_CHECKING:
    from ..project import Project

log = logging.getLogger("potato_like.ai")

FAILURE_SECONDS = 15.0  # a failed endpoint is not asked again this soon (per item and scheme)
WAIT_MARGIN = 1.0  # seconds a request waits beyond the provider's own time-out
MAX_QUEUED = 200  # prefetches waiting at most; more are dropped (asked again when shown)
WORKERS = 2


def suggestible(scheme) -> bool:
    """Schemes a suggestion can answer: a choice among the scheme's labels, made with one
    input per label (the page's accept key checks that input)."""
    learned = getattr(scheme, "learned_as", None) in ("classes", "label_set")
    return learned and hasattr(scheme, "input_type") and bool(scheme.label_names)


def service(project: Project) -> SuggestionService | None:
    """The project's suggestion service, or None when AI assistance is off."""
    if project.config.ai is None:
        return None
    found = project._caches.get("ai_suggestions")  # the common case: no lock, no call
    if found is not None:
        return found
    provider = for_project(project)  # its own cache entry: made before ours (no nesting)
    return project.cache("ai_suggestions", lambda: SuggestionService(project, provider))


def records(project: Project) -> AiRecords:
    return project.cache("ai_records", lambda: AiRecords(project.store))


class SuggestionService:
    def __init__(self, project: Project, provider) -> None:
        self.project = project
        self.ai = project.config.ai
        self.provider = provider
        self.cacheable = bool(getattr(self.provider, "cache_suggestions", False))
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, Any]] = {}
        self._failed: dict[str, tuple[str, float]] = {}
        self._inflight: dict[str, Future] = {}
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="ai-suggest")
        self._disk = self.cacheable and self.ai.cache.disk_enabled
        if self._disk:
            self._import_json(self.ai.cache.path)
        if self.ai.cache.warm_up and self.provider is not None:
            threading.Thread(target=self._warm_up, name="ai-warm-up", daemon=True).start()

    # -- which schemes --------------------------------------------------------------------
    def schemes(self) -> list:
        if self.provider is None:
            return []
        return [s for s in self.project.config.schemes if suggestible(s) and self.ai.covers(s.name)]

    def scheme(self, name: str):
        return next((s for s in self.schemes() if s.name == name), None)

    # -- suggestions ----------------------------------------------------------------------
    def _key(self, item_id: str, schema: str) -> str:
        return json.dumps([self.provider.name, self.ai.model, item_id, schema])

    def _request(self, item_id: str, text: str, scheme) -> SuggestionRequest:
        examples = ()
        if self.provider.name != "builtin":  # the builtin model learns from all answers
            examples = suggestion_examples(self.project, scheme.name, item_id)
        return SuggestionRequest(
            item_id=item_id,
            text=text,
            schema=scheme.name,
            annotation_type=scheme.type_name,
            options=tuple(scheme.label_names),
            multiple=scheme.learned_as == "label_set",
            description=scheme.description,
            examples=examples,
        )

    def get(self, item_id: str, text: str, scheme, *, wait: bool = True) -> tuple[dict | None, str]:
        """(suggestion JSON, "") or (None, a message for people)."""
        if self.provider is None:
            return None, "AI assistance is off"
        key = self._key(item_id, scheme.name)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                return hit, ""
        if self._disk:  # kept by an earlier run or another server process
            hit = self._stored(key)
            if hit is not None:
                return hit, ""
        with self._lock:
            failed = self._failed.get(key)
            if failed and failed[1] > time.monotonic():
                return None, failed[0]
            future = self._inflight.get(key)
            if future is None:
                request = self._request(item_id, text, scheme)
                future = self._inflight[key] = self._pool.submit(self._ask, key, request)
        if not wait:
            return None, "the suggestion is being prepared"
        try:
            return future.result(timeout=self.ai.timeout + WAIT_MARGIN)
        except FutureTimeout:
            return None, f"no suggestion within {self.ai.timeout:g} s"

    def _ask(self, key: str, request: SuggestionRequest) -> tuple[dict | None, str]:
        try:
            found = self.provider.suggest(request).as_json()
        except ProviderUnavailable as exc:
            message = str(exc) or "no suggestion"
            with self._lock:
                self._failed[key] = (message, time.monotonic() + FAILURE_SECONDS)
                self._inflight.pop(key, None)
            return None, message
        except Exception:  # a provider bug must not become a 500 or a stuck request
            log.exception("AI provider %s failed on %s", self.provider.name, request.item_id)
            with self._lock:
                self._failed[key] = ("no suggestion", time.monotonic() + FAILURE_SECONDS)
                self._inflight.pop(key, None)
            return None, "no suggestion (the provider failed; see the server log)"
        with self._lock:
            self._inflight.pop(key, None)
            self._failed.pop(key, None)
            if self.cacheable:
                self._cache[key] = found
        if self._disk:
            try:
                self.project.store.ai_cache.put(key, found)
            except Exception as exc:  # a full disk must not lose the answer just given
                log.warning("AI cache entry not stored: %s", exc)
        return found, ""

    def prefetch(self, after_seq: int, count: int) -> int:
        """Ask in the background for the next `count` items after `after_seq` (in data
        order; with a random assignment order these are not necessarily the user's next)."""
        if self.provider is None or count <= 0 or not self.cacheable:
            return 0
        queued = 0
        for _seq, item_id, text in items_after(self.project.store, after_seq, count):
            for scheme in self.schemes():
                if len(self._inflight) >= MAX_QUEUED:
                    return queued
                key = self._key(item_id, scheme.name)
                if key in self._cache or key in self._inflight:
                    continue
                self.get(item_id, text, scheme, wait=False)
                queued += 1
        return queued

    def _warm_up(self) -> None:
        self.prefetch(0, self.ai.cache.warm_up)

    # -- what annotators did ---------------------------------------------------------------
    def settle(self, user_id: int, item_seq: int, saved: dict[str, dict]) -> None:
        """After a save: a shown suggestion whose scheme now holds exactly its answer is
        accepted, one holding another answer is overridden (a rejected one stays rejected
        unless the answer is the suggestion after all)."""
        shown = records(self.project).shown_for(user_id, item_seq)
        for schema, entry in shown.items():
            label_map = saved.get(schema)
            scheme = self.project.config.scheme(schema)
            if not label_map or scheme is None:
                continue
            chosen = {str(x) for x in scheme.chosen_labels(label_map) if x != "free_response"}
            wanted = entry["label"] if isinstance(entry["label"], list) else [entry["label"]]
            outcome = "accepted" if chosen == {str(x) for x in wanted} else "overridden"
            if outcome == entry["outcome"] or (
                entry["outcome"] == "rejected" and outcome == "overridden"
            ):
                continue
            records(self.project).decide(user_id, item_seq, schema, outcome)

    # -- the disk cache (store/ai_cache.py) --------------------------------------------------
    def _stored(self, key: str) -> dict | None:
        try:
            hit = self.project.store.ai_cache.get(key)
        except Exception as exc:
            log.warning("AI cache not read: %s", exc)
            return None
        if hit is not None:
            with self._lock:
                self._cache[key] = hit
        return hit

    def _import_json(self, path: Path | None) -> None:
        """A JSON cache file of an earlier version (or Potato's path) is read into the
        store once; the file is left as it was and no longer written."""
        store = self.project.store
        if path is None or not path.is_file():
            return
        marker = f"ai_cache_imported:{path}"
        if store.get_meta(marker):
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("AI cache %s not read (%s); starting empty", path, exc)
            return
        if isinstance(data, dict):
            store.ai_cache.put_many((k, v) for k, v in data.items() if isinstance(v, dict))
        with store.write() as conn:
            store.set_meta(conn, marker, str(time.time()))

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
