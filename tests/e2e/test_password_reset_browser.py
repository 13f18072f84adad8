"""The password reset link in a real Chromium: the page's form posts with its CSRF token and
the browser's Origin header (which `Referrer-Policy: no-referrer` would turn into `null`,
which the cross-site guard refuses), under the strict CSP, and the new password logs in."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page

from ..conftest import ADMIN

pytestmark = pytest.mark.e2e


def test_reset_link_in_a_browser(page: Page, live_server):
    base = live_server(require_password=True)
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(f"{base}/register")
    page.fill("input[name=username]", "ann")
    page.fill("input[name=password]", "first-password-1")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/annotate*")
    link = requests.post(f"{base}/admin/api/user/ann/reset_link", headers=ADMIN, timeout=10)
    assert link.status_code == 200
    response = page.goto(link.json()["reset_link"])
    assert response.status == 200
    page.fill("input[name=password]", "a-new-long-password")
    page.fill("input[name=confirm_password]", "a-new-long-password")
    with page.expect_navigation() as nav:
        page.click("form[action*='/reset/'] button[type=submit]")
    assert nav.value.status == 200, page.content()
    assert "Your password was changed" in page.content()
    # The browser's own session (ann's) ended with the reset.
    assert page.goto(f"{base}/api/current_instance").status == 401
    r = requests.post(
        f"{base}/auth", json={"username": "ann", "password": "a-new-long-password"}, timeout=10
    )
    assert r.status_code == 200
    assert violations == []
