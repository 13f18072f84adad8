"""A project inside a workspace, in a real Chromium: sign in, annotate and submit under
/p/<slug>/ (every request of the page's scripts must carry the prefix), reload, find the
answer; and the workspace dashboard's sign-in and project list."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_workspace_app

from ..workspaces import KEY, write_workspace
from .test_annotate_browser import expect_item, radio_input

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 5_000


def test_annotate_under_a_project_prefix_and_find_the_answer_after_reload(
    page: Page, serve_app: Callable, tmp_path: Path
) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    base = serve_app(create_workspace_app(write_workspace(tmp_path / "ws")))
    requests_seen: list[str] = []
    page.on("request", lambda r: requests_seen.append(r.url))
    failures: list[str] = []
    page.on("pageerror", lambda exc: failures.append(str(exc)))

    page.goto(f"{base}/p/beta/")
    page.get_by_role("link", name="Register").click()
    expect(page).to_have_url(re.compile(r"/p/beta/register$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/p/beta/annotate$"))
    first = expect_item(page, "1 of 3")

    page.keyboard.press("2")
    expect(radio_input(page, "negative")).to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    page.keyboard.press("Enter")
    assert expect_item(page, "2 of 3") != first

    page.reload()
    expect_item(page, "2 of 3")
    page.keyboard.press("ArrowLeft")
    assert expect_item(page, "1 of 3") == first
    expect(radio_input(page, "negative")).to_be_checked()

    # Every request the pages made stayed inside the project (or the shared static files).
    outside = [u for u in requests_seen if not u.startswith(f"{base}/p/beta/")]
    assert outside == [], outside
    # Alpha knows nothing of this account: its own cookie, its own store.
    assert page.request.get(f"{base}/p/alpha/api/current_instance").status == 401
    assert failures == []


def test_workspace_dashboard_signs_in_and_pauses_a_project(
    page: Page, serve_app: Callable, tmp_path: Path
) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    base = serve_app(create_workspace_app(write_workspace(tmp_path / "ws")))
    page.goto(f"{base}/")
    page.get_by_label("API key").fill("pl_not-the-key-" + "x" * 30)
    page.get_by_role("button", name="Open the workspace").click()
    expect(page.get_by_role("alert")).to_contain_text("not an admin-scoped")
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Open the workspace").click()
    rows = page.get_by_test_id("workspace-projects").locator("tbody tr")
    expect(rows).to_have_count(2)
    rows.nth(0).get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("workspace-message")).to_have_text("Project alpha is paused now.")
    response = page.request.get(f"{base}/p/alpha/login")
    assert response.status == 503
