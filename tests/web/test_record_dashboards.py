"""The questions dashboard summarises the answers of the record types (review_work and
text_work example projects): one answer each, figures checked by hand."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, REPO, current_id, login
from tests.web.text_work_util import text_work_app


def test_review_work_summaries(example_project):
    app = example_project(REPO / "example_projects" / "review_work", require_password=False)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    record = {
        "turns:node_annotations": json.dumps({"a1": 5, "b1": 1}),
        "turns:selected_path": json.dumps(["root", "a1"]),
        "table:table": json.dumps({"rows": 3, "cols": 3, "cells": {"0,0": "col_header"}}),
        "review:review": json.dumps(
            {
                "verdict": "approve",
                "comments": [{"category": "style", "text": "naming"}],
                "file_ratings": {"src/auth/login.py": {"quality": 4, "correctness": 5}},
            }
        ),
        "events:events": json.dumps({"events": [{"id": "evt_thai_floods"}]}),
    }
    r = ann.post("/updateinstance", json={"instance_id": iid, "annotations": record})
    assert r.status_code == 200, r.json
    admin = app.test_client()
    got = {
        q["name"]: q.get("summary")
        for q in admin.get("/admin/api/questions", headers=ADMIN).json["questions"]
    }
    assert got["turns"] == {"node_ratings": {"1": 1, "5": 1}, "mean_path_length": 2}
    assert got["table"] == {"mean_cells": 9, "cells_by_role": {"col_header": 1}}
    assert got["review"] == {
        "verdicts": {"approve": 1},
        "comments_by_category": {"style": 1},
        "mean_file_rating": 4.5,
    }
    assert got["events"] == {"documents_by_event": {"evt_thai_floods": 1}}
    assert got["overall"] is None  # a tallied radio keeps its distribution instead


def test_text_work_summaries(tmp_path, open_app):
    app = text_work_app(tmp_path, open_app, "answer", "mentions", "coref")
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    spans = [
        {"id": "m1", "label": "ENTITY", "start": 0, "end": 16},
        {"id": "m2", "label": "PLACE", "start": 31, "end": 38},
    ]
    body = {
        "instance_id": iid,
        "annotations": {"answer:answer": json.dumps({"unanswerable": True})},
        "span_annotations": {"mentions": spans},
        "link_annotations": {
            "coref": [{"link_type": "ENTITY", "span_ids": ["m1"]}, {"span_ids": ["m2"]}]
        },
    }
    assert ann.post("/updateinstance", json=body).status_code == 200
    got = {
        q["name"]: q.get("summary")
        for q in app.test_client().get("/admin/api/questions", headers=ADMIN).json["questions"]
    }
    assert got["answer"] == {"answered": 0, "unanswerable": 1, "mean_answer_words": None}
    assert got["coref"] == {
        "mean_chains_per_item": 2,
        "mean_mentions_per_chain": 1,
        "chains_by_type": {"ENTITY": 1, "coreference": 1},
    }
