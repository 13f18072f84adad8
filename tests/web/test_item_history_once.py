"""The item detail shows each change once (issue 21, point 16): an autosave followed by a
submit of the same answers records one change, not two."""

from __future__ import annotations

from tests.conftest import login


def test_autosave_then_submit_records_each_change_once(make_project):
    app = make_project(items=2)
    project = app.extensions["potato_like"]
    c = login(app.test_client(), "ann")
    item = c.get("/api/current_instance").json["instance_id"]
    both = {"sentiment:positive": "1", "sentiment:negative": "0"}
    for draft in (True, True, False):
        body = {"instance_id": item, "annotations": both, "draft": draft}
        assert c.post("/updateinstance", json=body).status_code == 200
    seq = project.store.items.by_id(item).seq
    history = project.store.admin.history(item_seq=seq).entries
    assert [(h["action_type"], h["label_name"]) for h in history] == [("add_label", "positive")]
    # A real change is recorded.
    body = {"instance_id": item, "annotations": {"sentiment:negative": "1"}, "draft": False}
    assert c.post("/updateinstance", json=body).status_code == 200
    history = project.store.admin.history(item_seq=seq).entries
    assert [h["label_name"] for h in history] == ["negative", "positive"]
    # The item still counts as done after the submit that changed nothing.
    assert project.store.users.by_name("ann").done_count == 1
