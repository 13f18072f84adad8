"""The annotation page fetches a fresh CSRF token and retries once when a save is refused
because its token expired (issue 13)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_a_save_refused_for_its_token_is_retried_with_a_fresh_one(page: Page, live_server):
    base = live_server(items=3)
    assert page.request.post(f"{base}/auth", form={"username": "zed"}).ok
    page.goto(f"{base}/annotate")
    sent: list[str | None] = []

    def expire_first_token(route, request):
        sent.append(request.headers.get("x-csrftoken"))
        if len(sent) == 1:  # as if the page had stayed open past the idle time
            route.continue_(headers={**request.headers, "x-csrftoken": "expired.token"})
        else:
            route.continue_()

    page.route("**/updateinstance", expire_first_token)
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/api/csrf_token" in r.url else None)
    page.keyboard.press("1")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    assert len(sent) == 2 and fetched, (sent, fetched)
    iid = page.request.get(f"{base}/api/current_instance").json()["instance_id"]
    got = page.request.get(f"{base}/get_annotations", params={"instance_id": iid}).json()
    assert got["label_annotations"] == {"sentiment": {"positive": "1"}}
