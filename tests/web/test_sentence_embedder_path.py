"""The sentence-embedding path of similar items and the embedding map (issue 17: "sentence
embeddings when installed"). The real `sentence-transformers` cannot be installed here (torch
and model downloads are out of reach), so a stand-in module with its API
(`SentenceTransformer(name).encode(texts, batch_size=..., normalize_embeddings=...)`) is put
in `sys.modules`: these tests check our side of the contract — the library is chosen when it
imports, the configured model name is passed, its vectors decide the neighbours, and a
failing library falls back to TF-IDF."""

from __future__ import annotations

import importlib.machinery
import sys
import types

import numpy as np
import pytest

from potato_like.embeddings.embedders import embed_texts
from potato_like.quality.similar_items import similar_items
from tests.conftest import base_config, write_config

# Texts TF-IDF finds alike (shared words) but the stand-in model does not: its vectors put
# each text next to the one with the same meaning tag after the '|'.
TEXTS = {
    "a": "the cat sat on the mat | pets",
    "b": "the cat sat on the hat | clothes",
    "c": "a dog slept on a rug | pets",
    "d": "a scarf and gloves | clothes",
}
TAGS = ["pets", "clothes"]


class StandIn:
    loaded: list[str] = []
    fail = False

    def __init__(self, name: str) -> None:
        StandIn.loaded.append(name)

    def encode(self, texts, batch_size=32, normalize_embeddings=False):
        if StandIn.fail:
            raise RuntimeError("no model files (offline)")
        rows = [
            [1.0 if t.rsplit("|", 1)[-1].strip() == tag else 0.0 for tag in TAGS] for t in texts
        ]
        matrix = np.asarray(rows, dtype=np.float32) + 0.01
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture
def sentence_transformers(monkeypatch):
    module = types.ModuleType("sentence_transformers")
    module.__spec__ = importlib.machinery.ModuleSpec("sentence_transformers", None)
    module.SentenceTransformer = StandIn
    monkeypatch.setitem(sys.modules, "sentence_transformers", module)
    StandIn.loaded, StandIn.fail = [], False
    return module


def project_with(tmp_path, open_app, embeddings):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for item_id, text in TEXTS.items():
            fh.write(f'{{"id": "{item_id}", "text": "{text}"}}\n')
    return open_app(write_config(tmp_path, base_config(embeddings=embeddings)))


def test_installed_library_is_chosen_with_the_configured_model(
    sentence_transformers, tmp_path, open_app
):
    app = project_with(tmp_path, open_app, {"backend": "auto", "model": "my-org/mini"})
    index = similar_items(app.extensions["potato_like"]).index()
    assert index.embedder == "sentence_transformers:my-org/mini"
    assert StandIn.loaded == ["my-org/mini"]
    seq_of = dict(zip(index.ids, index.seqs, strict=True))
    nearest = index.neighbours(seq_of["a"], 1)
    assert [item_id for _seq, item_id, _score in nearest] == ["c"]  # same meaning, not words


def test_a_failing_library_falls_back_to_tfidf(sentence_transformers):
    StandIn.fail = True
    matrix, used = embed_texts(None, list(TEXTS.values()))
    assert used.startswith("tfidf")
    assert matrix.shape[0] == len(TEXTS)


def test_without_the_library_auto_means_tfidf(monkeypatch):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    _matrix, used = embed_texts(None, list(TEXTS.values()))
    assert used.startswith("tfidf")
