"""Vectors -> 2-D points: TruncatedSVD for sparse rows (scikit-learn), then UMAP
(umap-learn, imported here only: its first import compiles numba code for ~25 s, so it is
never imported at start or in a request)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

MIN_UMAP_POINTS = 8  # fewer points: the first two SVD directions are the map


def dense_rows(matrix: Any, components: int, seed: int = 0) -> np.ndarray:
    """Dense, L2-normalised float32 rows: sparse input is reduced to at most `components`
    dimensions with TruncatedSVD (as for latent semantic analysis)."""
    from scipy.sparse import issparse

    n = matrix.shape[0]
    if issparse(matrix):
        k = min(components, matrix.shape[1] - 1, n - 1)
        if k >= 2:
            from sklearn.decomposition import TruncatedSVD

            dense = TruncatedSVD(n_components=k, random_state=seed).fit_transform(matrix)
        else:
            dense = matrix.toarray()
    else:
        dense = np.asarray(matrix)
    dense = dense.astype(np.float32, copy=False)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return dense / norms


def project_2d(
    rows: np.ndarray,
    *,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "cosine",
    seed: int | None = None,
) -> np.ndarray:
    """(n, 2) float32 coordinates of dense rows."""
    n = rows.shape[0]
    if n == 0:
        return np.zeros((0, 2), dtype=np.float32)
    if n < MIN_UMAP_POINTS:
        return _first_directions(rows)
    import umap

    reducer = umap.UMAP(
        n_components=2,
        n_neighbors=max(2, min(n_neighbors, n - 1)),
        min_dist=min_dist,
        metric=metric,
        random_state=seed,
        n_jobs=1 if seed is not None else -1,
        init="spectral" if n > 2 * n_neighbors else "random",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs/random_state and small-graph notices
        points = reducer.fit_transform(rows)
    return np.asarray(points, dtype=np.float32)


def _first_directions(rows: np.ndarray) -> np.ndarray:
    centered = rows - rows.mean(axis=0, keepdims=True)
    out = np.zeros((rows.shape[0], 2), dtype=np.float32)
    if rows.shape[0] < 2 or not centered.any():
        return out
    u, s, _vt = np.linalg.svd(centered, full_matrices=False)
    k = min(2, len(s))
    out[:, :k] = u[:, :k] * s[:k]
    return out
