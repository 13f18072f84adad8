"""Auto-promotion (gold_standards.auto_promote): an item whose first N annotators agree at or
above the threshold on every scheme becomes a gold item with their consensus answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..project import Project

LabelMaps = dict[str, dict[str, str]]


def schema_agreement(project: Project, answers: list[LabelMaps]) -> dict[str, dict[str, Any]]:
    """Per scheme answered by anyone: the majority answer, how many gave it, of how many
    annotators, and that share (an unanswered scheme counts as a different answer)."""
    out: dict[str, dict[str, Any]] = {}
    schemas = sorted({s for a in answers for s, m in a.items() if m})
    for schema in schemas:
        scheme = project.config.scheme(schema)
        if scheme is None:
            continue
        groups: list[tuple[dict[str, str], int]] = []
        for a in answers:
            label_map = a.get(schema) or {}
            for i, (rep, n) in enumerate(groups):
                if scheme.same_answer(rep, label_map):
                    groups[i] = (rep, n + 1)
                    break
            else:
                groups.append((label_map, 1))
        best, count = max(groups, key=lambda g: (bool(g[0]), g[1]))
        total = len(answers)
        out[schema] = {
            "value": scheme.answer(best) if best else None,
            "label_map": best,
            "count": count,
            "total": total,
            "agreement": round(count / total, 4) if total else 0.0,
        }
    return out


def check_item(project: Project, item_seq: int) -> bool:
    """After an item got one more completion: promote it when its first annotators agree.
    Idempotent (a promoted item stays promoted with its first consensus)."""
    cfg = project.config.study.promotion
    if not cfg.enabled:
        return False
    study = project.store.study
    if study.is_promoted(item_seq):
        return False
    answers = study.first_answers(item_seq, cfg.min_annotators)
    if len(answers) < cfg.min_annotators:
        return False
    agreement = schema_agreement(project, answers)
    if not agreement:
        return False
    lowest = min(a["agreement"] for a in agreement.values())
    if lowest < cfg.agreement_threshold:
        return False
    consensus = {s: a["label_map"] for s, a in agreement.items() if a["label_map"]}
    return study.promote(item_seq, consensus, len(answers), lowest)


def candidates(project: Project, limit: int = 50) -> list[dict[str, Any]]:
    """Items on their way to promotion: at least two annotators so far, fewer than needed,
    and agreeing at or above the threshold."""
    cfg = project.config.study.promotion
    out = []
    for seq, item_id, done in project.store.study.candidate_items(cfg.min_annotators, limit * 4):
        agreement = schema_agreement(project, project.store.study.first_answers(seq, done))
        if not agreement:
            continue
        if min(a["agreement"] for a in agreement.values()) < cfg.agreement_threshold:
            continue
        out.append(
            {
                "item_id": item_id,
                "annotator_count": done,
                "needed_annotators": cfg.min_annotators,
                "schema_agreement": {
                    s: {k: v for k, v in a.items() if k != "label_map"}
                    for s, a in agreement.items()
                },
            }
        )
        if len(out) >= limit:
            break
    return out
