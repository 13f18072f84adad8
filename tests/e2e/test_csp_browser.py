"""The Content-Security-Policy in a real Chromium: the login, annotation, dashboard and crowd
pages run with it and cause no violation; framing is refused except by MTurk's sites.

Violations are collected two ways: the `securitypolicyviolation` event of every document
(reported to the test through an exposed binding) and Chromium's console message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from ..conftest import ADMIN, radio
from .test_annotate_browser import _fast_timeouts, expect_item  # noqa: F401

pytestmark = pytest.mark.e2e

COLLECT = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ` +
                         `at ${e.sourceFile}:${e.lineNumber} on ${location.pathname}`);
});
"""
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c50000000049454e44ae426082"
)
SCHEMES = [
    radio("sentiment", ["positive", "negative", "neutral"]),
    {
        "annotation_type": "multiselect",
        "name": "topics",
        "description": "Topics?",
        "labels": [{"name": "sport", "color": "#ff0000"}, {"name": "art", "color": "blue"}],
    },
    {"annotation_type": "likert", "name": "fluency", "description": "Fluent?", "size": 5},
    {"annotation_type": "slider", "name": "score", "description": "Score?"},
    {"annotation_type": "text", "name": "note", "description": "Note"},
    {
        "annotation_type": "span",
        "name": "entities",
        "description": "Mark entities",
        "labels": ["PER", "LOC"],
    },
]
DASHBOARD = (
    "/admin",
    "/admin/annotators/",
    "/admin/instances/",
    "/admin/item/item_001",
    "/admin/agreement/",
    "/admin/questions/",
    "/admin/quality/",
    "/admin/timeline/",
    "/admin/activity/",
    "/admin/stale/",
)


@pytest.fixture
def violations(page: Page) -> list[str]:
    found: list[str] = []
    page.expose_binding("reportViolation", lambda _source, text: found.append(text))
    page.add_init_script(COLLECT)

    def on_console(msg: ConsoleMessage) -> None:
        if "Content Security Policy" in msg.text:
            found.append(f"console: {msg.text}")

    page.on("console", on_console)
    # Instructions may show a remote (https) picture; serve it here instead of the network.
    page.route(
        "https://pictures.example.org/**", lambda r: r.fulfill(body=PNG, content_type="image/png")
    )
    return found


def visit(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.ok, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")


def test_pages_run_under_the_policy_without_violations(
    page: Page, live_server: Callable[..., str], violations: list[str]
) -> None:
    base = live_server(
        items=3,
        schemes=SCHEMES,
        require_password=True,
        instructions='<p>See <img src="https://pictures.example.org/a.png" alt="example"></p>',
        ui={"label_colors": {"sentiment": {"positive": "#00aa00"}}},
        max_annotations_per_item=2,
    )
    visit(page, base + "/")
    visit(page, base + "/login")
    visit(page, base + "/register")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/annotate$"))
    expect_item(page, "1 of 3")
    # Scripts run: a hotkey answers, the label colour is set through the CSSOM, the remote
    # picture of the instructions loads.
    page.keyboard.press("1")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")
    sport = page.locator("label.option:has(input[data-label='sport'])")
    assert sport.evaluate("n => n.style.getPropertyValue('--label-color')") == "#ff0000"
    assert page.locator(".instructions-body img").evaluate("img => img.naturalWidth") == 1
    page.keyboard.press("Enter")
    expect_item(page, "2 of 3")

    visit(page, base + "/admin")  # the admin sign-in page
    page.fill("input[name=key]", ADMIN["X-API-Key"])
    page.get_by_role("button", name="Open the dashboard").click()
    page.wait_for_url(base + "/admin")
    for path in DASHBOARD:
        visit(page, base + path)
    visit(page, base + "/admin/annotators/")
    page.click("th:has-text('Finished')")  # the dashboard's script runs

    assert violations == []
    # The collector works: a style attribute set from script is a violation.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("() => true")  # one round trip: the binding's report has arrived
    assert any("style-src" in v for v in violations), violations


def framing_page(page: Page, site: str, target: str) -> None:
    """Open `site` (its page served by the test) showing `target` in an iframe. The test
    server listens on loopback: Chromium lets a public site load it only with the local
    network access permission, which an annotator's browser would not need."""
    html = f'<!doctype html><title>Framer</title><iframe src="{target}"></iframe>'
    page.route(site + "/**", lambda r: r.fulfill(body=html, content_type="text/html"))
    page.context.grant_permissions(["local-network-access"], origin=site)
    page.goto(site + "/hit")


def test_mturk_may_frame_an_mturk_project(page: Page, live_server: Callable[..., str]) -> None:
    base = live_server(
        items=2,
        login={"type": "url_direct", "url_argument": "workerId"},
        crowdsourcing={"provider": "mturk", "mturk": {"completion": {"code": "HIT-OK"}}},
    )
    framing_page(
        page,
        "https://worker.mturk.com",
        f"{base}/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1",
    )
    frame = page.frame_locator("iframe")
    expect(frame.get_by_test_id("crowd-preview")).to_be_visible()


def test_other_sites_may_not_frame_a_project(page: Page, live_server: Callable[..., str]) -> None:
    base = live_server(items=2)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "frame-ancestors" in m.text else None)
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        framing_page(page, "https://rebound.attacker.example", f"{base}/login")
    assert "frame-ancestors 'none'" in refused[0], refused
    frame = page.frames[1]
    assert frame.url != f"{base}/login", "the login page was shown inside another site"
