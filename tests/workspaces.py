"""Workspace directories for tests: DIR/workspace.yaml and DIR/projects/<slug>/config.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .conftest import base_config, write_items

KEY = "pl_" + "a" * 43  # admin scope, every project
READ_KEY = "pl_" + "r" * 43  # read scope only
A_KEY = "pl_" + "p" * 43  # admin scope, restricted to project "alpha"
BOOTSTRAP_KEYS = [
    {"name": "admin", "key": KEY, "scopes": ["admin"]},
    {"name": "reader", "key": READ_KEY, "scopes": ["read"]},
    {"name": "alpha admin", "key": A_KEY, "scopes": ["admin"], "project": "alpha"},
]
ROOT_ADMIN = {"X-API-Key": KEY}


def write_project(root: Path, slug: str, items: int = 3, **overrides: Any) -> Path:
    directory = root / "projects" / slug
    directory.mkdir(parents=True)
    write_items(directory / "data.jsonl", items, prefix=slug)
    config = base_config(annotation_task_name=f"Project {slug}", **overrides)
    (directory / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return directory


def write_workspace(
    root: Path, projects: tuple[str, ...] = ("alpha", "beta"), **workspace: Any
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "projects").mkdir(exist_ok=True)
    settings = {"api_keys": BOOTSTRAP_KEYS, **workspace}
    (root / "workspace.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    for slug in projects:
        write_project(root, slug)
    return root
