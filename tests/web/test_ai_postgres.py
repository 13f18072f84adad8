"""The builtin model, active learning and ICL on PostgreSQL: model versions stored as bytea
and loaded by a second process's Project, the ranking written as queue keys, predictions
and their verification (ON CONFLICT on PostgreSQL's dialect)."""

from __future__ import annotations

import pytest

from potato_like import create_app
from potato_like.ai.builtin.runner import models, trainer
from potato_like.ai.icl import worker
from tests.ai_texts import write_reviews
from tests.conftest import ADMIN, answer, base_config, login, write_config

pytestmark = pytest.mark.postgres

SENTIMENT = {
    "annotation_type": "radio",
    "name": "sentiment",
    "description": "?",
    "labels": ["positive", "negative"],
}


def test_models_ranking_and_icl_on_postgres(tmp_path, pg_url):
    truth = write_reviews(tmp_path / "data.jsonl", 40)
    config = base_config(
        database_url=pg_url,
        annotation_schemes=[SENTIMENT],
        assignment_strategy="active_learning",
        active_learning={"min_instances_for_training": 10, "random_sample_percent": 0},
        icl_labeling={
            "enabled": True,
            "example_selection": {"min_annotators_per_instance": 1},
            "llm_labeling": {"trigger_threshold": 3, "batch_size": 4, "confidence_threshold": 0},
        },
    )
    path = write_config(tmp_path, config)
    app = create_app(path)
    project = app.extensions["potato_like"]
    other = None
    try:
        assert project.store.engine.dialect.name == "postgresql"
        client = login(app.test_client(), "ann")
        for item_id in list(truth)[:16]:
            client.post("/go_to", json={"go_to": item_id})
            assert (
                answer(client, item_id, **{f"sentiment:{truth[item_id]}": "1"}).status_code == 200
            )
        assert trainer(project).wait(60)
        trainer(project).run_once()
        version = models(project).get("sentiment")[0]
        assert project.store.get_meta("queue_keys_for") == "active_learning"
        r = app.test_client().post("/admin/api/icl/trigger", json={"action": "batch_label"},
                                   headers=ADMIN)  # fmt: skip
        assert r.status_code == 202
        assert worker(project).wait(60)
        listed = app.test_client().get("/admin/api/icl/predictions", headers=ADMIN).json
        assert listed["total_count"] == 4
        first = listed["predictions"][0]
        c = login(app.test_client(), "checker")
        r = c.post("/api/icl/record_verification", json={"instance_id": first["instance_id"],
                   "schema_name": "sentiment", "human_label": first["predicted_label"]})  # fmt: skip
        assert r.json["correct"] is True
        # A second server process on the same database: loads the stored model, no training.
        other = create_app(path)
        again = other.extensions["potato_like"]
        assert models(again).get("sentiment")[0] == version
        assert trainer(again).runs == 0
        acc = other.test_client().get("/admin/api/icl/accuracy", headers=ADMIN).json
        assert acc["verified_correct"] == 1 and acc["accuracy"] == 1.0
    finally:
        project.close()
        if other is not None:
            other.extensions["potato_like"].close()
