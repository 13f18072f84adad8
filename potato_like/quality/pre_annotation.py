"""Pre-annotation: items carrying model predictions (`pre_annotation.field`) pre-fill the form
until the annotator saves their own answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import BadAnnotation

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store.annotations import Compute


def predictions(config: ProjectConfig, fields: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The item's predictions as stored label maps, per scheme; answers that do not fit
    their scheme are left out (a prediction never blocks annotation)."""
    pre = config.study.pre_annotation
    raw = fields.get(pre.field) if pre.enabled else None
    if not isinstance(raw, Mapping):
        return {}
    out = {}
    for schema, value in raw.items():
        scheme = config.scheme(schema)
        if scheme is None:
            continue
        try:
            label_map = scheme.from_answer(value)
        except BadAnnotation:
            continue
        if label_map:
            out[schema] = label_map
    return out


def confidence(config: ProjectConfig, fields: Mapping[str, Any]) -> float | None:
    raw = fields.get(config.study.pre_annotation.field)
    value = raw.get("confidence") if isinstance(raw, Mapping) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def locked(config: ProjectConfig, fields: Mapping[str, Any], compute: Compute) -> Compute:
    """With `allow_modification: false`, refuse answers that differ from the predictions."""
    pre = config.study.pre_annotation
    preds = predictions(config, fields) if pre.enabled and not pre.allow_modification else {}
    if not preds:
        return compute

    def checked(old):
        changes, submit = compute(old)
        for schema, label_map in changes.items():
            if schema in preds and not config.scheme(schema).same_answer(label_map, preds[schema]):
                raise BadAnnotation(
                    f"{schema}: this answer comes from a model prediction and cannot be "
                    "changed in this project"
                )
        return changes, submit

    return checked
