"""Comparison scores of a running project: BWS scores computed in a background thread and
kept (in the project's cache and in `<output dir>/bws_scores.json`), pairwise Bradley-Terry
scores cached for a short while. Web views only read what is stored or start a run."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import BadRequest
from ..store.comparison_rows import schema_answers
from . import pairwise_scores, scoring
from .tuples import pool_texts

log = logging.getLogger("potato_like")
SCORES_FILE = "bws_scores.json"
PAIRWISE_CACHE_SECONDS = 30.0


def tuple_scheme(config: Any):
    """The project's best-worst scheme (the first scheme that compares tuples), or None."""
    return next((s for s in config.schemes if getattr(s, "compares_tuples", False)), None)


def pair_schemes(config: Any) -> list:
    return [s for s in config.schemes if getattr(s, "compares_pairs", False)]


def bws_judgements(store: Any, scheme_name: str, only: set[str] | None = None) -> Iterator:
    """Complete judgements of the tuple scheme (`only`: tuple ids to read)."""
    for item_id, _text, fields, _user, value in schema_answers(store, scheme_name):
        if only is not None and item_id not in only:
            continue
        entries = fields.get("_bws_items") or []
        ids = [str(e.get("source_id")) for e in entries if isinstance(e, dict)]
        j = scoring.judgement(ids, value.get("best"), value.get("worst"))
        if j is not None:
            yield j


@dataclass
class BwsScoreBoard:
    """The last BWS scoring result of a project and the run in progress, if any."""

    project: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    result: dict | None = None
    running: threading.Thread | None = None
    error: str | None = None

    @property
    def path(self):
        return self.project.config.output_dir / SCORES_FILE

    def status(self) -> dict:
        with self.lock:
            result = self.result
            if result is None and self.path.exists():
                result = self.result = json.loads(self.path.read_text(encoding="utf-8"))
            running = self.running is not None and self.running.is_alive()
        config = self.project.config
        out = {
            "total_items": len(pool_texts(config)),
            "total_annotations": 0,
            "method": default_method(config),
            "scores": [],
        }
        if result:
            out.update(result)
        out["status"] = (
            "running" if running else ("error" if self.error else out.get("status", "idle"))
        )
        if self.error:
            out["error_detail"] = self.error
        return out

    def generate(self, method: str, wait_seconds: float) -> tuple[dict, bool]:
        """Start a run (one at a time); wait a little for it. (status, finished)."""
        if method not in scoring.METHODS:
            raise BadRequest(
                f"unknown scoring method {method!r}; expected one of {', '.join(scoring.METHODS)}"
            )
        with self.lock:
            if self.running is None or not self.running.is_alive():
                self.error = None
                self.running = threading.Thread(
                    target=self._run, args=(method,), name="bws-scoring", daemon=True
                )
                self.running.start()
            thread = self.running
        thread.join(wait_seconds)
        return self.status(), not thread.is_alive()

    def _run(self, method: str) -> None:
        try:
            result = compute_bws(self.project, method)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(result), encoding="utf-8")
            os.replace(tmp, self.path)
            with self.lock:
                self.result = result
        except Exception as exc:  # a failed run is reported on the status, never lost
            log.exception("BWS scoring failed")
            with self.lock:
                self.error = f"{type(exc).__name__}: {exc}"


def default_method(config: Any) -> str:
    if config.bws is not None:
        return config.bws.scoring_method
    if config.ibws is not None:
        return config.ibws.scoring_method
    return "counting"


def compute_bws(project: Any, method: str) -> dict:
    config = project.config
    scheme = tuple_scheme(config)
    started = time.perf_counter()
    judgements = list(bws_judgements(project.store, scheme.name))
    texts = pool_texts(config)
    scores = scoring.score(judgements, method) if judgements else {}
    out = {
        "status": "success",
        "schema": scheme.name,
        "total_items": len(texts) or len(scores),
        "total_annotations": len(judgements),
        "method": method,
        "scores": scoring.ranked(scores, texts),
        "computed_at": time.time(),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if not judgements:
        out["message"] = "No BWS annotations found yet"
    return out


def pairwise_comparisons(project: Any, scheme: Any) -> list[tuple[str, str, str]]:
    """(entity A, entity B, "A"/"B"/"tie") for every answer of a pairwise scheme. An
    entity is the side's `id`/`model`/`name` when the side is a mapping, else its text."""
    out = []
    text_key = project.config.item_properties.text_key
    for _item_id, text, fields, _user, value in schema_answers(project.store, scheme.name):
        outcome = scheme.preferred(value)
        if outcome is None:
            continue
        sides = scheme.entities({text_key: text, **fields})
        if len(sides) == 2:
            out.append((sides[0], sides[1], outcome))
    return out


def pairwise_report(project: Any) -> dict:
    """Bradley-Terry scores with 95% intervals per pairwise scheme (cached briefly)."""
    cache = project.cache("pairwise_scores", lambda: {"at": 0.0, "value": None})
    if cache["value"] is not None and time.monotonic() - cache["at"] < PAIRWISE_CACHE_SECONDS:
        return cache["value"]
    value = {
        "schemas": {
            s.name: {
                "comparisons": len(comparisons := pairwise_comparisons(project, s)),
                "scores": pairwise_scores.bradley_terry(comparisons),
                "confidence": 0.95,
            }
            for s in pair_schemes(project.config)
        }
    }
    cache.update(at=time.monotonic(), value=value)
    return value
