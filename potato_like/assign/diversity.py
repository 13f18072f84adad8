"""Clusters of the `diversity_clustering` strategy (Potato's `diversity_ordering`).

Potato embeds items with sentence-transformers and clusters them with k-means; each annotator
then takes items from the clusters in turn, so similar items do not come in a row. Here the
text feature is TF-IDF over hashed word unigrams and bigrams (numpy only, no model download),
clustered by spherical k-means fitted on a random sample of at most `SAMPLE` items; every
item is then given its nearest cluster, in batches (constant memory). This runs at start when
the items or the settings changed (store/cohorts.py); leasing then reads an index.

The number of clusters is Potato's: with `auto_clusters` (the default) the number of items
divided by `items_per_cluster`, at least 2 and at most half the items; else `num_clusters`.
It is capped at `MAX_CLUSTERS` here, so a lease never walks more than that many clusters.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when clustering runs, not when the server starts
    import numpy as np

DIMENSIONS = 1024
SAMPLE = 10_000
MAX_CLUSTERS = 256
ITERATIONS = 20
MEMBER_CLUSTER = "cluster:"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class DiversityConfig:
    num_clusters: int = 10
    items_per_cluster: int = 20
    auto_clusters: bool = True

    def clusters_for(self, n_items: int) -> int:
        if n_items < 2:
            return 1
        if self.auto_clusters:
            k = max(2, min(n_items // self.items_per_cluster, n_items // 2))
        else:
            k = min(self.num_clusters, n_items)
        return max(1, min(k, MAX_CLUSTERS))

    def fingerprint(self) -> str:
        raw = [self.num_clusters, self.items_per_cluster, self.auto_clusters, DIMENSIONS, SAMPLE]
        return hashlib.sha256(json.dumps(raw).encode()).hexdigest()[:16]


def member(cluster: int) -> str:
    """Zero-padded, so the text order of members is the clusters' order."""
    return f"{MEMBER_CLUSTER}{cluster:05d}"


def term_counts(texts: Sequence[str]) -> np.ndarray:
    """Hashed unigram + bigram counts, one row per text (float32)."""
    import numpy as np

    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        for term in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
            out[row, zlib.crc32(term.encode()) % DIMENSIONS] += 1.0
    return out


def tfidf(counts: np.ndarray, idf: np.ndarray) -> np.ndarray:
    import numpy as np

    x = np.log1p(counts) * idf
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


@dataclass(frozen=True)
class ClusterModel:
    idf: np.ndarray
    centroids: np.ndarray

    def predict(self, texts: Sequence[str]) -> list[int]:
        if len(self.centroids) == 1:
            return [0] * len(texts)
        import numpy as np

        x = tfidf(term_counts(texts), self.idf)
        return [int(c) for c in np.argmax(x @ self.centroids.T, axis=1)]


def fit(sample: Sequence[str], k: int, seed: int = 0) -> ClusterModel:
    """Spherical k-means (cosine) with k-means++ seeding, deterministic for a seed."""
    import numpy as np

    counts = term_counts(sample)
    df = (counts > 0).sum(axis=0)
    idf = (np.log((1 + len(sample)) / (1 + df)) + 1.0).astype(np.float32)
    x = tfidf(counts, idf)
    k = max(1, min(k, len(sample)))
    rng = np.random.default_rng(seed)
    centroids = [x[rng.integers(len(x))]]
    closest = x @ centroids[0]  # each point's similarity to its nearest centre so far
    for _ in range(1, k):  # k-means++: far points are likelier picks
        weight = np.clip(1.0 - closest, 0.0, None) ** 2
        total = weight.sum()
        pick = rng.choice(len(x), p=weight / total) if total > 0 else rng.integers(len(x))
        centroids.append(x[pick])
        closest = np.maximum(closest, x @ x[pick])
    c = np.array(centroids, dtype=np.float32)
    for _ in range(ITERATIONS):
        labels = np.argmax(x @ c.T, axis=1)
        moved = np.zeros_like(c)
        np.add.at(moved, labels, x)
        norms = np.linalg.norm(moved, axis=1, keepdims=True)
        empty = norms[:, 0] == 0
        moved[~empty] /= norms[~empty]
        moved[empty] = c[empty]  # a cluster that lost every item keeps its centre
        if np.allclose(moved, c, atol=1e-5):
            break
        c = moved
    return ClusterModel(idf, c)
