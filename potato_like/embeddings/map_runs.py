"""The embedding map, computed in a background thread and stored (store/embed_map.py).

A run: pick the items (all of them up to `sample_size`; beyond that every answered item
when `include_all_annotated`, and a seeded random sample of the rest), embed their texts
with the project's embedder (embeddings/embedders.py), reduce sparse vectors with
TruncatedSVD, project to 2-D with UMAP, write the points and make them the current map.

`EmbedMapRunner` (one per project, `Project.cache`) follows quality/mace_runs.py: a trigger
starts a daemon thread, a trigger during a run asks for one more run after it, and nothing
heavy ever happens inside a request. Across processes sharing the database a store lock
(store/locks.py) lets one of them compute at a time; the others skip their run."""

from __future__ import annotations

import logging
import random
import time
from typing import TYPE_CHECKING, Any

from ..background_runs import BackgroundRuns
from ..config.embeddings import EmbeddingMapConfig, EmbeddingSettings
from ..media.paths import project_root
from .embedders import embed_texts
from .projection import dense_rows, project_2d

if TYPE_CHECKING:
    from ..project import Project

log = logging.getLogger("potato_like.embeddings")
LOCK_NAME = "embedding_map"
LOCK_SECONDS = 3600.0  # a holder that died frees the lock after this long


def map_config(project: Project) -> EmbeddingMapConfig:
    return project.config.embedding_map or EmbeddingMapConfig()


def embed_settings(project: Project) -> EmbeddingSettings:
    return project.config.embeddings or EmbeddingSettings()


def choose_sample(
    seqs: list[int], answered: set[int], cfg: EmbeddingMapConfig, seed: int | None
) -> list[int]:
    """The items of the map, in seq order."""
    if len(seqs) <= cfg.sample_size:
        return list(seqs)
    keep = [s for s in seqs if s in answered] if cfg.include_all_annotated else []
    room = cfg.sample_size - len(keep)
    if room > 0:
        rest = [s for s in seqs if s not in answered] if keep else seqs
        keep += random.Random(seed or 0).sample(rest, min(room, len(rest)))
    return sorted(keep)


def compute_map(project: Project, timings: dict[str, float] | None = None) -> dict[str, Any]:
    """One run, written to the store; returns its summary."""
    timings = timings if timings is not None else {}
    cfg, settings, store = map_config(project), embed_settings(project), project.store
    seed = project.config.random_seed
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    started = time.monotonic()
    store.embed_map.abandon_unfinished()
    seqs, answered = store.embed_map.sample_source()
    sample = choose_sample(seqs, answered, cfg, seed)
    pairs = list(store.embed_map.texts(sample, settings.source_field))
    order = [seq for seq, _text in pairs]
    lap("read")
    texts = [text for _seq, text in pairs]
    matrix, used = embed_texts(settings, texts, project_root(project.config))
    del texts
    del pairs
    lap("embed")
    rows = dense_rows(matrix, settings.svd_components, seed or 0)
    del matrix
    lap("svd")
    points = project_2d(
        rows, n_neighbors=cfg.n_neighbors, min_dist=cfg.min_dist, metric=cfg.metric, seed=seed
    )
    del rows
    lap("umap")
    params = {
        "sample_size": cfg.sample_size,
        "include_all_annotated": cfg.include_all_annotated,
        "n_neighbors": cfg.n_neighbors,
        "min_dist": cfg.min_dist,
        "metric": cfg.metric,
        "svd_components": settings.svd_components,
        "source_field": settings.source_field,
        "items_total": len(seqs),
    }
    run = store.embed_map.begin_run(used, params)
    try:
        store.embed_map.add_points(
            run, ((s, float(x), float(y)) for s, (x, y) in zip(order, points, strict=True))
        )
        seconds = round(time.monotonic() - started, 3)
        store.embed_map.finish_run(run, len(order), seconds)
    except Exception:
        store.embed_map.abandon_run(run)
        raise
    lap("write")
    return {"version": run, "points": len(order), "embedder": used, "seconds": seconds}


class EmbedMapRunner(BackgroundRuns):
    """Starts map runs in a daemon thread, one at a time per process (and across processes
    through the store lock); a trigger during a run asks for one more run after it."""

    thread_name = "embedding-map"
    what = "embedding map run"

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self.last_note: str | None = None
        self.timings: dict[str, float] = {}

    def run_once(self) -> None:
        timings: dict[str, float] = {}
        self.timings = timings  # filled as the run goes; a failed run keeps what it measured
        with self.project.store.locks.held(LOCK_NAME, LOCK_SECONDS) as got:
            if got:
                compute_map(self.project, timings)
                self.last_note = None
            else:
                self.last_note = "another server process is computing the map"

    def status(self) -> dict[str, Any]:
        return {**super().status(), "last_note": self.last_note, "timings": self.timings}


def runner(project: Project) -> EmbedMapRunner:
    return project.cache("embedding_map_runner", lambda: EmbedMapRunner(project))
