"""Similar items for adjudicators: nearest neighbours by cosine similarity of the item texts'
embeddings, from the project's embedder (embeddings/embedders.py, the `embeddings` block:
TF-IDF by default, sentence-transformers when installed and chosen; the same registry as the
embedding map). The index is built once per project and count of items, kept in the
project's cache; a query is one row times the matrix (sparse or dense)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..project import Project


@dataclass
class TextIndex:
    item_count: int
    seqs: list[int]
    ids: list[str]
    row_of: dict[int, int]
    matrix: Any  # scipy sparse or numpy dense, rows L2-normalised
    embedder: str = "tfidf"

    def neighbours(self, seq: int, k: int) -> list[tuple[int, str, float]]:
        """(seq, id, cosine similarity) of the k most similar other items."""
        import numpy as np

        row = self.row_of.get(seq)
        if row is None or self.matrix.shape[0] < 2:
            return []
        scores = self.matrix @ self.matrix[row].T
        scores = np.asarray(scores.toarray() if hasattr(scores, "toarray") else scores)
        scores = scores.astype(np.float64).ravel()
        scores[row] = -1.0
        k = min(k, len(scores) - 1)
        top = np.argpartition(-scores, k - 1)[:k] if k > 0 else []
        ranked = sorted(top, key=lambda i: -scores[i])
        return [
            (self.seqs[i], self.ids[i], round(float(scores[i]), 4)) for i in ranked if scores[i] > 0
        ]


class SimilarItems:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._index: TextIndex | None = None

    def ready(self) -> bool:
        """The index is built and current (answering from it is cheap)."""
        index = self._index
        return index is not None and index.item_count == self.project.store.items.count()

    def index(self) -> TextIndex:
        count = self.project.store.items.count()
        with self._lock:
            if self._index is None or self._index.item_count != count:
                self._index = self._build(count)
            return self._index

    def _build(self, count: int) -> TextIndex:
        from ..embeddings.embedders import embed_texts
        from ..media.paths import project_root

        seqs, ids, texts = [], [], []
        for seq, item_id, text in self.project.store.gold.item_texts():
            seqs.append(seq)
            ids.append(item_id)
            texts.append(text)
        root = project_root(self.project.config)
        matrix, used = embed_texts(self.project.config.embeddings, texts, root)
        return TextIndex(count, seqs, ids, {s: i for i, s in enumerate(seqs)}, matrix, used)


def similar_items(project: Project) -> SimilarItems:
    return project.cache("similar_items", lambda: SimilarItems(project))
