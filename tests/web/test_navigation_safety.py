"""Navigation cannot be abused: GET /go_to changes nothing, and jumping by item id cannot
reserve the free items of a project (item squatting)."""

from __future__ import annotations

from tests.conftest import answer, csrf_headers, current_id, login


def _held(app, name: str) -> list[tuple[str, str]]:
    project = app.extensions["potato_like"]
    user = project.store.users.by_name(name)
    return [(iid, status) for _pos, iid, status in project.store.assignments.user_items(user.id)]


def _unfinished(app, name: str) -> int:
    return sum(1 for _iid, status in _held(app, name) if status == "leased")


def test_throwaway_accounts_jumping_by_id_cannot_starve_a_real_annotator(make_project):
    app = make_project(items=10, max_annotations_per_item=1)
    squatters = [login(app.test_client(), f"throwaway{i}") for i in range(3)]
    for c in squatters:
        for n in range(1, 11):
            c.post("/go_to", json={"go_to": f"item_{n:03d}"})
    for i in range(3):
        assert _unfinished(app, f"throwaway{i}") <= 2  # the current item + one gained by a jump
    real = login(app.test_client(), "real")
    info = real.get("/api/current_instance").json
    assert not info.get("finished") and info["instance_id"]
    assert answer(real, info["instance_id"], **{"sentiment:positive": "1"}).status_code == 200


def test_a_jump_to_a_new_item_is_refused_while_two_are_open(make_project):
    app = make_project(items=6)
    c = login(app.test_client(), "ann")
    assert current_id(c) == "item_001"
    r = c.post("/go_to", json={"go_to": "item_004"})
    assert r.status_code == 200 and r.json["instance_id"] == "item_004"
    r = c.post("/go_to", json={"go_to": "item_005"})
    assert r.status_code == 403 and "finish the instances you have open" in r.json["error"]
    assert ("item_005", "leased") not in _held(app, "ann")
    # Items already in the user's list stay reachable; finishing one allows a new jump.
    assert c.post("/go_to", json={"go_to": "item_001"}).json["instance_id"] == "item_001"
    assert answer(c, "item_001", **{"sentiment:positive": "1"}).status_code == 200
    r = c.post("/go_to", json={"go_to": "item_005"})
    assert r.status_code == 200 and r.json["instance_id"] == "item_005"


def test_a_jump_never_goes_past_the_users_cap(make_project):
    app = make_project(items=6, max_annotations_per_user=2)
    c = login(app.test_client(), "ann")
    current_id(c)
    assert c.post("/go_to", json={"go_to": "item_004"}).status_code == 200
    assert answer(c, "item_004", **{"sentiment:positive": "1"}).status_code == 200
    r = c.post("/go_to", json={"go_to": "item_005"})
    assert r.status_code == 403 and "maximum" in r.json["error"]
    assert len(_held(app, "ann")) == 2


def test_get_go_to_moves_nobody_and_leases_nothing(make_project):
    app = make_project(items=5)
    c = login(app.test_client(), "ann")
    assert current_id(c) == "item_001"
    for query in ("go_to=item_004", "go_to=3", "action=next_instance", "go_to=0&action=go_to"):
        r = c.get(f"/go_to?{query}")
        assert r.status_code == 302 and r.headers["Location"].endswith("/annotate")
        assert current_id(c) == "item_001"
    assert _held(app, "ann") == [("item_001", "leased")]


def test_potato_clients_still_navigate_with_post(make_project):
    app = make_project(items=5)
    c = login(app.test_client(), "ann")
    current_id(c)
    # seed 003: POST /go_to with JSON {"action": ...} or {"go_to": "<instance id>"}
    r = c.post("/go_to", json={"action": "next_instance"})
    assert r.status_code == 200 and r.json["instance_id"] == "item_002"
    r = c.post("/go_to", json={"go_to": "item_001"})
    assert r.status_code == 200 and r.json["instance_id"] == "item_001"
    # Potato's own page posts a form field go_to=<index> (with the page's CSRF token here)
    assert c.post("/go_to", data={"go_to": "1"}, headers=csrf_headers(c)).status_code == 302
    assert current_id(c) == "item_002"


def test_jumping_to_id_is_allowed_by_default_as_in_potato(make_project):
    app = make_project(items=3)
    assert app.extensions["potato_like"].config.jumping_to_id_disabled is False
