"""The embedder registry: how item texts become vectors.

An embedder turns a list of texts into a matrix with one L2-normalised row per text
(scipy sparse or numpy dense), so cosine similarity is a dot product. Users of it: the
embedding map (embeddings/map_runs.py; sparse rows are reduced with TruncatedSVD before
UMAP) and similar items for adjudicators (quality/similar_items.py).

- `tfidf` (always available): TF-IDF of words with sublinear term frequency
  (scikit-learn), nothing downloaded.
- `sentence_transformers`: registered only in effect when the package imports; the model
  (`embeddings.model`, default all-MiniLM-L6-v2) is loaded by the library, which downloads
  it on first use. NOT TESTED here (no torch, no model downloads on this machine): when it
  fails, `embed_texts` falls back to `tfidf` and says so.

Adding an embedder is one `@register("name")` class with `available()` and `vectors()`."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

from ..config.embeddings import EmbeddingSettings

log = logging.getLogger("potato_like.embeddings")
_EMBEDDERS: dict[str, type[Embedder]] = {}
MAX_FEATURES = 50_000
DEFAULT_SENTENCE_MODEL = "all-MiniLM-L6-v2"


class Embedder:
    name = ""

    def __init__(self, settings: EmbeddingSettings, root=None) -> None:
        self.settings = settings
        self.root = root  # the project directory (media embedders read files under it)

    @classmethod
    def available(cls) -> bool:
        return True

    def vectors(self, texts: list[str]) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


def register(name: str):
    def add(cls: type[Embedder]) -> type[Embedder]:
        cls.name = name
        _EMBEDDERS[name] = cls
        return cls

    return add


def names() -> list[str]:
    return sorted(_EMBEDDERS)


def embedder_class(name: str) -> type[Embedder] | None:
    return _EMBEDDERS.get(name)


@register("tfidf")
class TfidfEmbedder(Embedder):
    """Sparse TF-IDF rows (L2-normalised by the vectorizer)."""

    def vectors(self, texts: list[str]) -> Any:
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            return csr_matrix((0, 1))
        vectorizer = TfidfVectorizer(max_features=MAX_FEATURES, sublinear_tf=True)
        try:
            return vectorizer.fit_transform(texts)
        except ValueError:  # no words at all (empty texts, only stop words)
            return csr_matrix((len(texts), 1))


@register("sentence_transformers")
class SentenceEmbedder(Embedder):
    """Dense sentence embeddings. Untested here (see the module docstring)."""

    @classmethod
    def available(cls) -> bool:
        return importlib.util.find_spec("sentence_transformers") is not None

    def vectors(self, texts: list[str]) -> Any:
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(self.settings.model or DEFAULT_SENTENCE_MODEL)
        return model.encode(texts, batch_size=64, normalize_embeddings=True)

    def describe(self) -> str:
        return f"{self.name}:{self.settings.model or DEFAULT_SENTENCE_MODEL}"


def chosen(settings: EmbeddingSettings | None, texts: list[str] | None = None,
           root=None) -> list[Embedder]:  # fmt: skip
    """The embedders to try in order: the configured one, then `tfidf` as the fallback.
    `auto` picks by the items' media type (`image`, `audio`: when most of `texts` name such
    files), else sentence-transformers when installed, else tfidf."""
    from .media_embedders import common_media_type

    settings = settings or EmbeddingSettings()
    wanted = settings.backend
    if wanted == "auto":
        media = common_media_type(texts) if texts else None
        if media is not None and _files_exist(_EMBEDDERS[media](settings, root), texts):
            wanted = media
        else:
            wanted = "sentence_transformers" if SentenceEmbedder.available() else "tfidf"
    cls = _EMBEDDERS.get(wanted)
    order = []
    if cls is not None and cls.available():
        order.append(cls(settings, root))
    elif wanted != "tfidf":
        log.warning("embedder %r is not available; using tfidf", wanted)
    if not order or order[0].name != "tfidf":
        order.append(TfidfEmbedder(settings, root))
    return order


def _files_exist(embedder, texts: list[str], probe: int = 20) -> bool:
    """Whether at least half of the first `probe` values name files the media embedder can
    read (so a text that merely ends in ".png" does not make a project of images)."""
    sample = [t for t in texts[:probe] if t]
    return sum(embedder.file_of(t) is not None for t in sample) * 2 >= len(sample) > 0


def embed_texts(settings: EmbeddingSettings | None, texts: list[str], root=None) -> tuple[Any, str]:
    """(one L2-normalised row per text, the embedder used). `root`: the project directory,
    which media values are relative to."""
    tries = chosen(settings, texts, root)
    for i, embedder in enumerate(tries):
        try:
            return embedder.vectors(texts), embedder.describe()
        except Exception as exc:
            if i == len(tries) - 1:
                raise
            log.warning("embedder %s failed (%s); trying %s", embedder.name, exc, tries[i + 1].name)
    raise RuntimeError("no embedder")  # unreachable: the last one raises


from . import media_embedders  # noqa: E402, F401  (registers image and audio)
