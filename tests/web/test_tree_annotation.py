"""tree_annotation: node ratings and a best path over the item's conversation tree, in
Potato's two hidden-input keys; unknown nodes, broken paths and bad ratings are refused with
nothing written; agreement and export."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, base_config, current_id, login, write_config

TREE = {
    "id": "root",
    "speaker": "User",
    "text": "What is the capital of France?",
    "children": [
        {
            "id": "r1",
            "speaker": "Model A",
            "text": "Paris.",
            "children": [{"id": "r1_f1", "speaker": "User", "text": "Population?", "children": []}],
        },
        {"id": "r2", "speaker": "Model B", "text": "It is Paris.", "children": []},
    ],
}
SCHEME = {
    "annotation_type": "tree_annotation",
    "name": "quality",
    "description": "Rate each response and pick the best path",
    "node_scheme": {
        "annotation_type": "likert",
        "size": 5,
        "min_label": "Poor",
        "max_label": "Excellent",
    },
    "path_selection": {"enabled": True, "description": "Best path"},
}


@pytest.fixture
def app(tmp_path, open_app):
    with (tmp_path / "data.jsonl").open("w") as fh:
        for i in (1, 2):
            fh.write(json.dumps({"id": f"t{i}", "tree": TREE}) + "\n")
    config = base_config(
        annotation_schemes=[SCHEME],
        item_properties={"id_key": "id", "text_key": "tree"},
        assignment_strategy="fixed_order",
    )
    return open_app(write_config(tmp_path, config))


def send(client, iid, nodes=None, path=None):
    annotations = {}
    if nodes is not None:
        annotations["quality:node_annotations"] = json.dumps(nodes)
    if path is not None:
        annotations["quality:selected_path"] = json.dumps(path)
    return client.post("/updateinstance", json={"instance_id": iid, "annotations": annotations})


def stored(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


def test_page_lists_every_turn_with_a_rating_and_a_path_box(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    for node in ("root", "r1", "r1_f1", "r2"):
        assert f'data-node="{node}"' in page
    assert page.count('data-role="path"') == 4 and "js/tree-annotation.js" in page
    assert "1 = Poor, 5 = Excellent" in page


def test_ratings_and_a_path_are_stored_as_potato_json(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, {"r1": 5, "r2": "2"}, ["root", "r1", "r1_f1"])
    assert r.status_code == 200, r.json
    got = stored(ann, iid)["quality"]
    assert json.loads(got["node_annotations"]) == {"r1": "5", "r2": "2"}
    assert json.loads(got["selected_path"]) == ["root", "r1", "r1_f1"]
    page = ann.get("/annotate").data.decode()  # shown again after a reload
    assert '<option value="5" selected>' in page


@pytest.mark.parametrize(
    ("nodes", "path", "problem"),
    [
        ({"r9": 3}, None, "node 'r9' is not in this item's tree"),
        ({"r1": 6}, None, "'6' is not one of 1, 2, 3, 4, 5"),
        (None, ["root", "r1_f1"], "not one of its replies"),
        (None, ["root", "r1", "r1"], "appears twice"),
        (None, {"root": 1}, "must be a list of node ids"),
        ("[1]", None, "must be an object"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(app, nodes, path, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, nodes if not isinstance(nodes, str) else json.loads(nodes), path)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid) == {}


def test_agreement_and_export(app):
    answers = {
        "ann": ({"r1": 5, "r2": 2}, ["root", "r1"]),
        "bob": ({"r1": 5, "r2": 3}, ["root", "r2"]),
    }
    for name, (nodes, path) in answers.items():
        client = login(app.test_client(), name)
        for _ in range(2):
            assert send(client, current_id(client), nodes, path).status_code == 200
            client.post("/go_to", json={"action": "next_instance"})
    admin = app.test_client()
    entry = admin.get("/admin/api/agreement", headers=ADMIN).json["by_schema"]["quality"]
    # one of two shared nodes rated alike; different paths sharing 1 of 3 nodes
    assert entry["pairwise_scores"] == {
        "node_exact_match": 0.5,
        "path_exact_match": 0.0,
        "path_jaccard": round(1 / 3, 4),
    }
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    assert "quality:::node_annotations" in table.splitlines()[0]
