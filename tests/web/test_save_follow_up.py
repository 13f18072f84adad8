"""A save is answered "success" once its transaction committed, even when a step after the
commit (output-file mark, quality hooks, promotion) fails: the failure is logged instead."""

from __future__ import annotations

import logging

import pytest

from potato_like.quality import promotion
from tests.conftest import answer, current_id, login


def _boom(*_args, **_kwargs):
    raise RuntimeError("follow-up step exploded")


@pytest.mark.parametrize("step", ["promotion", "output"])
def test_failing_follow_up_after_commit_still_answers_success(
    make_project, monkeypatch, caplog, step
):
    app = make_project(items=3)
    project = app.extensions["potato_like"]
    if step == "promotion":
        monkeypatch.setattr(promotion, "check_item", _boom)
    else:
        monkeypatch.setattr(project.output, "mark_dirty", _boom)
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    with caplog.at_level(logging.ERROR, logger="potato_like"):
        r = answer(client, iid, **{"sentiment:negative": "1"})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "success"
    assert r.json["instance_status"] == "completed"
    stored = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert stored == {"sentiment": {"negative": "1"}}
    assert "follow-up step exploded" in caplog.text
    assert "is stored, but a step after the save failed" in caplog.text


def test_a_failing_save_itself_is_still_an_error(make_project):
    """The change is only in what follows the commit: a refused answer stays refused."""
    app = make_project(items=3)
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    r = answer(client, iid, **{"sentiment:great": "1"})
    assert r.status_code == 400
    assert client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == {}


def test_annotate_save_then_failed_move_says_the_answer_was_saved(make_project):
    """POST /annotate saves, then navigates: when only the move fails (an unknown go_to
    target), the error says the answers were saved, and they are."""
    app = make_project(items=3)
    client = login(app.test_client(), "ann1")
    iid = current_id(client)
    r = client.post(
        "/annotate",
        json={
            "instance_id": iid,
            "annotations": {"sentiment:positive": "1"},
            "go_to": "no_such_item",
        },
    )
    assert r.status_code == 404
    assert r.json["saved"] is True
    assert "no_such_item" in r.json["error"]
    stored = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert stored == {"sentiment": {"positive": "1"}}
    # a failed move without a save carries no such claim
    r = client.post("/annotate", json={"go_to": "no_such_item"})
    assert r.status_code == 404 and "saved" not in r.json
