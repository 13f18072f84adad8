"""Helpers for display tests: a project whose items carry display fields, and page parsing."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from tests.conftest import base_config, login, write_config


def display_app(open_app, project_dir: Path, rows: list[dict], display: Any, **overrides: Any):
    project_dir.mkdir(parents=True, exist_ok=True)
    with (project_dir / "data.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
    config = base_config(instance_display=display, assignment_strategy="fixed_order", **overrides)
    return open_app(write_config(project_dir, config))


def annotate_page(app, user: str = "ann") -> str:
    client = login(app.test_client(), user)
    response = client.get("/annotate")
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.elements


def section(html: str, key: str) -> str:
    """The markup of the display field showing data key `key`."""
    start = html.index(f'data-field-key="{key}"')
    return html[start : html.index("</section>", start)]


def assert_csp_clean(html: str) -> None:
    """No inline script, style element, style= attribute or on* handler anywhere."""
    for tag, attrs in elements(html):
        assert tag != "style", "a <style> element"
        if tag == "script":
            assert attrs.get("src") or attrs.get("type") == "application/json", attrs
        for name in attrs:
            assert name != "style" and not name.startswith("on"), (tag, attrs)
