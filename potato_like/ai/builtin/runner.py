"""The builtin model at run time, per project (`Project.cache`):

- `Trainer` retrains every learnable scheme in a daemon thread, one run at a time, after
  `retrain_every` more finished items (`maybe_trigger`, called after write requests) or on
  demand; never inside a request. After a run it lets active learning re-rank the queue.
- `Models` serves the newest stored version of each scheme's model to suggestions: kept in
  memory, and reloaded from the store when another process trained a newer one (a version
  check at most every RELOAD_SECONDS)."""

from __future__ import annotations

import logging
import pickle
import threading
import time
from typing import TYPE_CHECKING, Any

from ...background_runs import BackgroundRuns
from .settings import BuiltinSettings
from .training import learnable_schemes, train_scheme

if TYPE_CHECKING:
    from ...project import Project

log = logging.getLogger("potato_like.ai")

CHECK_SECONDS = 2.0  # how often (at most) a process looks at the finished-items counter
RELOAD_SECONDS = 2.0  # how often (at most) a process looks for a newer stored model
ORDERING_STRATEGIES = ("active_learning", "llm_confidence")


def builtin_block(config) -> dict | None:
    """The builtin provider's settings when `ai_support` enables it (its `endpoint_type`
    is builtin, or none is given), else None (config.ai is the ai_support reader's)."""
    ai = getattr(config, "ai", None)
    if ai is None or not ai.enabled or ai.endpoint_type != "builtin":
        return None
    return dict(ai.settings or {})


def settings_for(project: Project) -> BuiltinSettings:
    """The builtin provider's settings from `ai_support` (when it is the configured
    provider), with active learning's `update_frequency` when that retrains sooner."""
    block = builtin_block(project.config)
    settings = BuiltinSettings.read(block, "ai_support")[0] if block else BuiltinSettings()
    al = getattr(project.config, "active_learning", None)
    if al is not None and al.update_frequency < settings.retrain_every:
        from dataclasses import replace

        settings = replace(settings, retrain_every=al.update_frequency)
    return settings


def uses_builtin(project: Project) -> bool:
    """Does anything in this project need the builtin model trained?"""
    config = project.config
    if builtin_block(config) is not None:
        return True
    if config.assignment_strategy in ORDERING_STRATEGIES:
        return True
    icl = getattr(config, "icl", None)
    return icl is not None and icl.enabled


class Models:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._loaded: dict[str, tuple[int, Any, dict]] = {}  # schema -> (version, model, meta)
        self._checked: dict[str, float] = {}

    def put(self, schema: str, version: int, model: Any, meta: dict) -> None:
        with self._lock:
            self._loaded[schema] = (version, model, meta)
            self._checked[schema] = time.monotonic()

    def get(self, schema: str) -> tuple[int, Any, dict] | None:
        """(version, model, stored description) of the newest model, or None."""
        now = time.monotonic()
        if now - self._checked.get(schema, -1e9) < RELOAD_SECONDS:
            return self._loaded.get(schema)
        self._checked[schema] = now
        store = self.project.store.ai_models
        version = store.latest_version(schema)
        held = self._loaded.get(schema)
        if version is None or (held is not None and held[0] >= version):
            return held
        stored = store.latest(schema)
        if stored is None:
            return held
        try:
            # The project's own database, written only by this code: trusted bytes.
            model = pickle.loads(stored.blob)  # noqa: S301
        except Exception:  # e.g. stored by another scikit-learn version: train anew
            log.exception("stored model %s@%s cannot be loaded", schema, stored.version)
            trainer(self.project).trigger()
            return held
        self.put(schema, stored.version, model, stored.describe())
        return self._loaded[schema]


class Trainer(BackgroundRuns):
    thread_name = "ai-builtin-train"
    what = "builtin model training"

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self._checked = 0.0
        self.check_seconds = CHECK_SECONDS
        self._seen_done: int | None = None
        self.cold: dict[str, dict] = {}  # schema -> info of a cold start (what is missing)

    def maybe_trigger(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        self._checked = now
        store = self.project.store.ai_models
        done = store.done_counter()
        if self._seen_done is None:  # a new process: count from the stored models' runs
            seen = [store.latest(s.name) for s in learnable_schemes(self.project.config)]
            counters = [m.info.get("done_counter", 0) for m in seen if m is not None]
            self._seen_done = max(counters) if counters else 0
        if done - self._seen_done >= settings_for(self.project).retrain_every:
            self._seen_done = done
            self.trigger()

    def run_once(self) -> dict[str, Any]:
        """Train every learnable scheme now (in the calling thread: the worker and the
        benchmark call it, never a request)."""
        project = self.project
        settings = settings_for(project)
        done = project.store.ai_models.done_counter()
        self._seen_done = max(self._seen_done or 0, done)
        trained = {}
        for scheme in learnable_schemes(project.config):
            model, version, info = train_scheme(project, scheme, settings, done)
            if model is None:
                self.cold[scheme.name] = info
                continue
            self.cold.pop(scheme.name, None)
            stored = project.store.ai_models.latest(scheme.name)
            meta = stored.describe() if stored else info
            models(project).put(scheme.name, version, model, meta)
            trained[scheme.name] = version
        if trained and project.config.assignment_strategy in ORDERING_STRATEGIES:
            from ...assign.active_learning import rerank

            rerank(project)
        return trained

    def status(self) -> dict[str, Any]:
        return {**super().status(), "cold_start": self.cold}


def trainer(project: Project) -> Trainer:
    return project.cache("ai_builtin_trainer", lambda: Trainer(project))


def models(project: Project) -> Models:
    return project.cache("ai_builtin_models", lambda: Models(project))
