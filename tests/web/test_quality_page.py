"""The quality-control page (issue 21, point 16): HTML for what /admin/api/quality_control
gives as JSON, and the most disputed items, sortable, each linking to its detail."""

from __future__ import annotations

import re

from tests.conftest import ADMIN, login


def admin_client(app):
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    return admin


def answer_all(app, user: str, labels: dict[str, str]) -> None:
    c = login(app.test_client(), user)
    for _ in range(10):
        info = c.get("/api/current_instance").json
        if info.get("finished"):
            return
        item = info["instance_id"]
        body = {"instance_id": item, "annotations": {f"sentiment:{labels[item]}": "1"}}
        assert c.post("/updateinstance", json=body).status_code == 200
        c.post("/go_to", json={"action": "next_instance"})


def test_disputed_items_come_first_and_link_to_their_detail(make_project):
    app = make_project(items=3, max_annotations_per_item=3)
    answer_all(app, "ann", {"item_001": "positive", "item_002": "positive", "item_003": "negative"})
    answer_all(app, "bob", {"item_001": "positive", "item_002": "negative", "item_003": "negative"})
    answer_all(app, "cy", {"item_001": "positive", "item_002": "negative", "item_003": "positive"})
    admin = admin_client(app)
    page = admin.get("/admin/quality/").get_data(as_text=True)
    table = page[page.index('data-testid="disputed-items"') :]
    rows = re.findall(
        r'href="/admin/item/(item_\d+)">[^<]+</a></td>\s*<td class="num">([\d.]+)', table
    )
    # Two distinct answers among three annotators: 0.5; all the same: 0.
    assert rows[:2] in ([("item_002", "0.50"), ("item_003", "0.50")],)
    assert rows[2] == ("item_001", "0.00")
    by_item = admin.get("/admin/quality/?sort=item").get_data(as_text=True)
    assert [i for i, _ in re.findall(r'href="/admin/item/(item_\d+)">[^<]+</a></td>\s*<td class="num">([\d.]+)', by_item)] == ["item_001", "item_002", "item_003"]  # fmt: skip
    assert "Attention checks are off" in page


def test_the_page_needs_an_admin(make_project):
    app = make_project()
    r = login(app.test_client(), "ann").get("/admin/quality/")
    assert r.status_code == 302 and "/admin/login" in r.headers["Location"]
