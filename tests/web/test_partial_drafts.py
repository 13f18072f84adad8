"""One invalid entry never blocks saving the rest of an item (issue 21, point 1): a draft
with `"partial": true` (the page's autosave) keeps every valid scheme and names the others;
without it, or on submit, an invalid body is refused whole, as API clients expect."""

from __future__ import annotations

import pytest

from tests.conftest import login, radio
from tests.web.test_links import PERSON, PLACE, body, schemes
from tests.web.test_spans import client_for, span_app  # noqa: F401  (fixture)

SCHEMES = [
    radio("sentiment", ["positive", "negative"]),
    {"annotation_type": "number", "name": "stars", "description": "Stars?",
     "min_value": 1, "max_value": 5},
]  # fmt: skip


@pytest.fixture
def client(make_project):
    app = make_project(items=2, schemes=SCHEMES)
    c = login(app.test_client(), "ann")
    c.item = c.get("/api/current_instance").json["instance_id"]
    return c


def stored(c) -> dict:
    return c.get(f"/get_annotations?instance_id={c.item}").json["label_annotations"]


def draft(c, partial=True, **extra):
    annotations = {"sentiment:positive": "1", "stars:number": "9"}
    return c.post(
        "/updateinstance",
        json={"instance_id": c.item, "annotations": annotations, "draft": True,
              "partial": partial, **extra},
    )  # fmt: skip


def test_a_partial_draft_keeps_the_valid_schemes_and_names_the_invalid(client):
    r = draft(client)
    assert r.status_code == 200, r.json
    assert [entry["schema"] for entry in r.json["invalid"]] == ["stars"]
    assert "5" in r.json["invalid"][0]["error"]  # says what the limit is
    assert stored(client) == {"sentiment": {"positive": "1"}}
    # Fixing the entry saves it; the report is gone.
    r = client.post(
        "/updateinstance",
        json={"instance_id": client.item, "annotations": {"stars:number": "4"},
              "draft": True, "partial": True},
    )  # fmt: skip
    assert r.status_code == 200 and "invalid" not in r.json
    assert stored(client)["stars"] == {"number": "4"}


def test_without_partial_or_on_submit_the_body_is_refused_whole(client):
    r = draft(client, partial=False)
    assert r.status_code == 400 and "stars" in r.json["error"]
    assert stored(client) == {}
    r = client.post(
        "/updateinstance",
        json={"instance_id": client.item, "partial": True,
              "annotations": {"sentiment:positive": "1", "stars:number": "9"}},
    )  # fmt: skip
    assert r.status_code == 400
    assert stored(client) == {}


def test_partial_must_be_a_boolean(client):
    assert draft(client, partial="yes").status_code == 400


def test_a_link_between_disallowed_labels_does_not_block_the_spans(span_app):  # noqa: F811
    c = client_for(span_app(schemes=schemes()))
    wrong = {
        "link_type": "VISITED",
        "span_ids": ["entities_LOCATION_21_26", "entities_PERSON_0_12"],
    }
    r = c.post("/updateinstance", json=body([PERSON, PLACE], [wrong], draft=True, partial=True))
    assert r.status_code == 200, r.json
    assert [entry["schema"] for entry in r.json["invalid"]] == ["relations"]
    got = c.get("/get_annotations?instance_id=t1").json
    assert len(got["span_annotations"]) == 2
    assert not got.get("link_annotations")
