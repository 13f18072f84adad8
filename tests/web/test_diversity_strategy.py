"""`assignment_strategy: diversity_clustering` (Potato's `diversity_ordering`): items are
clustered by their text and each annotator takes them from the clusters in turn; overlap
holds under concurrency; numpy is not imported until clustering runs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from potato_like.assign.diversity import DiversityConfig, fit
from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import (
    REPO,
    annotate_all,
    annotate_concurrently,
    base_config,
    login,
    write_config,
)

TOPICS = {
    "cats": "cat kitten purr whiskers meow feline",
    "cars": "car engine wheels motor drive garage",
    "rain": "rain cloud storm thunder weather umbrella",
}


def texts():
    """12 items: 4 per topic, listed topic by topic (so file order is not diverse)."""
    out = []
    for topic, words in TOPICS.items():
        w = words.split()
        for i in range(4):
            out.append((f"{topic}_{i}", " ".join(w[i:] + w[:i]) + f" {topic}"))
    return out


@pytest.fixture
def project(tmp_path, open_app):
    def make(**overrides):
        with (tmp_path / "data.jsonl").open("w") as fh:
            for item_id, text in texts():
                fh.write(json.dumps({"id": item_id, "text": text}) + "\n")
        config = base_config(
            assignment_strategy="diversity_clustering",
            diversity_ordering={"num_clusters": 3, "auto_clusters": False},
            random_seed=7,
        )
        config.update(overrides)
        return open_app(write_config(tmp_path, config))

    return make


def topic(item_id):
    return item_id.split("_")[0]


def test_clusters_follow_topics():
    sample = [t for _i, t in texts()]
    labels = fit(sample, 3, seed=1).predict(sample)
    by_topic = {}
    for (item_id, _t), label in zip(texts(), labels, strict=True):
        by_topic.setdefault(topic(item_id), set()).add(label)
    assert all(len(s) == 1 for s in by_topic.values())  # each topic is one cluster
    assert len({next(iter(s)) for s in by_topic.values()}) == 3  # and they differ


def test_an_annotator_takes_the_clusters_in_turn(project):
    app = project()
    order = annotate_all(login(app.test_client(), "ann"))
    assert sorted(order) == sorted(i for i, _t in texts())
    # three items in a row always come from three different topics
    for start in range(0, 12, 3):
        assert len({topic(i) for i in order[start : start + 3]}) == 3, order


def test_overlap_holds_under_concurrency(project):
    app = project(max_annotations_per_item=2)
    counts, errors = annotate_concurrently(app, users=5)
    assert errors == []
    assert set(counts.values()) == {2} and len(counts) == 12


def test_number_of_clusters_is_potatos():
    assert DiversityConfig().clusters_for(1000) == 50  # 1000 / items_per_cluster 20
    assert DiversityConfig().clusters_for(10) == 2
    assert DiversityConfig().clusters_for(10_000_000) == 256  # capped here
    assert DiversityConfig(num_clusters=4, auto_clusters=False).clusters_for(3) == 3


def test_embedding_settings_are_accepted_with_a_warning(tmp_path):
    (tmp_path / "data.jsonl").write_text(json.dumps({"id": "a", "text": "t"}) + "\n")
    cfg = base_config(
        assignment_strategy="diversity_clustering",
        diversity_ordering={"model_name": "all-MiniLM-L6-v2", "num_clusters": 0},
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(tmp_path, cfg))
    assert "diversity_ordering.num_clusters" in str(err.value)
    cfg["diversity_ordering"]["num_clusters"] = 5
    loaded = load_config(write_config(tmp_path, cfg))
    assert any("model_name" in w for w in loaded.warnings)


def test_numpy_is_not_imported_by_starting_the_server():
    code = "import sys, potato_like.project; print('numpy' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
