"""docs/compatibility.md, generated: Potato's annotation types, top-level config keys and HTTP
endpoints, each with its state here.

Potato's side is potato_reference.yaml (names only, read from a Potato release by
bench/potato_reference.py). This side comes from the registries: the annotation type registry
(schemes.registry), the config key lists (config.compat) and the Flask url_map of an app built
on the quick start (configs/quickstart.yaml), so the page cannot drift from the code.

    python -m potato_like.compat_report            # rewrite docs/compatibility.md
    python -m potato_like.compat_report --check    # exit 1 when the page is not current

Both need a checkout (the page and the quick start live there).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import PACKAGE, ROOT

REFERENCE = PACKAGE / "potato_reference.yaml"
PAGE = ROOT / "docs" / "compatibility.md"
QUICKSTART = ROOT / "configs" / "quickstart.yaml"

DONE = "done"
IGNORED = "accepted and ignored"
MISSING = "missing"


@dataclass(frozen=True)
class Ours:
    """What this project has, from its registries."""

    types: frozenset[str]
    keys: frozenset[str]  # read and served
    aliases: dict[str, str | None]  # Potato spelling -> our key (None: handled specially)
    later: frozenset[str]  # accepted with a warning, not served
    routes: frozenset[str]  # "METHOD /path" with parameters written as {}


def load_reference(path: Path = REFERENCE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def normalise_route(entry: str) -> str:
    """'GET /api/spans/<path:instance_id>' -> 'GET /api/spans/{}' (names differ, shape counts)."""
    return re.sub(r"<[^<>]+>|\{[^{}]+\}", "{}", entry)


def app_routes() -> frozenset[str]:
    """Every route of the app, built on the quick start in a throwaway output directory."""
    from . import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(str(QUICKSTART), output_annotation_dir=tmp)
        try:
            routes = set()
            for rule in app.url_map.iter_rules():
                if rule.endpoint == "static":
                    continue
                for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                    routes.add(normalise_route(f"{method} {rule.rule}"))
        finally:
            app.extensions["potato_like"].close()
    return frozenset(routes)


def collect_ours() -> Ours:
    from .config import compat
    from .schemes.registry import type_names

    return Ours(
        types=frozenset(type_names()),
        keys=frozenset(compat.IMPLEMENTED) - set(compat.ALIASES),
        aliases=dict(compat.ALIASES),
        later=frozenset(compat.LATER),
        routes=app_routes(),
    )


def type_state(name: str, ours: Ours) -> str:
    return DONE if name in ours.types else MISSING


def key_state(key: str, ours: Ours) -> str:
    if key in ours.keys:
        return DONE
    if key in ours.aliases:
        target = ours.aliases[key]
        return f"{DONE} (read as `{target}`)" if target else DONE
    if key in ours.later:
        return f"{IGNORED} (with a warning)"
    return f"{MISSING} (loads with an unknown-key warning)"


def route_state(entry: str, ours: Ours) -> str:
    return DONE if normalise_route(entry) in ours.routes else MISSING


def _count(states: list[str]) -> tuple[int, int, int]:
    return (
        sum(s.startswith(DONE) for s in states),
        sum(s.startswith(IGNORED) for s in states),
        sum(s.startswith(MISSING) for s in states),
    )


def _table(header: str, rows: list[tuple[str, str]]) -> list[str]:
    out = [f"| {header} | state |", "| --- | --- |"]
    out += [f"| `{name}` | {state} |" for name, state in rows]
    return [*out, ""]


def summary(reference: dict[str, Any], ours: Ours) -> str:
    """The figures README quotes, as one phrase (tests/unit/test_compat_report.py checks that
    README carries it)."""
    version = reference["potato_version"]
    types = _count([type_state(t, ours) for t in reference["annotation_types"]])
    keys = _count([key_state(k, ours) for k in reference["config_keys"]])
    entries = [e for entries in reference["endpoints"].values() for e in entries]
    routes = _count([route_state(e, ours) for e in entries])
    examples = reference["example_configs"]
    return (
        f"{types[0]} of Potato {version}'s {len(reference['annotation_types'])} annotation "
        f"types, {keys[0]} of its {len(reference['config_keys'])} top-level config keys "
        f"({keys[1]} more are accepted with a warning) and {routes[0]} of its {len(entries)} "
        f"HTTP endpoints are served here; {examples['passed']} of the {examples['total']} "
        "example configs in Potato's repository pass `python run.py check`"
    )


def render(reference: dict[str, Any], ours: Ours) -> str:
    version = reference["potato_version"]
    types = [(t, type_state(t, ours)) for t in reference["annotation_types"]]
    keys = [(k, key_state(k, ours)) for k in reference["config_keys"]]
    endpoints = {
        module: [(e, route_state(e, ours)) for e in entries]
        for module, entries in reference["endpoints"].items()
    }
    all_endpoints = [row for rows in endpoints.values() for row in rows]
    examples = reference.get("example_configs") or {}

    lines = [
        "# Compatibility with Potato",
        "",
        "<!-- Generated by `python -m potato_like.compat_report`; do not edit by hand. -->",
        "",
        f"What of Potato {version} works here: every annotation type, every top-level config "
        "key (the family of keys nested under it comes with it) and every HTTP endpoint of "
        f"Potato {version}, with its state. Potato's names come from "
        "[`potato_like/potato_reference.yaml`](../potato_like/potato_reference.yaml) "
        f"({reference['source']}; refreshed with `bench/potato_reference.py`); ours come from "
        "the annotation type registry, the config key lists (`potato_like/config/compat.py`) "
        "and the app's URL map. `tests/unit/test_compat_report.py` fails when this page is "
        "stale.",
        "",
        "- **done**: served here. A done config key may not take every option Potato nests "
        "under it; [config.md](config.md) lists the ones read.",
        "- **accepted and ignored**: a config that uses it loads, with a warning saying it is "
        "not served yet.",
        "- **missing**: an annotation type that is missing is refused (the config does not "
        "load); a missing config key loads with an unknown-key warning; a missing endpoint is "
        "not served (404 or 405).",
        "",
        "| | Potato has | done | accepted and ignored | missing |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for label, rows in (
        ("annotation types", types),
        ("top-level config keys", keys),
        ("HTTP endpoints", all_endpoints),
    ):
        done, ignored, missing = _count([s for _, s in rows])
        lines.append(f"| {label} | {len(rows)} | {done} | {ignored} | {missing} |")
    lines.append("")
    if examples:
        lines += [
            f"Potato's example configs: **{examples['passed']} of {examples['total']}** pass "
            f"`python run.py check` (`bench/potato_examples.py`, Potato commit "
            f"`{examples['potato_commit'][:10]}`, measured at `{examples['measured_at']}`).",
            "",
        ]

    lines += ["## Annotation types", ""]
    lines += _table("annotation_type", types)
    lines += ["## Top-level config keys", ""]
    lines += _table("key", keys)
    lines += [
        "## HTTP endpoints",
        "",
        "Grouped by the Potato module that declares them. A path parameter matches whatever "
        "its name (`{}`).",
        "",
    ]
    for module, rows in endpoints.items():
        done, _, _ = _count([s for _, s in rows])
        lines += [f"### `{module}` ({done} of {len(rows)} done)", ""]
        lines += _table("endpoint", rows)

    potato_types = set(reference["annotation_types"])
    potato_keys = set(reference["config_keys"])
    potato_routes = {normalise_route(e) for e in (e for e, _ in all_endpoints)}
    only_types = sorted(ours.types - potato_types)
    only_keys = sorted((ours.keys | set(ours.aliases)) - potato_keys)
    only_later = sorted(ours.later - potato_keys)
    only_routes = sorted(ours.routes - potato_routes)
    lines += [
        "## Only here",
        "",
        f"Registry entries of this project that Potato {version} does not have.",
        "",
        "- Annotation types: " + (", ".join(f"`{t}`" for t in only_types) or "none"),
        "- Config keys read here: " + (", ".join(f"`{k}`" for k in only_keys) or "none"),
        f"- Config keys accepted and ignored that Potato {version}'s key list does not name: "
        + (", ".join(f"`{k}`" for k in only_later) or "none"),
        "- Endpoints: " + (", ".join(f"`{r}`" for r in only_routes) or "none"),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m potato_like.compat_report", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--out", type=Path, default=PAGE)
    args = parser.parse_args(argv)
    if not QUICKSTART.is_file():
        print(f"{QUICKSTART} is missing: run this in a checkout", file=sys.stderr)
        return 2
    reference, ours = load_reference(), collect_ours()
    page = render(reference, ours)
    readme = _readme_with_figures(summary(reference, ours))
    if args.check:
        if readme is not None and readme != README.read_text(encoding="utf-8"):
            print(
                f"{README}'s compatibility figures are stale: run "
                "`python -m potato_like.compat_report`",
                file=sys.stderr,
            )
            return 1
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != page:
            print(
                f"{args.out} is stale: run `python -m potato_like.compat_report`",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out} is current")
        return 0
    args.out.write_text(page, encoding="utf-8")
    print(f"wrote {args.out}")
    if readme is not None:
        README.write_text(readme, encoding="utf-8")
    return 0


# README quotes the summary sentence; the page's generator keeps it current too.
README = PAGE.parent.parent / "README.md"
_FIGURES = re.compile(
    r"\d+ of Potato\s+[\d.]+'s\s+\d+\s+annotation\s+types.*?pass\s+`python run\.py check`", re.S
)


def _readme_with_figures(sentence: str) -> str | None:
    """README with its figures sentence replaced (None when README or the sentence is absent)."""
    if not README.is_file():
        return None
    text = README.read_text(encoding="utf-8")
    return _FIGURES.sub(lambda m: _rewrap(m.group(0), sentence), text, count=1)


def _rewrap(old: str, new: str) -> str:
    """Put `new` where `old` was, breaking its lines where the old sentence broke them
    (the same number of words per line, the rest on the last line)."""
    lines = old.split("\n")
    words = new.split()
    out = []
    for line in lines[:-1]:
        n = len(line.split())
        out.append(" ".join(words[:n]) + ("" if line == line.rstrip() else " "))
        words = words[n:]
    out.append(" ".join(words))
    prefix = [len(line) - len(line.lstrip()) for line in lines]
    pairs = enumerate(zip(prefix, out, strict=True))
    return "\n".join(" " * p + o.lstrip() if i else o for i, (p, o) in pairs)


if __name__ == "__main__":
    sys.exit(main())
