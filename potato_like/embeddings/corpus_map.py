"""Potato's corpus map (`corpus_map:`), built in a background thread and stored
(store/corpus_map.py): every document's text is embedded (embeddings/embedders.py: the
configured `embedding_model` with sentence-transformers when installed, else TF-IDF reduced
with TruncatedSVD), clustered with k-means (`num_clusters`, or auto: documents /
`items_per_cluster`), laid out in 2-D (UMAP when umap-learn imports, else the first two
principal components), given its k nearest neighbours by cosine similarity (scikit-learn
NearestNeighbors), and each cluster is named by its top TF-IDF terms.

`CorpusMapRunner` (one per project) follows background_runs.py: never inside a request, one
build at a time; across processes sharing the database a store lock lets one build."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..background_runs import BackgroundRuns
from ..config.corpus_map import MAX_CLUSTERS, CorpusMapConfig
from ..config.embeddings import EmbeddingSettings
from .embedders import embed_texts
from .projection import MIN_UMAP_POINTS, _first_directions, dense_rows, project_2d

if TYPE_CHECKING:
    from ..project import Project

log = logging.getLogger("potato_like.embeddings")
LOCK_NAME = "corpus_map"
LOCK_SECONDS = 3600.0
SNIPPET_CHARS = 160
LABEL_TERMS = 3


def n_clusters(n: int, cfg: CorpusMapConfig) -> int:
    """`num_clusters`, or auto: n / items_per_cluster, at least 2 (for 2+ documents), at
    most n and MAX_CLUSTERS."""
    if n <= 1:
        return n
    wanted = cfg.num_clusters or max(2, round(n / cfg.items_per_cluster))
    return max(1, min(wanted, n, MAX_CLUSTERS))


def snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[:SNIPPET_CHARS] + "…"


def layout(rows: np.ndarray, cfg: CorpusMapConfig, seed: int) -> tuple[np.ndarray, str]:
    """(n, 2) coordinates and the method: UMAP when it imports and works, else PCA (also
    below MIN_UMAP_POINTS documents)."""
    if rows.shape[0] < MIN_UMAP_POINTS:
        return _first_directions(rows), "pca"
    try:
        points = project_2d(
            rows, n_neighbors=cfg.n_neighbors, min_dist=cfg.min_dist, metric=cfg.metric, seed=seed
        )
        return points, "umap"
    except Exception as exc:  # umap-learn missing or failing: the map still renders
        log.warning("UMAP unavailable or failed (%s); the corpus map uses PCA", exc)
        return _first_directions(rows), "pca"


def neighbours(rows: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
    """Per row, its k nearest other rows by cosine similarity: [(row, similarity)]."""
    n = rows.shape[0]
    if n < 2:
        return [[] for _ in range(n)]
    from sklearn.neighbors import NearestNeighbors

    k = min(k, n - 1)
    index = NearestNeighbors(n_neighbors=k + 1, metric="cosine").fit(rows)
    dist, idx = index.kneighbors(rows)
    out = []
    for i in range(n):
        pairs = [
            (int(j), round(1.0 - float(d), 5))
            for j, d in zip(idx[i], dist[i], strict=True)
            if j != i
        ]
        out.append(pairs[:k])
    return out


def cluster_labels(texts: list[str], assigned: np.ndarray, count: int) -> list[str]:
    """Each cluster's name: its LABEL_TERMS terms of highest mean TF-IDF weight in the
    cluster minus their mean weight in the corpus (English stop words left out)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, max_features=20000)
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no words at all
        return [f"cluster {c}" for c in range(count)]
    terms = vectorizer.get_feature_names_out()
    overall = np.asarray(matrix.mean(axis=0)).ravel()
    labels = []
    for c in range(count):
        members = np.flatnonzero(assigned == c)
        if not len(members):
            labels.append(f"cluster {c}")
            continue
        score = np.asarray(matrix[members].mean(axis=0)).ravel() - overall
        top = [terms[j] for j in np.argsort(-score)[:LABEL_TERMS] if score[j] > 0]
        labels.append(", ".join(top) if top else f"cluster {c}")
    return labels


def build(project: Project, cfg: CorpusMapConfig) -> dict[str, Any]:
    """One build, written to the store; returns what was stored."""
    started = time.monotonic()
    seed = project.config.random_seed or 0
    docs = list(project.store.corpus_map.documents())
    if not docs:
        raise RuntimeError("no documents to build a corpus map from")
    ids = [d for d, _t in docs]
    texts = [t for _d, t in docs]
    settings = project.config.embeddings or EmbeddingSettings()
    if cfg.embedding_model:
        settings = replace(settings, model=cfg.embedding_model)
    matrix, embedder = embed_texts(settings, texts)
    rows = dense_rows(matrix, settings.svd_components, seed)
    count = n_clusters(len(ids), cfg)
    if count >= 2:
        from sklearn.cluster import KMeans

        assigned = KMeans(n_clusters=count, n_init=10, random_state=seed).fit_predict(rows)
    else:
        assigned = np.zeros(len(ids), dtype=int)
    coords, method = layout(rows, cfg, seed)
    near = neighbours(rows, cfg.k)
    names = (
        cluster_labels(texts, assigned, count)
        if cfg.label_clusters
        else [f"cluster {c}" for c in range(count)]
    )
    sizes = np.bincount(assigned, minlength=count)
    data = {
        "points": [
            {
                "doc_id": doc_id,
                "x": round(float(coords[i, 0]), 5),
                "y": round(float(coords[i, 1]), 5),
                "cluster": int(assigned[i]),
                "snippet": snippet(texts[i]),
            }
            for i, doc_id in enumerate(ids)
        ],
        "clusters": [
            {"id": c, "label": names[c], "description": "", "size": int(sizes[c])}
            for c in range(count)
        ],
        "knn": {ids[i]: [[ids[j], s] for j, s in near[i]] for i in range(len(ids))},
        "info": {
            "embedder": embedder,
            "layout": method,
            "seconds": round(time.monotonic() - started, 3),
        },
    }
    project.store.corpus_map.save(data)
    return data


class CorpusMapRunner(BackgroundRuns):
    thread_name = "corpus-map"
    what = "corpus map build"

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self.last_note: str | None = None

    def run_once(self) -> None:
        cfg = self.project.config.corpus_map
        if cfg is None:
            return
        with self.project.store.locks.held(LOCK_NAME, LOCK_SECONDS) as got:
            if got:
                build(self.project, cfg)
                self.last_note = None
            else:
                self.last_note = "another server process is building the map"


def runner(project: Project) -> CorpusMapRunner:
    return project.cache("corpus_map_runner", lambda: CorpusMapRunner(project))
