"""The embedding pipeline on real text: embedder registry -> TruncatedSVD -> UMAP. Texts on
three topics must land in three separate regions of the 2-D map."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from potato_like.config.embeddings import EmbeddingMapConfig, EmbeddingSettings
from potato_like.embeddings import embedders
from potato_like.embeddings.map_runs import choose_sample
from potato_like.embeddings.projection import dense_rows, project_2d
from tests.embed_text import sentences


def neighbour_agreement(points: np.ndarray, topics: list[str], k: int = 5) -> float:
    """Share of each point's k nearest 2-D neighbours that have its topic."""
    d = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :k]
    same = [[topics[j] == topics[i] for j in row] for i, row in enumerate(nearest)]
    return float(np.mean(same))


@pytest.mark.slow
def test_three_topics_land_in_three_regions():
    pairs = sentences(40)
    topics = [t for t, _ in pairs]
    matrix, used = embedders.embed_texts(EmbeddingSettings(backend="tfidf"), [s for _, s in pairs])
    assert used == "tfidf"
    rows = dense_rows(matrix, 32)
    assert rows.shape == (120, 32)
    points = project_2d(rows, n_neighbors=10, seed=3)
    assert points.shape == (120, 2) and np.isfinite(points).all()
    assert neighbour_agreement(points, topics) > 0.9
    # the topics' centres are further apart than the points spread within a topic
    centres = {t: points[[i for i, x in enumerate(topics) if x == t]].mean(0) for t in set(topics)}
    spread = np.mean([np.linalg.norm(points[i] - centres[t]) for i, t in enumerate(topics)])
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in centres for b in centres if a < b]
    assert min(gaps) > 2 * spread


def test_tiny_inputs_do_not_need_umap():
    for n in (0, 1, 3):
        pairs = sentences(1)[:n]
        matrix, _ = embedders.embed_texts(EmbeddingSettings(backend="tfidf"), [s for _, s in pairs])
        points = project_2d(dense_rows(matrix, 16))
        assert points.shape == (n, 2) and np.isfinite(points).all()


def test_texts_without_words_give_a_map_not_an_error():
    matrix, _ = embedders.embed_texts(EmbeddingSettings(), ["", "!!", "..."])
    assert project_2d(dense_rows(matrix, 16)).shape == (3, 2)


def test_registry_falls_back_to_tfidf_when_the_chosen_embedder_fails(monkeypatch):
    class Broken(embedders.Embedder):
        def vectors(self, texts):
            raise OSError("model download refused")

    monkeypatch.setitem(embedders._EMBEDDERS, "broken", Broken)
    Broken.name = "broken"
    matrix, used = embedders.embed_texts(EmbeddingSettings(backend="broken"), ["a cat", "a dog"])
    assert used == "tfidf" and matrix.shape[0] == 2


def test_auto_uses_tfidf_without_sentence_transformers():
    first = embedders.chosen(EmbeddingSettings(backend="auto"))[0]
    expected = "sentence_transformers" if embedders.SentenceEmbedder.available() else "tfidf"
    assert first.name == expected


def test_sample_keeps_answered_items_and_fills_with_a_seeded_sample():
    seqs = list(range(1, 101))
    answered = {5, 50, 95}
    cfg = EmbeddingMapConfig(enabled=True, sample_size=10)
    sample = choose_sample(seqs, answered, cfg, seed=1)
    assert len(sample) == 10 and answered <= set(sample) and sample == sorted(sample)
    assert sample == choose_sample(seqs, answered, cfg, seed=1)
    small = EmbeddingMapConfig(enabled=True, sample_size=1000)
    assert choose_sample(seqs, answered, small, seed=1) == seqs
    no_keep = EmbeddingMapConfig(enabled=True, sample_size=10, include_all_annotated=False)
    assert len(choose_sample(seqs, answered, no_keep, seed=1)) == 10


def test_similar_items_use_the_embedder_registry(monkeypatch):
    """A new embedder registered under the configured backend is what similar items use:
    the sentence-embedding path is one registration away."""
    from types import SimpleNamespace

    from potato_like.quality.similar_items import SimilarItems

    class Letters(embedders.Embedder):  # dense rows: which vowels a text has
        def vectors(self, texts):
            rows = np.array([[float(v in t) for v in "aeiou"] + [1e-3] for t in texts])
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    Letters.name = "letters"
    monkeypatch.setitem(embedders._EMBEDDERS, "letters", Letters)
    texts = [(1, "i1", "red apple"), (2, "i2", "blue sky"), (3, "i3", "red apple tree"),
             (4, "i4", "cold moon")]  # fmt: skip
    store = SimpleNamespace(
        items=SimpleNamespace(count=lambda: 4),
        gold=SimpleNamespace(item_texts=lambda: iter(texts)),
    )
    config = SimpleNamespace(
        embeddings=EmbeddingSettings(backend="letters"), config_path=None, task_dir=Path(".")
    )
    index = SimilarItems(SimpleNamespace(store=store, config=config)).index()
    assert index.embedder == "letters"
    assert index.neighbours(1, 1) == [(3, "i3", 1.0)]
    config.embeddings = EmbeddingSettings(backend="tfidf")
    tfidf = SimilarItems(SimpleNamespace(store=store, config=config)).index()
    assert tfidf.embedder == "tfidf" and tfidf.neighbours(1, 3)[0][1] == "i3"
