"""GET /admin/api/quality_control: attention checks, gold standards, auto-promotion and
pre-annotation, in the seed's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..store.stats import iso
from . import promotion
from .checks import ATTENTION, GOLD

if TYPE_CHECKING:
    from ..project import Project


def _rate(part: int, total: int) -> float | None:
    return round(part / total, 4) if total else None


def quality_report(project: Project, candidate_limit: int = 50) -> dict[str, Any]:
    study = project.config.study
    store = project.store.study
    att_users = store.qc_by_user(ATTENTION) if study.attention.enabled else {}
    checks = sum(n for n, _ in att_users.values())
    passed = sum(c for _, c in att_users.values())
    attention = {
        "enabled": study.attention.enabled,
        "total_items": len(study.attention.items),
        "total_checks": checks,
        "total_passed": passed,
        "total_failed": checks - passed,
        "pass_rate": _rate(passed, checks),
        "by_user": {
            user: {"passed": c, "failed": n - c, "pass_rate": _rate(c, n)}
            for user, (n, c) in sorted(att_users.items())
        },
    }
    gold_users = store.qc_by_user(GOLD) if study.gold.enabled else {}
    gold_items = store.qc_by_item(GOLD) if study.gold.enabled else {}
    evaluations = sum(n for n, _ in gold_users.values())
    right = sum(c for _, c in gold_users.values())
    promoted_count = store.promoted_count() if study.promotion.enabled else 0
    gold = {
        "enabled": study.gold.enabled,
        "total_items": len(study.gold.items) + promoted_count,
        "total_evaluations": evaluations,
        "total_correct": right,
        "total_incorrect": evaluations - right,
        "accuracy": _rate(right, evaluations),
        "min_threshold": study.gold.min_threshold,
        "by_user": {
            user: {
                "correct": c,
                "total": n,
                "accuracy": _rate(c, n),
                "below_threshold": bool(
                    study.gold.min_threshold is not None
                    and n >= study.gold.evaluation_count
                    and c / n < study.gold.min_threshold
                ),
            }
            for user, (n, c) in sorted(gold_users.items())
        },
        "by_item": {
            item: {"correct": c, "total": n, "accuracy": _rate(c, n)}
            for item, (n, c) in sorted(gold_items.items())
        },
    }
    cfg = study.promotion
    auto: dict[str, Any] = {
        "enabled": cfg.enabled,
        "min_annotators": cfg.min_annotators,
        "agreement_threshold": cfg.agreement_threshold,
        "promoted_count": promoted_count,
        "promoted_items": [],
        "candidates": [],
    }
    if cfg.enabled:
        scheme = project.config.scheme
        auto["promoted_items"] = [
            {
                "item_id": p["item_id"],
                "consensus_label": {
                    s: scheme(s).answer(m) for s, m in p["consensus"].items() if scheme(s)
                },
                "annotator_count": p["annotator_count"],
                "agreement": p["agreement"],
                "promoted_at": iso(p["promoted_at"]),
            }
            for p in store.promoted(limit=1000)
        ]
        auto["candidates"] = promotion.candidates(project, candidate_limit)
    pre = study.pre_annotation
    return {
        "enabled": bool(study.qc_enabled or cfg.enabled or pre.enabled),
        "attention_checks": attention,
        "gold_standards": gold,
        "auto_promotion": auto,
        "pre_annotation": {
            "enabled": pre.enabled,
            "field": pre.field if pre.enabled else None,
            "items_with_predictions": store.items_with_field(pre.field) if pre.enabled else 0,
        },
    }
