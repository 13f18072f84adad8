"""Two tabs on one item never overwrite each other silently (issue 21, point 4): the page
sends the version of the answers it was shown; a save on top of another version is a 409."""

from __future__ import annotations

import re

from tests.conftest import login


def page_version(client) -> str | None:
    html = client.get("/annotate").get_data(as_text=True)
    found = re.search(r'data-version="([0-9a-f]+)"', html)
    return found.group(1) if found else None


def save(client, item, label, version=None):
    body = {"instance_id": item, "annotations": {f"sentiment:{label}": "1"}, "draft": True}
    if version is not None:
        body["base_version"] = version
    return client.post("/updateinstance", json=body)


def test_a_save_from_a_stale_tab_is_refused(make_project):
    app = make_project(items=2)
    c = login(app.test_client(), "ann")
    item = c.get("/api/current_instance").json["instance_id"]
    tab_a = tab_b = page_version(c)  # both tabs opened the item before any answer
    r = save(c, item, "positive", tab_a)
    assert r.status_code == 200
    tab_a = r.json["version"]
    r = save(c, item, "negative", tab_b)  # tab B still shows the empty item
    assert r.status_code == 409 and r.json["reason"] == "version"
    assert "another tab" in r.json["error"]
    got = c.get(f"/get_annotations?instance_id={item}").json["label_annotations"]
    assert got == {"sentiment": {"positive": "1"}}
    # Tab A goes on saving with the version it got back; a reload shows that version.
    r = save(c, item, "negative", tab_a)
    assert r.status_code == 200
    assert page_version(c) == r.json["version"] != tab_a


def test_clients_without_a_version_are_not_checked(make_project):
    app = make_project(items=2)
    c = login(app.test_client(), "ann")
    item = c.get("/api/current_instance").json["instance_id"]
    assert save(c, item, "positive").status_code == 200
    assert save(c, item, "negative").status_code == 200
    assert save(c, item, "negative", version=7).status_code == 400
