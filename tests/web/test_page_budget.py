"""The quick start's annotation page stays light (issue 21): under 60 KB of HTML, CSS and
JS together, counted uncompressed, every file the page links included."""

from __future__ import annotations

import re
import shutil

from potato_like import create_app
from tests.conftest import REPO, register

BUDGET_BYTES = 60 * 1024


def test_quick_start_page_with_its_css_and_js_is_under_60_kb(tmp_path):
    work = tmp_path / "configs"
    shutil.copytree(REPO / "configs", work, ignore=shutil.ignore_patterns("quickstart_output"))
    app = create_app(str(work / "quickstart.yaml"))
    try:
        client = register(app.test_client(), "reader")
        page = client.get("/annotate")
        assert page.status_code == 200
        html = page.get_data()
        linked = re.findall(rb'(?:src|href)="(/[^"]+\.(?:css|js)(?:\?[^"]*)?)"', html)
        assert any(b"annotate.js" in link for link in linked), linked
        sizes = {"page": len(html)}
        for link in linked:
            response = client.get(link.decode())
            assert response.status_code == 200, link
            sizes[link.decode()] = len(response.get_data())
    finally:
        app.extensions["potato_like"].close()
    total = sum(sizes.values())
    assert total < BUDGET_BYTES, f"{total} bytes: {sizes}"
