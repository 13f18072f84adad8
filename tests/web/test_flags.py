"""Flag an item with a comment (issue 21, point 13)."""

from __future__ import annotations

from tests.conftest import ADMIN, login


def test_an_annotator_flags_an_item_and_admins_see_it(make_project):
    app = make_project(items=3)
    c = login(app.test_client(), "ann")
    item = c.get("/api/current_instance").json["instance_id"]
    assert 'data-testid="flag-btn"' in c.get("/annotate").get_data(as_text=True)
    r = c.post("/api/flag_item", json={"instance_id": item, "comment": "  The text is cut off. "})
    assert r.status_code == 200 and r.json["instance_id"] == item
    flags = c.get("/admin/api/flags", headers=ADMIN).json
    assert flags["total"] == 1
    assert flags["flags"][0] | {"flagged_at": None} == {
        "item_id": item,
        "user": "ann",
        "comment": "The text is cut off.",
        "flagged_at": None,
    }
    assert c.get(f"/admin/api/flags?instance_id={item}", headers=ADMIN).json["total"] == 1
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    page = admin.get(f"/admin/item/{item}").get_data(as_text=True)
    assert 'data-testid="flags"' in page and "The text is cut off." in page


def test_bad_flags_are_refused(make_project):
    app = make_project(items=3)
    c = login(app.test_client(), "ann")
    item = c.get("/api/current_instance").json["instance_id"]
    assert c.post("/api/flag_item", json={"instance_id": item}).status_code == 400
    assert (
        c.post("/api/flag_item", json={"instance_id": item, "comment": "x" * 2001}).status_code
        == 400
    )
    assert (
        c.post("/api/flag_item", json={"instance_id": item, "comment": "ok", "x": 1}).status_code
        == 400
    )
    # Only items in the caller's own list.
    assert (
        c.post("/api/flag_item", json={"instance_id": "item_003", "comment": "?"}).status_code
        == 403
    )
    assert c.post("/api/flag_item", json={"instance_id": "nope", "comment": "?"}).status_code == 404
    assert (
        app.test_client()
        .post("/api/flag_item", json={"instance_id": item, "comment": "?"})
        .status_code
        == 401
    )
    assert c.get("/admin/api/flags").status_code == 403
