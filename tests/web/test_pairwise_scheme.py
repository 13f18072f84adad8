"""`pairwise`: binary choice with optional tie, or a scale; validation, page, keys, export,
agreement and Bradley-Terry scores."""

from __future__ import annotations

import json

from tests.conftest import ADMIN, current_id, login
from tests.web.comparison_util import PAIRS, comparison_app

BINARY = {
    "annotation_type": "pairwise",
    "name": "preference",
    "description": "Which is better?",
    "mode": "binary",
    "labels": ["Option A", "Option B"],
    "allow_tie": True,
    "tie_label": "Hard to tell",
}
SCALE = {
    "annotation_type": "pairwise",
    "name": "strength",
    "mode": "scale",
    "labels": ["A", "B"],
    "scale": {"min": -3, "max": 3, "step": 1, "labels": {"min": "A much", "max": "B much"}},
}


def send(client, iid, **labels):
    return client.post("/updateinstance", json={"instance_id": iid, "annotations": labels})


def test_binary_choice_is_saved_shown_and_validated(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, PAIRS, [BINARY], max_annotations_per_item=2)
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert "left 1" in page and "right 1" in page and "Hard to tell" in page
    assert 'data-key="1"' in page and 'data-key="2"' in page and 'data-key="0"' in page
    iid = current_id(ann)
    assert send(ann, iid, **{"preference:selection": "B"}).status_code == 200
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"preference": {"selection": "B"}}
    import re

    again = ann.get("/annotate").data.decode()
    assert re.search(r'data-value="B"\s+data-key="2"\s+checked', again)

    bad = send(ann, iid, **{"preference:selection": "C"})
    assert bad.status_code == 400 and "'C' is not one of A, B, tie" in bad.json["error"]
    bad = send(ann, iid, **{"preference:winner": "A"})
    assert bad.status_code == 400 and "preference:selection" in bad.json["error"]
    # nothing partial was written
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"preference": {"selection": "B"}}


def test_tie_is_refused_without_allow_tie(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, PAIRS, [{**BINARY, "allow_tie": False}])
    ann = login(app.test_client(), "ann")
    r = send(ann, current_id(ann), **{"preference:selection": "tie"})
    assert r.status_code == 400 and "ties are not allowed" in r.json["error"]


def test_scale_value_is_range_checked(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, PAIRS, [SCALE])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert send(ann, iid, **{"strength:scale_value": "-2"}).status_code == 200
    r = send(ann, iid, **{"strength:scale_value": "5"})
    assert r.status_code == 400 and "outside -3..3" in r.json["error"]
    r = send(ann, iid, **{"strength:scale_value": "lots"})
    assert r.status_code == 400 and "must be a number" in r.json["error"]
    page = ann.get("/annotate").data.decode()
    assert 'type="range"' in page and "A much" in page


def test_agreement_export_and_bradley_terry(tmp_path, open_app):
    rows = [
        {"id": f"p{i}", "text": [{"model": "m1", "text": "x"}, {"model": "m2", "text": "y"}]}
        for i in range(1, 4)
    ]
    app = comparison_app(tmp_path, open_app, rows, [BINARY], max_annotations_per_item=2)
    for name, picks in (("ann", ["A", "A", "B"]), ("bob", ["A", "A", "tie"])):
        c = login(app.test_client(), name)
        for pick in picks:
            iid = current_id(c)
            assert send(c, iid, **{"preference:selection": pick}).status_code == 200
            c.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    agreement = admin.get("/admin/api/agreement", headers=ADMIN).json
    assert agreement["by_schema"]["preference"]["metric_type"] == "nominal"
    lines = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).data
    answers = sorted(json.loads(x)["answers"]["preference"] for x in lines.decode().splitlines())
    assert answers == ["A", "A", "A", "A", "B", "tie"]
    scores = admin.get("/admin/api/pairwise_scoring", headers=ADMIN).json
    board = scores["schemas"]["preference"]
    assert board["comparisons"] == 6
    top = board["scores"][0]
    assert top["item_id"] == "m1" and top["wins"] == 4 and top["ties"] == 1
    assert top["ci_low"] < top["score"] < top["ci_high"]


def test_pairwise_scoring_needs_a_pairwise_scheme(make_project):
    app = make_project()
    r = app.test_client().get("/admin/api/pairwise_scoring", headers=ADMIN)
    assert r.status_code == 400 and "no pairwise scheme" in r.json["error"]
    assert app.test_client().get("/admin/api/pairwise_scoring").status_code in (401, 403)


def test_bad_pairwise_config_is_reported(tmp_path, open_app):
    import pytest

    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        comparison_app(
            tmp_path, open_app, PAIRS, [{**BINARY, "labels": ["a", "b", "c"], "mode": "both"}]
        )
    text = "\n".join(err.value.problems)
    assert "exactly 2 items" in text and "'both' is not one of binary, scale" in text


def test_preference_export_writes_chosen_and_rejected(tmp_path, open_app):
    rows = [
        {"id": "q1", "prompt": "Say hi", "responses": ["hello", "go away"]},
        {"id": "q2", "prompt": "Add 2+2", "responses": ["5", "4"]},
        {"id": "q3", "prompt": "Tie?", "responses": ["same", "same"]},
    ]
    schemes = [
        {**BINARY, "items_key": "responses"},
        {**SCALE, "items_key": "responses", "scale": {"min": 1, "max": 6}},
    ]
    app = comparison_app(tmp_path, open_app, rows, schemes)
    ann = login(app.test_client(), "ann")
    picks = [("A", "2"), ("B", "6"), ("tie", "3.5")]
    for pick, strength in picks:
        iid = current_id(ann)
        r = send(ann, iid, **{"preference:selection": pick, "strength:scale_value": strength})
        assert r.status_code == 200, r.json
        ann.post("/go_to", json={"action": "next_instance"})
    out = app.test_client().post(
        "/admin/api/export", json={"format": "preference_jsonl"}, headers=ADMIN
    )
    assert out.status_code == 200
    records = [json.loads(line) for line in out.data.decode().splitlines()]
    by_schema = {}
    for rec in records:
        by_schema.setdefault(rec["schema"], []).append(rec)
    assert [(r["prompt"], r["chosen"], r["rejected"]) for r in by_schema["preference"]] == [
        ("Say hi", "hello", "go away"),
        ("Add 2+2", "4", "5"),
    ]
    # scale: 2 leans to A, 6 to B, 3.5 is the middle of 1..6 (a tie, left out)
    assert [(r["chosen"], r["strength"]) for r in by_schema["strength"]] == [("hello", 2), ("4", 6)]
    assert all(r["annotator"] == "ann" for r in records)


MULTI = {
    "annotation_type": "pairwise",
    "name": "compare",
    "mode": "multi_dimension",
    "labels": ["Response A", "Response B"],
    "dimensions": [
        {"name": "helpfulness", "allow_tie": True},
        {"name": "accuracy"},
    ],
    "justification": {"required": True, "reason_categories": ["Safer"], "min_rationale_chars": 5},
}


def test_multi_dimension_with_justification(tmp_path, open_app):
    app = comparison_app(tmp_path, open_app, PAIRS, [MULTI])
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    page = ann.get("/annotate").data.decode()
    assert 'name="compare:helpfulness"' in page and 'name="compare:rationale"' in page
    r = send(ann, iid, **{"compare:accuracy": "tie"})
    assert r.status_code == 400 and "'tie' is not one of A, B" in r.json["error"]
    body = {
        "compare:helpfulness": "tie",
        "compare:accuracy": "B",
        "compare:reason:Safer": "1",
        "compare:rationale": "ok",
    }
    r = ann.post("/updateinstance", json={"instance_id": iid, "annotations": body, "draft": False})
    assert r.status_code == 400 and "at least 5 characters" in r.json["error"]
    body["compare:rationale"] = "B is right"
    r = ann.post("/updateinstance", json={"instance_id": iid, "annotations": body, "draft": False})
    assert r.status_code == 200, r.json
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["compare"]
    assert got == {
        "helpfulness": "tie",
        "accuracy": "B",
        "rationale": "B is right",
        "reason:Safer": "1",
    }


def test_answer_tracking_accepts_the_stored_keys_of_comparison_types(tmp_path, open_app):
    # The page reports each change with its data-label; for a pairwise scheme that is
    # "selection", not one of the choices (a 400 here was a console error on every pick).
    app = comparison_app(tmp_path, open_app, PAIRS, [BINARY])
    ann = login(app.test_client(), "ann")
    body = {"instance_id": current_id(ann), "schema": "preference", "action": "select"}
    r = ann.post("/api/track_annotation_change", json={**body, "label": "selection", "value": "A"})
    assert r.status_code == 200, r.json
    r = ann.post("/api/track_annotation_change", json={**body, "label": "winner", "value": "A"})
    assert r.status_code == 400 and "has no label 'winner'" in r.json["error"]


def test_with_the_pairwise_display_the_texts_are_shown_once(tmp_path, open_app):
    rows = [{"id": "q1", "prompt": "Say hi", "responses": ["hello there", "go away"]}]
    scheme = {**BINARY, "items_key": "responses"}
    display = {"fields": [{"key": "responses", "type": "pairwise"}]}
    app = comparison_app(
        tmp_path,
        open_app,
        rows,
        [scheme],
        instance_display=display,
        item_properties={"id_key": "id", "text_key": "prompt"},
    )
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert page.count("hello there") == 1  # in the display, not again in the tiles
    assert 'data-key="1"' in page and "Option A" in page
    assert send(ann, "q1", **{"preference:selection": "A"}).status_code == 200
