"""`GET /admin/api/agreement`: Krippendorff's alpha, Fleiss' and pairwise Cohen's kappa per
schema (seed 003 shape), from the aggregates the save keeps (quality/agreement_cells.py), so
the cost does not grow with the number of annotations. The result is cached per project for
a minute, keyed by the number of finished annotations."""

from __future__ import annotations

import importlib

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from ..project import Project, TtlCache
from ..store.agreement_rows import answers_for_agreement
from .security import admin_required, current_project

bp = Blueprint("admin_agreement", __name__)

CACHE_SECONDS = 60.0


@bp.get("/admin/api/agreement")
@admin_required
def agreement():
    project = current_project()
    schema = request.args.get("schema") or None
    names = project.config.scheme_names
    if schema is not None and schema not in names:
        raise BadRequest(f"unknown schema {schema!r}; schemas: {', '.join(names)}")
    return jsonify(agreement_report(project, schema))


def agreement_report(project: Project, schema: str | None = None) -> dict:
    """The agreement answer for the whole project or one scheme, cached (see _cache)."""
    from ..quality.agreement import project_agreement  # numpy: loaded on first use

    chosen = [schema] if schema else project.config.scheme_names
    return _cache(project).get(
        (_done(project), schema),
        lambda: project_agreement(
            project.config, {name: _source(project, name) for name in chosen}
        ),
    )


def confusion_report(project: Project, schema: str) -> dict:
    """Label-by-label coincidences of one label scheme (radio, select, likert), cached."""
    scheme = project.config.scheme(schema)
    return _cache(project).get(
        (_done(project), "confusion", schema), lambda: _source(project, schema).confusion(scheme)
    )


# Agreement measures computed from a scheme's stored rows alone: metric -> (module, class).
ROW_SOURCES = {
    "region_iou": ("..quality.image_agreement", "RegionSource"),
    "pair_scores": ("..quality.pair_agreement", "PairSource"),
    "steps": ("..quality.step_agreement", "StepSource"),
}


def _text_length(item, field: str | None) -> int:
    """The length of the text spans are on: the item text, or a multi-span target field."""
    if item is None:
        return 0
    if field is None:
        return len(item.text)
    value = item.fields.get(field)
    return len(str(value)) if value is not None else 0


def _source(project: Project, schema: str):
    """The schema's kept aggregates (store/aggregates.py), with the rows as the fallback."""
    from ..quality.agreement_cells import CellSource  # numpy: loaded on first use

    scheme = project.config.scheme(schema)
    if scheme is not None and scheme.agreement_metric == "unitizing":
        from ..quality.span_agreement import SpanSource

        items = project.store.items
        return SpanSource(
            rows=lambda: answers_for_agreement(project.store, schema),
            text_length=lambda seq, field: _text_length(items.by_seq(seq), field),
        )
    kind = "steps" if scheme is not None and scheme.step_level else None
    if scheme is not None and (found := ROW_SOURCES.get(kind or scheme.agreement_metric)):
        module, name = found  # numpy and friends: loaded on first use
        source = getattr(importlib.import_module(module, __package__), name)
        return source(rows=lambda: answers_for_agreement(project.store, schema))
    aggregates = project.store.aggregates
    return CellSource(
        cells=[(c.unit_size, c.value_a, c.value_b, c.n) for c in aggregates.cells(schema)],
        top_pairs=lambda least, limit: aggregates.top_pairs(schema, least, limit),
        rows=lambda: answers_for_agreement(project.store, schema),
    )


def disputed_report(project: Project, limit: int = 100) -> list[dict]:
    """The items whose annotators disagree most (assign/disagreement.py's score: per scheme
    the share of distinct answers, the item's highest), cached like the agreement."""
    from ..assign.disagreement import disagreement

    return _cache(project).get(
        (_done(project), "disputed", limit),
        lambda: project.store.admin.disputed_items(disagreement, limit),
    )


def _done(project: Project) -> int:
    with project.store.read() as conn:
        return project.store.counter(conn, "done_assignments")


def _cache(project: Project) -> TtlCache:
    # A few entries at most (one per schema filter); stale counters fall out when it fills.
    return project.cache("agreement", lambda: TtlCache(CACHE_SECONDS, max_entries=32))
