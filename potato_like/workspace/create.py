"""Creating a project in a running workspace: a generated, commented `config.yaml` (a
person can edit it later) and a data file, checked like any project config, then started.

The new project is written into a hidden directory under projects/ and renamed into place
only once its config loads, so a bad request leaves nothing behind and a concurrent create
of the same slug finds it taken (409)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from flask import render_template

from ..errors import ConfigError, Conflict, NotFound
from .config import slug_problem
from .workspace import CONFIG_FILE

if TYPE_CHECKING:
    from ..project import Project
    from .workspace import Workspace

DEFAULT_SCHEMES = [
    {
        "annotation_type": "radio",
        "name": "label",
        "description": "Which label fits this item?",
        "labels": ["positive", "negative", "neutral"],
        "sequential_key_binding": True,
    }
]


class BadSlug(ConfigError):
    """The slug cannot name a project (422 with the problem)."""


def create_project(
    workspace: Workspace,
    slug: str,
    title: str,
    schemes: list[dict[str, Any]] | None = None,
    items: list[dict[str, Any]] | None = None,
    instructions: str | None = None,
) -> Project:
    """Write projects/<slug>/ and start it. ConfigError lists the config's problems (the
    slug's too); Conflict when the slug is taken."""
    if (problem := slug_problem(slug)) is not None:
        raise BadSlug([f"slug: {problem}"])
    target = workspace.config.projects_dir / slug
    if target.exists() or workspace.app_for(slug) is not None:
        raise Conflict(f"a project {slug!r} already exists")
    staging = Path(tempfile.mkdtemp(prefix=f".new-{slug}-", dir=workspace.config.projects_dir))
    try:
        _write(staging, workspace, title, schemes or DEFAULT_SCHEMES, items or [], instructions)
        workspace.load_project_config(slug, staging)  # every problem, before it is placed
        try:
            os.rename(staging, target)  # fails when the slug was taken meanwhile
        except OSError:
            raise Conflict(f"a project {slug!r} already exists") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    try:
        return workspace.start(slug).extensions["potato_like"]
    except ConfigError:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _write(directory: Path, workspace, title, schemes, items, instructions) -> None:
    def flow(value) -> str:
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)

    schemes_yaml = yaml.safe_dump(schemes, allow_unicode=True, sort_keys=False, indent=2)
    text = render_template(
        "workspace/project_config.yaml",
        title=title.replace("\n", " "),
        title_yaml=flow(title).strip().removesuffix("...").strip(),
        created=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        workspace_dir=workspace.config.root.name,
        schemes_yaml="\n".join("  " + line for line in schemes_yaml.splitlines()),
        instructions_yaml=flow(instructions).strip().removesuffix("...").strip()
        if instructions
        else "",
    )
    (directory / CONFIG_FILE).write_text(text + "\n", encoding="utf-8")
    data = directory / "data"
    data.mkdir()
    with (data / "items.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")


def require_project(workspace: Workspace, slug: str) -> Project:
    found = workspace.projects().get(slug)
    if found is None:
        raise NotFound(f"no project {slug!r}")
    return found
