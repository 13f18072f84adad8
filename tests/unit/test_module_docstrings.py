"""Module docstrings that list endpoints keep up with the routes the module registers."""

from __future__ import annotations

from potato_like.web import admin


def test_admin_module_docstring_names_every_route_it_registers(make_project):
    app = make_project(items=1)
    doc = admin.__doc__.lower().replace("_", " ")
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert rules
    for rule in rules:
        last = rule.rule.rstrip("/").rsplit("/", 1)[-1].replace("_", " ")
        assert last in doc, f"{rule.rule} is not described in web/admin.py's docstring"
    assert "come later" not in doc  # the dashboard and analytics exist (other modules)
