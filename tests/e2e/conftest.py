"""Real-browser fixtures: Debian's Chromium driven by pytest-playwright, and a live server.

`live_server(items=5, schemes=None, **config_overrides)` writes a project into tmp_path with
the helpers of tests/conftest.py, builds the app with `create_app(config_path)` and serves it
with werkzeug on a free loopback port in a daemon thread. It returns the base URL.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from potato_like import create_app

from ..conftest import base_config, write_config, write_items

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",  # required when running as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium (`playwright install` cannot download browsers here)."""
    if not Path(CHROMIUM).is_file():
        pytest.skip(
            "e2e: no Chromium binary (looked for `chromium` on PATH and /usr/bin/chromium); "
            "install it with `apt-get install -y chromium`"
        )
    args = [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture
def serve_app() -> Iterator[Callable[[Any], str]]:
    """serve_app(app) -> base URL: serves a built app with werkzeug on a free loopback port in
    a daemon thread; every app served is stopped and its project closed after the test."""
    running: list[tuple[Any, threading.Thread, Any]] = []

    def serve(app: Any) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
        thread.start()
        running.append((server, thread, app))
        return f"http://127.0.0.1:{server.server_port}"

    yield serve
    for server, thread, app in running:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
        app.extensions["potato_like"].close()


@pytest.fixture
def live_server(tmp_path: Path, serve_app) -> Callable[..., str]:
    """live_server(items=5, schemes=None, **config_overrides) -> base URL of a served project."""
    count = iter(range(1_000))

    def start(items: int = 5, schemes: list[dict] | None = None, **overrides: Any) -> str:
        project_dir = tmp_path / f"project{next(count)}"
        project_dir.mkdir()
        write_items(project_dir / "data.jsonl", items)
        config = base_config(assignment_strategy="fixed_order", **overrides)
        if schemes is not None:
            config["annotation_schemes"] = schemes
        return serve_app(create_app(write_config(project_dir, config)))

    return start


def tab_to(page: Any, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
