"""Refresh potato_like/potato_reference.yaml: the names of Potato's annotation types, top-level
config keys and HTTP endpoints, read from a Potato source tree (an unpacked release wheel or a
checkout). docs/compatibility.md is generated from that file (python -m
potato_like.compat_report).

Only names are recorded. The source is parsed (ast), never imported, so Potato's own
dependencies are not needed:
- types: the `name=` of each schema definition in potato/server_utils/schemas/registry.py;
- config keys: the top-level keys of KNOWN_CONFIG_KEYS in server_utils/config_module.py
  (Potato's unknown-key check), without internal `_`-prefixed ones;
- endpoints: every `.route(...)` decorator and `.add_url_rule(...)` call whose path is a
  literal, joined to its blueprint's literal `url_prefix`; methods default to GET.

    pip download potato-annotation --no-deps -d /tmp/potato && unzip -q -d /tmp/potato/src \
        /tmp/potato/potato_annotation-*.whl
    python bench/potato_reference.py /tmp/potato/src --version 2.12.1
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent.parent / "potato_like" / "potato_reference.yaml"


def annotation_types(pkg: Path) -> list[str]:
    tree = ast.parse((pkg / "server_utils" / "schemas" / "registry.py").read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "SchemaDefinition":
            for kw in node.keywords:
                if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                    names.add(kw.value.value)
    return sorted(names)


def config_keys(pkg: Path) -> list[str]:
    tree = ast.parse((pkg / "server_utils" / "config_module.py").read_text("utf-8"))
    for node in tree.body:
        targets = getattr(node, "targets", [])
        if any(getattr(t, "id", "") == "KNOWN_CONFIG_KEYS" for t in targets):
            keys = [k.value for k in node.value.keys if isinstance(k, ast.Constant)]
            return sorted(k for k in keys if isinstance(k, str) and not k.startswith("_"))
    raise SystemExit("KNOWN_CONFIG_KEYS not found in config_module.py")


def _methods(call: ast.Call) -> list[str]:
    for kw in call.keywords:
        if kw.arg == "methods" and isinstance(kw.value, (ast.List, ast.Tuple)):
            return [e.value for e in kw.value.elts if isinstance(e, ast.Constant)]
    return ["GET"]


def _prefixes(tree: ast.AST) -> dict[str, str]:
    """Blueprint variable -> its literal url_prefix."""
    out = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", "") == "Blueprint"
        ):
            prefix = next(
                (
                    kw.value.value
                    for kw in node.value.keywords
                    if kw.arg == "url_prefix" and isinstance(kw.value, ast.Constant)
                ),
                "",
            )
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = prefix
    return out


def endpoints(pkg: Path) -> dict[str, list[str]]:
    """Potato module (its path, without .py) -> sorted "METHOD /path" entries."""
    out: dict[str, set[str]] = {}
    for path in sorted(pkg.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        prefixes = _prefixes(tree)
        module = str(path.relative_to(pkg.parent).with_suffix(""))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in ("route", "add_url_rule") or not node.args:
                continue
            rule = node.args[0]
            if not isinstance(rule, ast.Constant) or not isinstance(rule.value, str):
                continue
            owner = getattr(node.func.value, "id", "")
            full = prefixes.get(owner, "") + rule.value
            for method in _methods(node):
                out.setdefault(module, set()).add(f"{method.upper()} {full}")
    return {module: sorted(entries) for module, entries in sorted(out.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="directory holding Potato's `potato` package")
    parser.add_argument("--version", required=True, help="the Potato release read")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    pkg = args.source / "potato"
    previous = yaml.safe_load(args.out.read_text("utf-8")) if args.out.exists() else {}
    reference = {
        "potato_version": args.version,
        "source": f"potato-annotation {args.version} (PyPI wheel), names only",
        # Measured by bench/potato_examples.py; kept from the previous file.
        "example_configs": previous.get("example_configs"),
        "annotation_types": annotation_types(pkg),
        "config_keys": config_keys(pkg),
        "endpoints": endpoints(pkg),
    }
    header = (
        "# Names of Potato's annotation types, top-level config keys and HTTP endpoints.\n"
        "# Written by bench/potato_reference.py; docs/compatibility.md is generated from it.\n"
    )
    args.out.write_text(header + yaml.safe_dump(reference, sort_keys=False), "utf-8")
    total = sum(len(v) for v in reference["endpoints"].values())
    print(
        f"{len(reference['annotation_types'])} types, {len(reference['config_keys'])} keys, "
        f"{total} endpoints -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
