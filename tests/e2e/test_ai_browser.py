"""An AI suggestion from a fake OpenAI-compatible server appears beside the scheme in a
real Chromium, Alt+A accepts it, the answer is saved, survives a reload, and the server
records it as accepted."""

from __future__ import annotations

from collections.abc import Callable

import openai  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ADMIN
from tests.llm_fakes import FakeLLM

pytestmark = pytest.mark.e2e


@pytest.fixture
def fake():
    server = FakeLLM(
        "openai", {"label": "negative", "confidence": 0.8, "explanation": "the word 'number'"}
    )
    yield server
    server.close()


def test_suggestion_accepted_with_alt_a_survives_reload(
    page: Page, live_server: Callable[..., str], fake: FakeLLM
) -> None:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    ai = {
        "enabled": True,
        "endpoint_type": "vllm",
        "ai_config": {"model": "fake-model", "base_url": fake.url, "timeout": 5},
    }
    base = live_server(items=3, ai_support=ai)
    response = page.request.post(f"{base}/register", data={"username": "ann", "password": ""})
    assert response.status == 201, response.text()
    page.goto(base + "/annotate")
    box = page.get_by_test_id("ai-suggestion-sentiment")
    expect(box).to_be_visible()
    expect(box.locator(".ai-label")).to_have_text("negative")
    expect(box.locator(".ai-confidence")).to_have_text("80% sure")
    expect(box.locator(".ai-explanation")).to_have_text("the word 'number'")
    choice = page.locator('input[data-scheme="sentiment"][data-label="negative"]')
    expect(choice).not_to_be_checked()  # never pre-filled unless configured

    page.keyboard.press("Alt+a")
    expect(choice).to_be_checked()
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    page.reload()
    expect(page.locator('input[data-scheme="sentiment"][data-label="negative"]')).to_be_checked()
    report = page.request.get(f"{base}/admin/api/ai_influence", headers=ADMIN).json()
    (row,) = report["annotators"]
    assert (row["annotator"], row["shown"], row["accepted"]) == ("ann", 1, 1)


def test_chat_about_the_item_and_history_after_reload(
    page: Page, live_server: Callable[..., str]
) -> None:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    server = FakeLLM("ollama", "Think about the word 'number'.")
    try:
        chat = {
            "enabled": True,
            "endpoint_type": "ollama",
            "ai_config": {"model": "llama3.2", "base_url": server.url, "timeout": 5},
        }
        base = live_server(items=3, chat_support=chat)
        response = page.request.post(f"{base}/register", data={"username": "ann", "password": ""})
        assert response.status == 201, response.text()
        page.goto(base + "/annotate")
        progress = page.get_by_test_id("progress").inner_text()
        page.get_by_test_id("ai-chat").locator("summary").click()
        page.locator("#ai-chat-input").fill("What should I look at?")
        page.locator("#ai-chat-input").press("Enter")  # sends; does not submit the item
        expect(page.locator(".ai-chat-assistant")).to_have_text("Think about the word 'number'.")
        assert page.get_by_test_id("progress").inner_text() == progress
        page.reload()
        page.get_by_test_id("ai-chat").locator("summary").click()
        expect(page.locator(".ai-chat-user")).to_have_text("What should I look at?")
    finally:
        server.close()
