"""Potato's `embeddings` block (which embedder turns items into vectors, shared by the
embedding map and similar items) and `embedding_visualization` block (the admin's 2-D map
of the corpus, potato_like/embeddings/map_runs.py)."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigReader

EMBEDDINGS_KEYS = (
    "backend",
    "model",
    "source_field",
    "svd_components",
    "cache_dir",
    "media_root",
    "modality",
    "frames",
    "max_seconds",
    "entrypoint",
    "endpoint",
    "headers",
    "batch_size",
)
# Potato's keys for video and custom encoders: accepted, not used.
EMBEDDINGS_UNUSED = (
    "cache_dir",
    "modality",
    "frames",
    "entrypoint",
    "endpoint",
    "headers",
    "batch_size",
)
# Our names plus Potato's: "text" and "auto" pick sentence-transformers when installed.
BACKENDS = ("auto", "text", "tfidf", "sentence_transformers", "image", "audio", "video", "custom")
MEDIA_BACKENDS = ("video", "custom")  # not served: the item text (or auto) is embedded
EMBEDDING_VISUALIZATION_KEYS = (
    "enabled",
    "sample_size",
    "include_all_annotated",
    "embedding_model",
    "label_source",
    "umap",
)
UMAP_KEYS = ("n_neighbors", "min_dist", "metric")
UMAP_METRICS = ("cosine", "euclidean", "manhattan", "correlation")
LABEL_SOURCES = ("mace", "majority")


@dataclass(frozen=True)
class EmbeddingSettings:
    backend: str = "auto"  # auto | tfidf | sentence_transformers
    model: str | None = None  # sentence-transformers model name
    source_field: str | None = None  # item field to embed (default: the item text)
    svd_components: int = 64  # TF-IDF -> dense vectors for the map (TruncatedSVD)
    media_root: str | None = None  # media files' directory, relative to the project's
    max_seconds: float = 30.0  # audio read per item (embeddings/media_embedders.py)


@dataclass(frozen=True)
class EmbeddingMapConfig:
    enabled: bool = False
    sample_size: int = 1000
    include_all_annotated: bool = True
    label_source: str = "mace"
    n_neighbors: int = 15
    min_dist: float = 0.1
    metric: str = "cosine"


def read_embeddings(r: ConfigReader) -> EmbeddingSettings:
    if not r.has("embeddings"):
        viz = r.raw.get("embedding_visualization")
        model = viz.get("embedding_model") if isinstance(viz, dict) else None
        return EmbeddingSettings(model=model if isinstance(model, str) and model else None)
    sub = r.child("embeddings")
    sub.warn_unknown(EMBEDDINGS_KEYS)
    backend = sub.str("backend", "auto", choices=BACKENDS)
    if backend in MEDIA_BACKENDS:
        sub.warn(
            "backend",
            f"{backend!r} is not available here; auto is used (image and audio items by "
            "their media type, else the item text)",
        )
        backend = "auto"
    elif backend == "text":
        backend = "auto"
    for key in EMBEDDINGS_UNUSED:
        if sub.has(key):
            sub.warn(key, "accepted for Potato, not used here")
    return EmbeddingSettings(
        backend=backend,
        model=sub.str("model", None),
        source_field=sub.str("source_field", None),
        svd_components=int(sub.number("svd_components", 64, integer=True, minimum=2, maximum=512)),
        media_root=sub.str("media_root", None),
        max_seconds=float(sub.number("max_seconds", 30, minimum=0.5, maximum=3600)),
    )


def read_embedding_map(r: ConfigReader) -> EmbeddingMapConfig:
    if not r.has("embedding_visualization"):
        return EmbeddingMapConfig()
    sub = r.child("embedding_visualization")
    sub.warn_unknown(EMBEDDING_VISUALIZATION_KEYS)
    sub.str("embedding_model", None)  # read by read_embeddings
    umap = sub.child("umap")
    umap.warn_unknown(UMAP_KEYS)
    return EmbeddingMapConfig(
        enabled=sub.bool("enabled", True),
        sample_size=int(
            sub.number("sample_size", 1000, integer=True, minimum=1, maximum=2_000_000)
        ),
        include_all_annotated=sub.bool("include_all_annotated", True),
        label_source=sub.str("label_source", "mace", choices=LABEL_SOURCES),
        n_neighbors=int(umap.number("n_neighbors", 15, integer=True, minimum=2, maximum=200)),
        min_dist=float(umap.number("min_dist", 0.1, minimum=0.0, maximum=1.0)),
        metric=umap.str("metric", "cosine", choices=UMAP_METRICS),
    )
