"""docs/schemes.md: its generated list of annotation types is current and has every
registered type with every one of its config keys; stale pages are caught."""

from __future__ import annotations

import re

from potato_like.schemes import catalog
from potato_like.schemes.registry import scheme_class, type_names


def test_the_generated_list_is_current():
    page = catalog.PAGE.read_text(encoding="utf-8")
    assert page == catalog.render(page), "run: python -m potato_like.schemes.catalog"
    assert catalog.main(["--check"]) == 0


def test_every_registered_type_has_an_entry_with_its_keys():
    page = catalog.PAGE.read_text(encoding="utf-8")
    generated = page.split(catalog.BEGIN, 1)[1].split(catalog.END, 1)[0]
    for name in type_names():
        match = re.search(rf"^### `{re.escape(name)}`\n(.*?)(?=^### |\Z)", generated, re.M | re.S)
        assert match, f"docs/schemes.md has no entry for {name}"
        for key in scheme_class(name).option_keys:
            assert f"`{key}`" in match.group(1), f"{name}: key {key} is not listed"


def test_check_fails_on_a_stale_page(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "schemes.md"
    stale.write_text(f"intro\n{catalog.BEGIN}\n### `gone`\n{catalog.END}\n", encoding="utf-8")
    monkeypatch.setattr(catalog, "PAGE", stale)
    assert catalog.main(["--check"]) == 1
    assert "not current" in capsys.readouterr().out
    assert catalog.main([]) == 0  # rewrites it
    assert "`gone`" not in stale.read_text() and "### `radio`" in stale.read_text()
    assert stale.read_text().startswith("intro\n")
