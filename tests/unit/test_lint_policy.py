"""Lint rules the project relies on for safety stay switched on."""

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[2]


def test_sql_built_from_strings_is_linted_in_product_code():
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert "S608" not in lint.get("ignore", [])
    for pattern, rules in lint.get("per-file-ignores", {}).items():
        if pattern.startswith("potato_like"):
            assert "S608" not in rules, pattern
