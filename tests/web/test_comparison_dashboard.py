"""The new types on the dashboard (questions API and page) and in the wide table export."""

from __future__ import annotations

import csv
import io

from tests.conftest import ADMIN, current_id, login
from tests.web.comparison_util import POOL, bws_config, bws_scheme, comparison_app

SCHEMES = [
    {"annotation_type": "ranking", "name": "order", "labels": ["x", "y", "z"]},
    {
        "annotation_type": "multirate",
        "name": "grid",
        "options": ["o1", "o2"],
        "labels": ["lo", "hi"],
    },
]
ROWS = [{"id": f"i{i}", "text": f"text {i}"} for i in range(1, 3)]


def test_questions_summarise_ranking_and_multirate(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, ROWS, SCHEMES)
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    body = {"order:rank_order": "y,x,z", "grid:o1": "hi", "grid:o2": "lo"}
    assert (
        ann.post("/updateinstance", json={"instance_id": iid, "annotations": body}).status_code
        == 200
    )
    admin = app.test_client()
    questions = {
        q["name"]: q for q in admin.get("/admin/api/questions", headers=ADMIN).json["questions"]
    }
    assert questions["order"]["total_answers"] == 1
    # (the generic summary also lists each configured label, with 0)
    counted = {
        name: {k: n for k, n in q["distribution"].items() if n} for name, q in questions.items()
    }
    assert counted["order"] == {"x: 2": 1, "y: 1": 1, "z: 3": 1}
    assert counted["grid"] == {"o1: hi": 1, "o2: lo": 1}
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    page = admin.get("/admin/questions/")
    assert page.status_code == 200
    assert 'data-testid="question-order"' in page.data.decode()


def test_bws_export_has_best_and_worst_columns(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, POOL, [bws_scheme()], bws_config=bws_config())
    ann = login(app.test_client(), "ann")
    body = {"intensity:best": "C", "intensity:worst": "A"}
    assert (
        ann.post(
            "/updateinstance", json={"instance_id": current_id(ann), "annotations": body}
        ).status_code
        == 200
    )
    table = app.test_client().post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data
    row = next(csv.DictReader(io.StringIO(table.decode())))
    assert (row["intensity:::best"], row["intensity:::worst"]) == ("C", "A")
    assert row["instance_id"] == "bws_tuple_0001"
    questions = app.test_client().get("/admin/api/questions", headers=ADMIN).json["questions"]
    assert questions[0]["distribution"] == {"best C": 1, "worst A": 1}
