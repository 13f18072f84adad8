"""The strategies added for Potato (priority, batch, category_based, diversity_clustering,
max_diversity) on PostgreSQL: the same order as on SQLite and no item over its overlap with
concurrent annotators (row locks with SKIP LOCKED instead of SQLite's single writer)."""

from __future__ import annotations

import json

import pytest

from potato_like import create_app
from tests.conftest import annotate_all, annotate_concurrently, base_config, login, write_config

pytestmark = pytest.mark.postgres

N = 12


def open_pg(tmp_path, pg_url, **overrides):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in range(1, N + 1):
            row = {"id": f"item_{i:03d}", "text": f"word{i % 3} text {i}", "score": i}
            if i % 2:
                row["topic"] = "odd"
            fh.write(json.dumps(row) + "\n")
    config = base_config(database_url=pg_url, **overrides)
    config["item_properties"]["category_key"] = "topic"
    app = create_app(write_config(tmp_path, config))
    app.config["TESTING"] = True
    assert app.extensions["potato_like"].store.engine.dialect.name == "postgresql"
    return app


STRATEGIES = {
    "priority": {"triage": {"enabled": True, "signal_field": "score"}},
    "batch": {
        "batch_assignment": {
            "groups": [
                {
                    "annotators": [f"user{i}" for i in range(6)] + ["solo"],
                    "instances": [f"item_{i:03d}" for i in range(1, N + 1)],
                }
            ]
        }
    },
    "category_based": {"category_assignment": {"fallback": "random"}},
    "diversity_clustering": {"diversity_ordering": {"num_clusters": 3, "auto_clusters": False}},
    "max_diversity": {},
    "psychometric": {"psychometrics": {"min_observations": 0, "refit_interval": 1}},
}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_overlap_holds_with_concurrent_annotators(tmp_path, pg_url, name):
    app = open_pg(
        tmp_path,
        pg_url,
        assignment_strategy=name,
        max_annotations_per_item=2,
        **STRATEGIES[name],
    )
    try:
        counts, errors = annotate_concurrently(app, users=6)
        assert errors == []
        # Every item exactly twice: an annotator is told "finished" only when nothing is
        # left, even while other annotators' transactions hold rows (store/assignments.py
        # looks again without SKIP LOCKED before saying so).
        assert sorted(counts.values()) == [2] * N
        store = app.extensions["potato_like"].store
        assert all(store.items.by_id(f"item_{i:03d}").holders <= 2 for i in range(1, N + 1))
    finally:
        app.extensions["potato_like"].close()


def test_priority_order_on_postgres(tmp_path, pg_url):
    app = open_pg(tmp_path, pg_url, assignment_strategy="priority", **STRATEGIES["priority"])
    try:
        order = annotate_all(login(app.test_client(), "solo"))
        assert order == [f"item_{i:03d}" for i in range(N, 0, -1)]  # highest score first
    finally:
        app.extensions["potato_like"].close()
