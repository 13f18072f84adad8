"""`corpus_map:` Potato's 2-D cluster map of the documents (embeddings/corpus_map.py builds
it in the background; web/corpus_map.py serves /corpus/map and /corpus/api/*). Read into
`ProjectConfig.corpus_map` (None when absent or `enabled: false`)."""

from __future__ import annotations

from dataclasses import dataclass

from .embeddings import UMAP_METRICS
from .reader import ConfigReader

CORPUS_MAP_KEYS = (
    "enabled",
    "build_on_start",
    "embedding_model",
    "clustering",
    "umap",
    "knn",
    "cluster_labeling",
)
CLUSTERING_KEYS = ("num_clusters", "items_per_cluster", "batch_size")
UMAP_KEYS = ("n_neighbors", "min_dist", "metric")
KNN_KEYS = ("k",)
LABELING_KEYS = ("enabled", "use_llm")
MAX_CLUSTERS = 500


@dataclass(frozen=True)
class CorpusMapConfig:
    build_on_start: bool = True
    embedding_model: str | None = None  # a sentence-transformers model; None: the default
    num_clusters: int | None = None  # None: auto (documents / items_per_cluster)
    items_per_cluster: int = 20
    n_neighbors: int = 15
    min_dist: float = 0.1
    metric: str = "cosine"
    k: int = 10
    label_clusters: bool = True


def read_corpus_map(r: ConfigReader) -> CorpusMapConfig | None:
    sub = r.child("corpus_map")
    if not sub.raw:
        return None
    sub.warn_unknown(CORPUS_MAP_KEYS)
    if not sub.bool("enabled", False):
        return None
    clustering, umap, knn = sub.child("clustering"), sub.child("umap"), sub.child("knn")
    labeling = sub.child("cluster_labeling")
    clustering.warn_unknown(CLUSTERING_KEYS)
    umap.warn_unknown(UMAP_KEYS)
    knn.warn_unknown(KNN_KEYS)
    labeling.warn_unknown(LABELING_KEYS)
    if clustering.has("batch_size"):
        clustering.warn("batch_size", "accepted for Potato, not used here")
    num: int | None = None
    raw_num = clustering.raw.get("num_clusters", "auto")
    if raw_num != "auto":
        num = int(clustering.number("num_clusters", 10, integer=True, minimum=1,
                                    maximum=MAX_CLUSTERS))  # fmt: skip
    if labeling.bool("use_llm", False):
        labeling.warn("use_llm", "LLM cluster names are not made here; the top terms are used")
    return CorpusMapConfig(
        build_on_start=sub.bool("build_on_start", True),
        embedding_model=sub.str("embedding_model", None),
        num_clusters=num,
        items_per_cluster=int(
            clustering.number("items_per_cluster", 20, integer=True, minimum=1, maximum=100_000)
        ),
        n_neighbors=int(umap.number("n_neighbors", 15, integer=True, minimum=2, maximum=200)),
        min_dist=float(umap.number("min_dist", 0.1, minimum=0.0, maximum=1.0)),
        metric=umap.str("metric", "cosine", choices=UMAP_METRICS),
        k=int(knn.number("k", 10, integer=True, minimum=1, maximum=100)),
        label_clusters=labeling.bool("enabled", True),
    )
