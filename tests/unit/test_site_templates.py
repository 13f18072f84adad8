"""Potato's page-template keys: what its examples use loads silently, anything else warns
and the built-in page serves."""

from __future__ import annotations

import pytest

from potato_like.config.validate import build_config
from tests.conftest import base_config


def cfg(tmp_path, **keys):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    return build_config(base_config(**keys), tmp_path)


def template_warnings(config):
    keys = ("site_dir", "site_file", "base_html_template", "header_file", "task_layout")
    return [w for w in config.warnings if w.startswith(keys)]


def test_what_potatos_examples_use_is_silent(tmp_path):
    config = cfg(
        tmp_path,
        site_dir="potato/templates/",
        site_file="templates/base_template_v2.html",
        base_html_template="default",
        header_file="default",
    )
    assert template_warnings(config) == []
    assert template_warnings(cfg(tmp_path, site_dir="default")) == []


@pytest.mark.parametrize(
    "key, value",
    [("site_dir", "my_templates"), ("site_file", "mine.html"), ("header_file", "h.html")],
)
def test_own_templates_warn_and_are_not_served(tmp_path, key, value):
    (warning,) = template_warnings(cfg(tmp_path, **{key: value}))
    assert warning.startswith(key) and "built-in annotation page" in warning
    assert "as Potato 2.x's own page does" in warning


def test_task_layout_missing_present_and_outside(tmp_path):
    (warning,) = template_warnings(cfg(tmp_path, task_layout="layouts/custom_task_layout.html"))
    assert "file not found" in warning
    (tmp_path / "layouts").mkdir()
    (tmp_path / "layouts" / "custom_task_layout.html").write_text("<div>{{ x }}</div><script>")
    config = cfg(tmp_path, task_layout="layouts/custom_task_layout.html")
    (warning,) = template_warnings(config)  # rendered (tests/web/test_task_layout.py)
    assert "does not place 'sentiment'" in warning
    assert config.task_layout.parts == (("<div>{{ x }}</div>", None, ""),)
    (warning,) = template_warnings(cfg(tmp_path, task_layout="../etc/passwd"))
    assert "outside the project directory" in warning
