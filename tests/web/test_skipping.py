"""Skipping (moving on without an answer) never earns completion, and skipped items come back
once after the rest (issue 21, points 2 and 3)."""

from __future__ import annotations

import time

from tests.conftest import login
from tests.web.crowd_util import (
    PROLIFIC,
    TRAINING_ANSWERS,
    example,  # noqa: F401 (fixture)
    prolific_link,
    submit_phase,
    train,
)


def current(client) -> dict:
    return client.get("/api/current_instance").json


def skip(client) -> None:
    assert client.post("/go_to", json={"action": "next_instance"}).status_code == 200


def answer(client, item: str) -> None:
    r = client.post(
        "/updateinstance", json={"instance_id": item, "annotations": {"sentiment:positive": "1"}}
    )
    assert r.status_code == 200, r.json


def test_skipped_items_come_back_once_after_the_rest(make_project):
    app = make_project(items=4, max_annotations_per_item=1)
    project = app.extensions["potato_like"]
    ann = login(app.test_client(), "ann")
    order = []
    for i in range(4):
        item = current(ann)["instance_id"]
        order.append(item)
        if i % 2 == 0:
            answer(ann, item)
        skip(ann)
    # Items 2 and 4 were skipped: after the last item they come back, in order.
    assert current(ann)["instance_id"] == order[1]
    skip(ann)
    # "next" from an item offered again goes to the next skipped one, not to answered ones.
    assert current(ann)["instance_id"] == order[3]
    answer(ann, order[3])
    skip(ann)
    info = current(ann)
    assert info.get("finished"), info
    assert project.store.users.by_name("ann").done_count == 3
    # The item skipped twice goes back to the pool when its lease times out.
    bob = login(app.test_client(), "bob")
    assert current(bob).get("finished")
    project.store.assignments.expire_stale(project.policy, now=time.time() + 10 * 3600)
    assert current(bob)["instance_id"] == order[1]


def test_skipping_the_last_item_does_not_end_the_task(make_project):
    app = make_project(items=2)
    ann = login(app.test_client(), "ann")
    first = current(ann)["instance_id"]
    answer(ann, first)
    skip(ann)
    last = current(ann)["instance_id"]
    skip(ann)  # skip on the last item
    assert current(ann)["instance_id"] == last
    answer(ann, last)
    skip(ann)
    assert current(ann).get("finished")
    page = ann.get("/done").get_data(as_text=True)
    assert 'data-completed="true"' in page


def test_a_user_who_skipped_everything_is_not_completed(make_project):
    app = make_project(items=2, min_annotations_for_completion=2)
    ann = login(app.test_client(), "ann")
    answer(ann, current(ann)["instance_id"])
    for _ in range(4):
        if current(ann).get("finished"):
            break
        skip(ann)
    assert current(ann).get("finished")
    page = ann.get("/done").get_data(as_text=True)
    assert 'data-testid="not-completed"' in page and "All done" not in page


def test_prolific_skips_never_earn_the_completion_code(example):  # noqa: F811
    app = example(PROLIFIC)
    project = app.extensions["potato_like"]
    c = app.test_client()
    assert c.get(prolific_link("PIDSKIP")).status_code == 302
    submit_phase(c, "consent", {"agree:I agree": "1"})
    submit_phase(c, "instructions")
    assert train(c, TRAINING_ANSWERS)["type"] == "annotation"
    for _ in range(30):
        info = c.get("/api/current_instance")
        if info.status_code != 200 or info.json.get("finished"):
            break
        skip(c)
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    page = c.get("/phase").get_data(as_text=True)
    assert 'data-testid="not-completed"' in page
    assert "C1PRLFC0" not in page  # the code that pays
    user = project.store.users.by_name("PIDSKIP")
    assert project.store.crowd.get(user.id).outcome == "not_completed"
