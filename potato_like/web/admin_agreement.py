"""`GET /admin/api/agreement`: Krippendorff's alpha, Fleiss' and pairwise Cohen's kappa per
schema (seed 003 shape). The result is cached per project for a minute, keyed by the number
of finished annotations, so a dashboard that reloads often costs one computation."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..errors import BadRequest
from ..project import Project, TtlCache
from ..store.agreement_rows import answers_for_agreement
from .security import admin_required, current_project

bp = Blueprint("admin_agreement", __name__)

CACHE_SECONDS = 60.0
CACHE_ATTR = "agreement_cache"


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
            project.config, {name: answers_for_agreement(project.store, name) for name in chosen}
        ),
    )


def confusion_report(project: Project, schema: str) -> dict:
    """Label-by-label coincidences of one label scheme (radio, select, likert), cached."""
    from ..quality.agreement import confusion  # numpy: loaded on first use

    scheme = project.config.scheme(schema)
    return _cache(project).get(
        (_done(project), "confusion", schema),
        lambda: confusion(answers_for_agreement(project.store, schema), scheme),
    )


def _done(project: Project) -> int:
    with project.store.read() as conn:
        return project.store.counter(conn, "done_assignments")


def _cache(project: Project) -> TtlCache:
    # A few entries at most (one per schema filter); stale counters fall out when it fills.
    # dict.setdefault is atomic, so concurrent first requests share one cache.
    return vars(project).setdefault(CACHE_ATTR, TtlCache(CACHE_SECONDS, max_entries=32))
