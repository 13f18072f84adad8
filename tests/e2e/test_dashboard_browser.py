"""Every dashboard page opens in a real browser without console errors, and its controls work
(sorting, filters, the item finder, reclaiming a stale lease)."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN

pytestmark = pytest.mark.e2e

# Every GET page of web/dashboard.py (docs/api.md, "Dashboard pages"), with what it must show.
PAGES = {
    "/admin": "Progress over the last 48 hours",
    "/admin/annotators/": "Agreement with others",
    "/admin/instances/": "item_004",
    "/admin/instances/?status=completed": "item_001",
    "/admin/instances/?status=in_progress": "item_002",
    "/admin/instances/?status=unassigned": "item_004",
    "/admin/item/item_001": "Answers side by side",
    "/admin/agreement/": "Which labels are confused",
    "/admin/questions/": "positive",
    "/admin/quality/": "Most disputed items",
    "/admin/timeline/": "sentiment: negative",
    "/admin/timeline/?user=ann&minutes=60": "sentiment: positive",
    "/admin/activity/": "Suspicious activity in the last 24 hours",
    "/admin/stale/": "Leases idle for more than",
    "/admin/crowd/": "Crowd workers",
    "/admin/instances/?q=number": "matching",
}


def test_dashboard_pages_have_no_console_errors(live_server, page):
    # A timeout of 0.01 minutes makes cy's unfinished lease stale at once.
    base = live_server(items=4, max_annotations_per_item=2, assignment_timeout_minutes=0.01)
    for user, label in (("ann", "positive"), ("bob", "negative"), ("cy", None)):
        page.request.post(f"{base}/auth", form={"username": user})
        iid = page.request.get(f"{base}/api/current_instance").json()["instance_id"]
        if label:
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
    page.goto(f"{base}/admin")  # the sign-in page first
    assert page.locator("input[name=key]").is_visible()
    page.fill("input[name=key]", ADMIN["X-API-Key"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin")
    for path, shows in PAGES.items():
        response = page.goto(base + path)
        assert response.status == 200, path
        assert page.locator("header.admin-bar").is_visible(), path
        assert shows in page.locator("main").inner_text(), (path, shows)

    # Sortable columns, including the new ones (empty values sort last).
    page.goto(f"{base}/admin/annotators/")
    for column in ("Finished", "Agreement with others", "Seconds per item"):
        page.click(f"th:has-text('{column}')")
        assert page.locator(f"th:has-text('{column}')").get_attribute("aria-sort") == "ascending"
    agreement = page.locator("th:has-text('Agreement with others')")
    agreement.click()
    agreement.click()  # descending: the measured ones first, cy (nothing shared) last
    assert agreement.get_attribute("aria-sort") == "descending"
    first = page.locator("table[data-testid=annotators] tbody tr").first
    assert first.locator("td").nth(7).inner_text().endswith("%")
    last = page.locator("table[data-testid=annotators] tbody tr").last
    assert last.locator("td").first.inner_text() == "cy"

    # The timeline filter form and its links.
    page.goto(f"{base}/admin/timeline/")
    page.fill("input[name=user]", "bob")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table[data-testid=timeline] tbody tr")
    assert rows.count() == 1 and "bob" in rows.first.inner_text()
    rows.first.locator("a").nth(1).click()
    page.wait_for_url(f"{base}/admin/item/item_001")

    # The item finder on the instances page.
    page.goto(f"{base}/admin/find?id=item_002")
    assert page.url == f"{base}/admin/item/item_002"

    # Reclaim cy's stale lease from the page.
    page.goto(f"{base}/admin/stale/")
    stale = page.locator("table[data-testid=stale] tbody tr")
    assert "cy" in stale.first.inner_text()
    stale.first.locator("button:has-text('Reclaim')").click()
    page.wait_for_url(f"{base}/admin/stale/?reclaimed=*")
    assert "Reclaimed" in page.locator("main").inner_text()
    assert errors == []
