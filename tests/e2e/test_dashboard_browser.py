"""Every dashboard page opens in a real browser without console errors."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN

pytestmark = pytest.mark.e2e

PAGES = [
    "/admin",
    "/admin/annotators/",
    "/admin/instances/",
    "/admin/instances/?status=completed",
    "/admin/agreement/",
    "/admin/questions/",
    "/admin/stale/",
    "/admin/item/item_001",
]


def test_dashboard_pages_have_no_console_errors(live_server, page):
    base = live_server(items=4, max_annotations_per_item=2)
    for user, label in (("ann", "positive"), ("bob", "negative")):
        page.request.post(f"{base}/auth", form={"username": user})
        iid = page.request.get(f"{base}/api/current_instance").json()["instance_id"]
        page.request.post(
            f"{base}/updateinstance",
            data={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}},
        )
        page.request.post(f"{base}/logout")
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/admin")
    page.fill("input[name=key]", ADMIN["X-API-Key"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin")
    for path in PAGES:
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.locator("header.admin-bar").is_visible(), path
    page.goto(f"{base}/admin/annotators/")
    page.click("th:has-text('Finished')")
    assert page.locator("th:has-text('Finished')").get_attribute("aria-sort") == "ascending"
    assert errors == []
