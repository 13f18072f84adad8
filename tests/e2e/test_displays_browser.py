"""Item displays in a real Chromium: a page with every display type runs under the
Content-Security-Policy without violations, media elements load from the project directory
(with Range requests), sizes from the config are applied through the CSSOM, images zoom."""

from __future__ import annotations

import io
import json
import wave
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from potato_like import create_app

from ..conftest import base_config, write_config
from .test_annotate_browser import _fast_timeouts, expect_item  # noqa: F401
from .test_csp_browser import PNG
from .test_csp_browser import violations as violations

pytestmark = pytest.mark.e2e


def pdf_bytes() -> bytes:
    """A valid one-page PDF (offsets computed)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x01" * int(seconds * rate))
    return buffer.getvalue()


ROW = {
    "id": "d1",
    "text": "A short review.\nSecond line.",
    "html": "<p>Rich <b>text</b> <img src='pics/a.png' alt='inline'></p>",
    "img": "pics/a.png",
    "vid": "https://videos.example.org/v.mp4",
    "aud": "media/a.wav",
    "code": "print('hi')\nprint('there')",
    "conv": ["Alice: hello", "Bob: hi there"],
    "pair": {"left": "Answer A", "right": "Answer B"},
    "gal": [{"url": "pics/a.png", "caption": "one"}, "https://pictures.example.org/b.png"],
    "table": [{"name": "x", "score": 1}, {"name": "y", "score": 2}],
    "doc": "# Title\n\nSome *markdown* text.",
    "paper": "docs/paper.pdf",
    "tree": {
        "id": "r",
        "speaker": "User",
        "text": "Q?",
        "children": [{"speaker": "Bot", "text": "A."}],
    },
    "spoken": {
        "audio": "media/a.wav",
        "turns": [
            {"speaker": "host", "start": 0.0, "end": 0.2, "text": "First."},
            {"speaker": "guest", "start": 0.2, "end": 0.5, "text": "Second."},
        ],
    },
    "talk": [
        {"speaker": "Planner", "text": "Plan."},
        {"speaker": "Critic", "text": "Flawed.", "addressee": "Planner"},
        {"speaker": "Planner", "text": "Revised."},
    ],
}
DISPLAY = {
    "layout": {"direction": "vertical", "gap": 16},
    "fields": [
        {"key": "text", "type": "text", "label": "Review"},
        {"key": "html", "type": "html"},
        {"key": "img", "type": "image", "display_options": {"max_width": 120}},
        {"key": "vid", "type": "video", "display_options": {"max_width": 320}},
        {"key": "aud", "type": "audio"},
        {"key": "code", "type": "code", "display_options": {"language": "python"}},
        {"key": "conv", "type": "dialogue"},
        {"key": "pair", "type": "pairwise"},
        {"key": "gal", "type": "gallery"},
        {"key": "table", "type": "spreadsheet"},
        {"key": "doc", "type": "document"},
        {"key": "paper", "type": "pdf", "display_options": {"max_height": 300}},
        {"key": "tree", "type": "conversation_tree"},
        {"key": "talk", "type": "multi_agent_discussion"},
        {
            "key": "spoken",
            "type": "audio_dialogue",
            "display_options": {"speakers": [{"id": "host", "name": "Host", "color": "#7c3aed"}]},
        },
    ],
}


@pytest.fixture
def display_server(tmp_path: Path, serve_app) -> str:
    project = tmp_path / "project"
    (project / "pics").mkdir(parents=True)
    (project / "media").mkdir()
    (project / "docs").mkdir()
    (project / "docs" / "paper.pdf").write_bytes(pdf_bytes())
    (project / "pics" / "a.png").write_bytes(PNG)
    (project / "media" / "a.wav").write_bytes(wav_bytes())
    (project / "data.jsonl").write_text(json.dumps(ROW) + "\n")
    config = base_config(instance_display=DISPLAY, assignment_strategy="fixed_order")
    return serve_app(create_app(write_config(project, config)))


def test_every_display_type_renders_under_the_policy(
    page: Page, display_server: str, violations: list[str]
) -> None:
    page.route(
        "https://videos.example.org/**",
        lambda r: r.fulfill(status=404, body=b"", content_type="video/mp4"),
    )
    page.goto(display_server + "/login")
    page.get_by_label("Username").fill("viewer")
    page.get_by_role("button", name="Log in").click()
    expect_item(page, "1 of 1")

    fields = page.get_by_test_id("display-fields")
    expect(fields.locator("[data-display-type]")).to_have_count(15)
    expect(fields.locator(".display-text")).to_have_text("A short review.\nSecond line.")
    expect(fields.locator(".display-html b")).to_have_text("text")

    # Media elements are present and local files load through the project file route.
    image = fields.locator("img.display-image").first
    expect(image).to_have_attribute("src", "/project_files/pics/a.png")
    page.wait_for_function("() => document.querySelector('img.display-image').naturalWidth === 1")
    expect(fields.locator("video.display-video")).to_have_attribute(
        "src", "https://videos.example.org/v.mp4"
    )
    audio = fields.locator("[data-field-key=aud] audio")
    expect(audio).to_have_attribute("src", "/project_files/media/a.wav")
    page.wait_for_function(
        "() => document.querySelector('[data-field-key=aud] audio').readyState >= 1"
    )
    assert 0.4 < audio.evaluate("a => a.duration") < 0.6
    assert fields.locator(".display-gallery img").count() == 2
    expect(fields.locator("[data-field-key=conv] .turn-speaker")).to_have_text(["Alice", "Bob"])
    expect(fields.locator(".pairwise-label")).to_have_text(["A", "B"])
    expect(fields.locator(".display-table th")).to_have_text(["name", "score"])
    expect(fields.locator(".display-document h1")).to_have_text("Title")
    pdf = fields.locator("iframe.display-pdf")
    expect(pdf).to_have_attribute("src", "/project_files/docs/paper.pdf")
    assert pdf.evaluate("n => n.style.height") == "300px"
    # A legend chip hides and shows its agent's turns (static script).
    talk = fields.locator(".display-discussion")
    expect(talk.locator(".turn:visible")).to_have_count(3)
    talk.get_by_role("button", name="Planner").click()
    expect(talk.locator(".turn:visible")).to_have_count(1)
    talk.get_by_role("button", name="Planner").click()
    expect(talk.locator(".turn:visible")).to_have_count(3)
    expect(fields.locator(".display-tree .turn-text")).to_have_text(["Q?", "A."])

    # audio_dialogue: the roster colour is set through the CSSOM; a turn's button seeks there.
    spoken = fields.locator("[data-audio-dialogue]")
    first = spoken.locator(".ad-turn").first
    assert first.evaluate("n => n.style.getPropertyValue('--speaker')") == "#7c3aed"
    page.wait_for_function(
        "() => document.querySelector('[data-audio-dialogue] audio').readyState >= 1"
    )
    spoken.locator(".ad-turn").nth(1).locator(".ad-play").click()
    page.wait_for_function(
        "() => document.querySelector('[data-audio-dialogue] audio').currentTime >= 0.2"
    )

    # The PDF's response lets this page frame it: were it refused (frame-ancestors), the
    # refusal would be among the violations checked at the end.

    # Sizes from the config arrive through data attributes and the CSSOM.
    assert image.evaluate("n => n.style.maxWidth") == "120px"
    assert fields.evaluate("n => n.style.gap") == "16px"

    # The image zooms on click (static script, no inline handler).
    image.click()
    expect(image).to_have_class("display-image zoomable zoomed")

    # Keyboard answering still works with displays on the page.
    page.keyboard.press("1")
    expect(page.get_by_test_id("save-state")).to_have_text("Saved")

    assert violations == []
