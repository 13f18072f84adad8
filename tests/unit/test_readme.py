"""README claims only what is true: every test or benchmark it names exists, and the
compatibility figures it quotes are the ones the registries give today."""

from __future__ import annotations

import re

from potato_like import compat_report
from tests.conftest import REPO

README = REPO / "README.md"


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """(file, test or None) for each `tests/...py[::name]` or `::name` (same file as before)."""
    out, current = [], None
    for ref in re.findall(r"`((?:tests|bench)/[\w/.-]+|::\w+)(::\w+)?`", text):
        path, name = ref
        if path.startswith("::"):
            path, name = current, path
        current = path
        out.append((path, name[2:] if name else None))
    return out


def test_named_tests_parses_continuations():
    text = "`tests/a.py::test_x`, `::test_y` and `bench/b.py`"
    assert named_tests(text) == [
        ("tests/a.py", "test_x"),
        ("tests/a.py", "test_y"),
        ("bench/b.py", None),
    ]


def test_every_test_and_benchmark_readme_names_exists():
    text = README.read_text(encoding="utf-8")
    refs = named_tests(text)
    assert len(refs) > 30
    missing = []
    for path, name in refs:
        file = REPO / path
        if not file.exists():
            missing.append(path)
        elif name and not re.search(rf"^def {name}\(", file.read_text("utf-8"), re.M):
            missing.append(f"{path}::{name}")
    assert not missing, f"README names tests that do not exist: {missing}"


def test_readme_quotes_the_current_compatibility_figures():
    text = " ".join(README.read_text(encoding="utf-8").split())
    ours = compat_report.collect_ours()
    figures = compat_report.summary(compat_report.load_reference(), ours)
    assert figures in text, f"README should say: {figures}"
