"""What the embedding map's data endpoint answers, one page of points at a time: each
stored point with its item id, a text excerpt, the label to colour it by (MACE's or the
majority's), who annotated it and how much they disagree. Only the page's items are read,
so a page costs the same at 1,000 and at 1,000,000 items."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from ..errors import BadRequest
from ..quality.mace_runs import CATEGORICAL_METRICS
from ..spans.colors import label_colors
from .map_runs import map_config

if TYPE_CHECKING:
    from ..project import Project

PREVIEW_CHARS = 160
UNLABELLED_COLOR = "#94a3b8"


def colour_scheme(project: Project, name: str | None) -> Any:
    """The scheme whose answers colour the points: `name`, else the first single-answer
    scheme with categorical answers (None when there is none)."""
    config = project.config
    if name:
        scheme = config.scheme(name)
        if scheme is None:
            raise BadRequest(f"unknown schema {name!r}; schemas: {', '.join(config.scheme_names)}")
        return scheme
    for scheme in config.schemes:
        if getattr(scheme, "agreement_metric", None) in CATEGORICAL_METRICS:
            return scheme
    return None


def _label(scheme: Any, raw: str) -> str | None:
    try:
        value = scheme.answer(json.loads(raw) or {})
    except (ValueError, TypeError, AttributeError):
        return None
    if value is None or isinstance(value, (list, dict)):
        return None
    return str(value)


def _mace_labels(project: Project, scheme: Any) -> dict[str, str]:
    for result in project.store.gold.mace_results():
        if result["key"] == scheme.name:
            return result["predicted_labels"]
    return {}


def map_page(
    project: Project, run: Any, after: int, limit: int, schema: str | None
) -> dict[str, Any]:
    store, cfg = project.store, map_config(project)
    scheme = colour_scheme(project, schema)
    points = store.embed_map.page(run.version, after, limit)
    seqs = [p.seq for p in points]
    answers = store.embed_map.answers(scheme.name, seqs) if scheme is not None else {}
    mace = (
        _mace_labels(project, scheme) if scheme is not None and cfg.label_source == "mace" else {}
    )
    decoded: dict[str, str | None] = {}  # few distinct answers: decode each once

    def label_of(raw: str) -> str | None:
        if raw not in decoded:
            decoded[raw] = _label(scheme, raw)
        return decoded[raw]

    out = []
    for p in points:
        given = answers.get(p.seq, [])
        labels = [lab for lab in (label_of(raw) for _u, raw in given) if lab is not None]
        counts = Counter(labels)
        majority = min(counts, key=lambda k: (-counts[k], k)) if counts else None
        label, source = (mace[p.item_id], "mace") if p.item_id in mace else (majority, "majority")
        out.append(
            {
                "instance_id": p.item_id,
                "x": round(p.x, 5),
                "y": round(p.y, 5),
                "label": label,
                "label_source": source if label is not None else None,
                "preview": _preview(p.text),
                "preview_type": "text",
                "annotated": bool(given),
                "annotation_count": len(given),
                "annotators": sorted({u for u, _raw in given}),
                # 1 - share of the most given label; None below two answers
                "disagreement": (
                    round(1 - counts[majority] / len(labels), 4) if len(labels) >= 2 else None
                ),
            }
        )
    colors = label_colors(project.config, scheme) if scheme is not None else {}
    return {
        "points": out,
        "labels": [*colors, None],
        "label_colors": {**colors, "null": UNLABELLED_COLOR},
        "schema": scheme.name if scheme is not None else None,
        "next_cursor": points[-1].seq if len(points) == limit else None,
    }


def _preview(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
