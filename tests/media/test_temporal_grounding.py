"""temporal_grounding: events from the item, gold intervals saved in Potato's shape, IoU."""

from __future__ import annotations

import json

import pytest

from potato_like.schemes.temporal_grounding import iou
from tests.conftest import base_config, current_id, login, write_config

SCHEME = {
    "annotation_type": "temporal_grounding",
    "name": "grounding",
    "description": "Mark each event",
    "video_key": "video",
    "events_key": "events",
}


@pytest.fixture
def app(tmp_path, open_app):
    row = {
        "id": "g1",
        "text": "Find the events",
        "video": "https://example.org/v.mp4",
        "events": [
            {"prompt": "The <b>eggs</b> crack.", "predicted": {"start": 3.0, "end": 6.5}},
            {"prompt": "No prediction here."},
            {"prompt": "Bad prediction", "predicted": {"start": 5, "end": 1}},
        ],
    }
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[SCHEME])))


def test_iou():
    assert iou((0, 2), (1, 3)) == pytest.approx(1 / 3)
    assert iou((0, 1), (2, 3)) == 0
    assert iou((1, 1), (1, 1)) == 0


def test_page_lists_events_escaped(app):
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").get_data(as_text=True)
    assert "The &lt;b&gt;eggs&lt;/b&gt; crack." in page and "<b>eggs" not in page
    assert page.count('class="tg-event"') == 3
    assert "js/temporal-grounding.js" in page
    assert "Predicted 3.0\u20136.5 s" in page and "Predicted 5" not in page


def test_save_reload_and_validation(app):
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    body = {"events": {"0": {"start": 3.5, "end": 6.0}, "1": {"start": 1, "end": None}}}
    r = c.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {"grounding:grounding": json.dumps(body)}},
    )
    assert r.status_code == 200, r.json
    stored = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]["grounding"]
    assert json.loads(stored["_data"]) == {
        "events": {"0": {"start": 3.5, "end": 6.0}, "1": {"start": 1.0, "end": None}}
    }
    for bad in (
        {"events": {"x": {"start": 1, "end": 2}}},
        {"events": {"0": {"start": 2, "end": 1}}},
        {"events": {"0": {"start": -1, "end": 1}}},
        {"events": [1, 2]},
    ):
        r = c.post(
            "/updateinstance",
            json={"instance_id": iid, "annotations": {"grounding:_data": json.dumps(bad)}},
        )
        assert r.status_code == 400, bad
