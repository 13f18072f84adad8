"""Shared builders for the comparison-type tests (pairwise, ranking, multirate, bws)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import base_config, write_config

PAIRS = [{"id": f"p{i}", "text": [f"left {i}", f"right {i}"]} for i in range(1, 5)]
POOL = [{"id": f"s{i:02d}", "text": f"sentence {i}"} for i in range(1, 9)]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def comparison_app(tmp_path: Path, open_app, rows: list[dict], schemes: list[dict], **extra):
    write_jsonl(tmp_path / "data.jsonl", rows)
    config = base_config(annotation_schemes=schemes, **extra)
    return open_app(write_config(tmp_path, config))


def bws_scheme(**extra) -> dict:
    return {"annotation_type": "bws", "name": "intensity", "tuple_size": 4, **extra}


def bws_config(**extra) -> dict:
    return {"tuple_size": 4, "seed": 7, "min_item_appearances": 2, **extra}
