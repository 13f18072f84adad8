"""Time the annotation page of one long agent trace: the server render (Flask test client)
and, with Chromium, the time until the page is interactive (steps.js has read every step
row: the "n of N steps answered" line is filled, and a key press is handled).

    python bench/trace_render.py [--steps 2000] [--repeat 5] [--no-browser]

Browser figures: `interactive` is measured by the script around the navigation (as before);
`page_*` come from the page's own clock (Navigation Timing, ms after the navigation
started): first byte, HTML received, DOMContentLoaded, and the frame in which the step
count was filled. `elements` counts the page's elements once interactive (windowing keeps
it small). Set POTATO_LIKE_ROOT to time another checkout's code with this script.

The item carries `--steps` steps (thought/action/observation, ~120 characters each) shown
by `agent_trace` and answered per step by a `process_reward` scheme. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(
    0, os.environ.get("POTATO_LIKE_ROOT") or str(Path(__file__).resolve().parent.parent)
)

from potato_like import create_app

KINDS = ("Agent (Thought)", "Agent (Action)", "Environment")


def make_project(root: Path, steps: int, display: str) -> Path:
    trace = [
        {"speaker": KINDS[i % 3], "text": f"Step {i}: " + "lorem ipsum dolor sit amet " * 4}
        for i in range(steps)
    ]
    (root / "data.jsonl").write_text(json.dumps({"id": "long", "text": "t", "trace": trace}))
    config = {
        "annotation_task_name": "bench",
        "task_dir": ".",
        "output_annotation_dir": "out/",
        "data_files": ["data.jsonl"],
        "item_properties": {"id_key": "id", "text_key": "text"},
        "require_password": False,
        "instance_display": {"fields": [{"key": "trace", "type": display}]},
        "annotation_schemes": [
            {
                "annotation_type": "process_reward",
                "name": "prm",
                "steps_key": "trace",
                "step_text_key": "text",
                "mode": "per_step",
            }
        ],
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def server_times(app, repeat: int) -> dict:
    client = app.test_client()
    client.post("/auth", data={"username": "bench", "password": ""})
    times, size = [], 0
    for _ in range(repeat + 1):
        start = time.perf_counter()
        body = client.get("/annotate").data
        times.append(time.perf_counter() - start)
        size = len(body)
    times = times[1:]  # the first request warms the template cache
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "page_bytes": size,
    }


FILLED = """(() => {
  const count = document.querySelector(".step-count");
  if (!count || !count.textContent) return false;
  window.__filled = performance.now();
  return true;
})()"""
MARKS = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    first_byte: nav.responseStart, html_received: nav.responseEnd,
    dom_content_loaded: nav.domContentLoadedEventEnd, filled: window.__filled,
    elements: document.getElementsByTagName("*").length,
    rows: document.querySelectorAll(".step-row").length,
    cards: document.querySelectorAll(".trace-step").length,
  };
}"""


def browser_times(app, repeat: int) -> dict | None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        return None
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    times, marks = [], []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(base + "/login")
            page.get_by_label("Username").fill("browser")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_selector(".step-count:not(:empty)", timeout=120_000)
            for _ in range(repeat):
                start = time.perf_counter()
                page.goto(base + "/annotate", timeout=120_000)
                page.wait_for_function(FILLED, polling="raf", timeout=120_000)
                page.keyboard.press("Tab")  # the page answers input
                times.append(time.perf_counter() - start)
                marks.append(page.evaluate(MARKS))
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    out = {
        "interactive_median_ms": round(statistics.median(times) * 1000, 1),
        "interactive_max_ms": round(max(times) * 1000, 1),
    }
    for key in ("first_byte", "html_received", "dom_content_loaded", "filled"):
        out[f"page_{key}_median_ms"] = round(statistics.median(m[key] for m in marks), 1)
    out["elements"] = marks[-1]["elements"]
    out["step_rows_in_page"] = marks[-1]["rows"]
    out["trace_cards_in_page"] = marks[-1]["cards"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--display", default="agent_trace")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trace-bench-") as tmp:
        app = create_app(make_project(Path(tmp), args.steps, args.display))
        try:
            out = {
                "steps": args.steps,
                "display": args.display,
                "server": server_times(app, args.repeat),
            }
            if not args.no_browser:
                out["browser"] = browser_times(app, args.repeat)
        finally:
            app.extensions["potato_like"].close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
