"""`customjs`: off by default; a .js file inside the project directory, served at /project.js
to logged-in users with a warning at every start; never a remote script."""

from __future__ import annotations

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, write_config

from .display_util import assert_csp_clean

JS = "document.documentElement.dataset.projectScript = 'ran';\n"


def _config(tmp_path, **overrides):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    (tmp_path / "extra.js").write_text(JS)
    return write_config(tmp_path, base_config(**overrides))


def test_off_by_default(open_app, tmp_path):
    app = open_app(_config(tmp_path))
    client = login(app.test_client(), "ann")
    assert "project.js" not in client.get("/annotate").get_data(as_text=True)
    assert client.get("/project.js").status_code == 404


def test_a_project_file_is_served_with_a_warning(open_app, tmp_path):
    app = open_app(_config(tmp_path, customjs="extra.js"))
    warnings = app.extensions["potato_like"].config.warnings
    assert any(w.startswith("customjs: runs the project's JavaScript 'extra.js'") for w in warnings)
    client = app.test_client()
    assert client.get("/project.js").status_code == 401  # annotators only
    login(client, "ann")
    html = client.get("/annotate").get_data(as_text=True)
    assert '<script src="/project.js?v=' in html
    assert_csp_clean(html)
    response = client.get("/project.js")
    assert response.get_data(as_text=True) == JS
    assert response.mimetype == "text/javascript"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_potatos_remote_form_is_ignored_with_a_warning(tmp_path):
    config = load_config(_config(tmp_path, customjs=True, customjs_hostname="evil.example"))
    assert config.project_js is None
    assert any("never does" in w for w in config.warnings)


@pytest.mark.parametrize(
    "path", ["../x.js", "/etc/passwd", "https://evil.example/x.js", "extra.css", ".h.js", "no.js"]
)
def test_paths_outside_the_project_are_refused(tmp_path, path):
    (tmp_path / "extra.css").write_text("x")
    (tmp_path / ".h.js").write_text("x")
    with pytest.raises(ConfigError) as info:
        load_config(_config(tmp_path, customjs=path))
    assert "customjs" in str(info.value)
