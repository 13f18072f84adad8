"""Marks on exported answers that came from an accepted AI suggestion (ai_support), so
researchers can tell assisted answers apart (automation bias). Only projects with AI
assistance get the field (jsonl/json `ai_accepted`) and the column (csv/tsv `ai_accepted`)."""

from __future__ import annotations

import json
from typing import Any


def accepted_marks(project) -> dict[tuple[str, str], dict[str, Any]] | None:
    """{(item id, username): {schema: {provider, model, label, confidence}}}, or None when
    the project has no AI assistance (then exports are unchanged)."""
    if project.config.ai is None:
        return None
    from ..ai.service import records

    return records(project).accepted()


def cell(marks: dict | None, item_id: str, user: str) -> str:
    """The csv/tsv cell: the schemes whose answer was an accepted suggestion, as JSON."""
    found = (marks or {}).get((item_id, user))
    return json.dumps(sorted(found)) if found else ""
