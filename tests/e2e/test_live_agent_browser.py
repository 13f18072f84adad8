"""A live coding-agent run in a real Chromium, against a fake LLM over HTTP: Start shows the
steps as the background run records them, Pause and Stop change its state, a reload follows
the run again; no Content-Security-Policy violation."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config, write_items
from ..llm_fakes import FakeLLM
from .test_csp_browser import violations as violations

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 15_000


def act(tool: str, **args) -> str:
    return json.dumps({"thought": f"use {tool}", "action": {"tool": tool, "args": args}})


def test_start_watch_pause_stop_and_reload(page: Page, tmp_path, serve_app, violations: list[str]):
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    fake = FakeLLM("ollama", act("Glob", pattern="*"))
    fake.script(("ok", act("Write", file_path="hello.py", content="print('hi')\n")))
    try:
        write_items(tmp_path / "data.jsonl", 2)
        live = {
            "backend_type": "ollama_tool_use",
            "ai_config": {"model": "qwen", "base_url": fake.url, "timeout": 5},
            "max_turns": 400,
            "sandbox_mode": "container",
        }
        display = {
            "fields": [
                {"key": "text", "type": "text"},
                {"key": "turns", "type": "live_coding_agent"},
            ]
        }
        config = base_config(live_coding_agent=live, instance_display=display)
        server = serve_app(create_app(write_config(tmp_path, config)))
        assert page.request.post(f"{server}/auth", form={"username": "ann"}).ok
        page.goto(f"{server}/annotate")
        state = page.get_by_test_id("live-state")
        expect(state).to_have_text("not started")
        page.get_by_test_id("live-start").click()
        expect(state).to_have_text("running")
        steps = page.locator('[data-testid="live-steps"] > li')
        expect(steps.first).to_contain_text("wrote 12 characters to hello.py")
        page.get_by_test_id("live-pause").click()
        expect(state).to_have_text("paused")
        expect(page.get_by_test_id("live-resume")).to_be_enabled()
        page.get_by_test_id("live-instruction").fill("add a test")
        page.get_by_test_id("live-instruction").press("Enter")
        page.get_by_test_id("live-stop").click()
        expect(state).to_have_text("stopped")
        expect(page.get_by_test_id("live-start")).to_be_enabled()
        count = steps.count()
        assert count >= 2
        page.reload()
        expect(page.get_by_test_id("live-state")).to_have_text("stopped")
        expect(page.locator('[data-testid="live-steps"] > li')).to_have_count(count)
        expect(page.locator('[data-testid="live-steps"]')).to_contain_text("add a test")
        assert violations == []
    finally:
        fake.close()
