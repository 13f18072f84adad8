"""A Prolific worker in a real Chromium: arrives from the study link, sees the time-limit
countdown, consents, reads the instructions, annotates, sees the completion code and is sent
back to the platform's completion URL (a tiny local HTTP server standing in for Prolific)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

from ..conftest import REPO
from .test_annotate_browser import _fast_timeouts, browser_errors, expect_item  # noqa: F401

pytestmark = pytest.mark.e2e

PHASES = REPO / "example_projects" / "prolific_study" / "phases"


@pytest.fixture
def platform() -> Iterator[tuple[str, list[str]]]:
    """(base URL, paths requested) of a stand-in for the platform's completion page."""
    seen: list[str] = []

    class Completion(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.command == "GET":
                seen.append(self.path)
            body = b"<!doctype html><title>Platform</title><h1>Submission complete</h1>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            seen.append(f"POST {self.path} {self.rfile.read(length).decode()}")
            self.do_GET()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Completion)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_prolific_worker_finishes_and_lands_on_the_completion_url(
    page: Page,
    live_server: Callable[..., str],
    platform: tuple[str, list[str]],
    browser_errors: list[str],  # noqa: F811
) -> None:
    home, seen = platform
    base = live_server(
        items=2,
        login={"type": "prolific", "auto_redirect_on_completion": True, "auto_redirect_delay": 800},
        crowdsourcing={
            "provider": "prolific",
            "time_limit_minutes": 30,
            "prolific": {
                "study_id": "5f00000000000000000e2e01",
                "completion": {
                    "code": "C1E2E",
                    "redirect_url": home + "/submissions/complete?cc={code}",
                },
            },
        },
        phases={
            "order": ["consent", "instructions", "annotation"],
            "consent": {"file": str(PHASES / "consent.json")},
            "instructions": {"file": str(PHASES / "instructions.md")},
        },
    )
    page.goto(f"{base}/?PROLIFIC_PID=E2EWORKER&STUDY_ID=5f00000000000000000e2e01&SESSION_ID=S1")
    expect(page).to_have_url(re.compile(r"/phase$"))
    expect(page.get_by_test_id("crowd-timer")).to_have_text(re.compile(r"Time left (29|30):\d\d"))

    page.get_by_text("I agree", exact=True).click()
    page.get_by_test_id("phase-submit").click()
    expect(page.locator("strong", has_text="news headlines")).to_be_visible()
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/annotate$"))
    for position in ("1 of 2", "2 of 2"):
        expect_item(page, position)
        page.keyboard.press("1")
        page.keyboard.press("Enter")

    expect(page.get_by_test_id("completion-code")).to_have_text("C1E2E")
    expect(page.get_by_test_id("crowd-return")).to_have_attribute(
        "href", home + "/submissions/complete?cc=C1E2E"
    )
    page.wait_for_url(home + "/submissions/complete?cc=C1E2E")
    expect(page.get_by_role("heading")).to_have_text("Submission complete")
    assert [p for p in seen if p != "/favicon.ico"] == ["/submissions/complete?cc=C1E2E"]
    assert browser_errors == []


def test_mturk_worker_previews_accepts_and_the_hit_is_submitted(
    page: Page,
    live_server: Callable[..., str],
    platform: tuple[str, list[str]],
    browser_errors: list[str],  # noqa: F811
) -> None:
    home, seen = platform
    base = live_server(
        items=2,
        login={"type": "url_direct", "url_argument": "workerId", "auto_redirect_delay": 500},
        crowdsourcing={
            "provider": "mturk",
            "mturk": {"completion": {"code": "HIT-OK"}, "submit_hosts": [home]},
        },
    )
    page.goto(f"{base}/?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1")
    expect(page.get_by_test_id("crowd-preview")).to_be_visible()
    expect(page.locator(".preview-schemes input").first).to_be_disabled()

    page.goto(f"{base}/?workerId=WE2E&assignmentId=AS1&hitId=H1&turkSubmitTo={home}")
    for position in ("1 of 2", "2 of 2"):
        expect_item(page, position)
        page.keyboard.press("2")
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("completion-code")).to_have_text("HIT-OK")
    page.wait_for_url(home + "/mturk/externalSubmit")
    posted = [p for p in seen if p.startswith("POST")]
    assert posted == [
        "POST /mturk/externalSubmit assignmentId=AS1&outcome=completed&completionCode=HIT-OK"
    ]
    assert browser_errors == []
