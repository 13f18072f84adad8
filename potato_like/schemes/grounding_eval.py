"""`annotation_type: grounding_eval` — for each referring expression of the item, the region
of the image it points at, or "not present".

Potato's options: `region_type` (box, polygon, mask, point), `expressions_field` (the item
field listing `{id, text}` expressions; default `expressions`), `verdicts` (when reviewing a
model's predictions), `require_all`, `label`, `expression_source` (only `field` here),
`caption_field`, `predictions_field`; ours: `region_schema`. Stored value: {"answers":
[{"expression_id", "regions": [{type, coordinates}], "absent": bool, "verdict"?}]}, sent in
`grounding_annotations` ({schema: [answers]}) or as Potato's page does, as the JSON text of
`{"regions": {id: [...]}, "absent": [ids], "verdicts": {id: verdict}}` in `"<schema>:_data"`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import json_payload
from .image_regions import RegionScheme
from .registry import register
from .structured import ID_PATTERN, SpanText, kept_entries

REGION_TYPES = {"box": "bbox", "polygon": "polygon", "mask": "polygon", "point": "landmark"}
DEFAULT_VERDICTS = ("correct", "wrong_object", "partial", "not_present")


@register("grounding_eval")
class GroundingEval(RegionScheme):
    """Where each referring expression points on the image, or that it is absent."""

    macro = "schemes/grounding_eval.html"
    value_key = "answers"
    wire_field = "grounding_annotations"
    agreement_skip_reason = "grounding answers have no agreement measure yet"
    option_keys = (
        "region_type", "expressions_field", "expression_source", "caption_field",
        "predictions_field", "label", "verdicts", "require_all", "region_schema",
    )  # fmt: skip

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_region_schema(reader)
        self.region_type = reader.str("region_type", "box", choices=REGION_TYPES)
        self.expressions_field = reader.str("expressions_field", "expressions") or "expressions"
        source = reader.str("expression_source", "field", choices=("field", "spans"))
        if source == "spans":
            reader.warn("expression_source", "'spans' is not offered yet; the field is used")
        self.caption_field = reader.str("caption_field", "caption")
        self.predictions_field = reader.str("predictions_field", "") or ""
        self.region_label = reader.str("label", "referent")
        raw = reader.raw.get("verdicts")
        names = []
        for i, v in enumerate(raw if isinstance(raw, list) else DEFAULT_VERDICTS):
            name = v.get("name") if isinstance(v, Mapping) else v
            if not isinstance(name, str) or not name:
                reader.problem(f"verdicts[{i}]", "must be a name or {name, description}")
                continue
            names.append(name)
        if raw is not None and not isinstance(raw, list):
            reader.problem("verdicts", "must be a list of verdict names")
        self.verdicts = tuple(names)
        self.require_all = reader.bool("require_all", False)
        self.expressions: list[dict[str, str]] = []

    def for_page(self, fields, annotator, item_id, seed):
        """A copy holding this item's expressions (what the page lists)."""
        page = copy.copy(self)
        page.expressions = expressions_of(fields.get(self.expressions_field))
        return page

    def value_for(self, raws: list[Any], text: str | None) -> dict[str, Any]:
        answers: dict[str, dict[str, Any]] = {}
        for raw, where in kept_entries(self.name, raws, "answer", "expression_id and regions"):
            eid = raw.get("expression_id")
            if not isinstance(eid, str) or not ID_PATTERN.match(eid):
                raise BadAnnotation(f"{where}: 'expression_id' must be an expression's id")
            absent = raw.get("absent", False)
            if not isinstance(absent, bool):
                raise BadAnnotation(f"{where}: 'absent' must be true or false")
            regions = raw.get("regions") or []
            if not isinstance(regions, list):
                raise BadAnnotation(f"{where}: 'regions' must be a list of shapes")
            if absent and regions:
                raise BadAnnotation(f"{where}: an absent referent cannot have regions")
            shapes = [self.region(r, f"{where} region {i + 1}") for i, r in enumerate(regions)]
            answer: dict[str, Any] = {"expression_id": eid, "regions": shapes, "absent": absent}
            verdict = raw.get("verdict")
            if verdict not in (None, ""):
                if verdict not in self.verdicts:
                    raise BadAnnotation(
                        f"{where}: verdict {verdict!r} is not one of {', '.join(self.verdicts)}"
                    )
                answer["verdict"] = verdict
            if answer["regions"] or absent or "verdict" in answer:
                answers[eid] = answer
        return {"answers": list(answers.values())} if answers else {}

    def entries_from_label(self, label: str, value: Any) -> list[Any] | None:
        """Potato's payload {regions: {id: [...]}, absent: [...], verdicts: {...}}."""
        if label != "_data":
            return None
        data = json_payload(self.name, value, "grounding answers")
        regions, absent = data.get("regions") or {}, data.get("absent") or []
        verdicts = data.get("verdicts") or {}
        if (
            not isinstance(regions, Mapping)
            or not isinstance(absent, list)
            or not isinstance(verdicts, Mapping)
        ):
            raise BadAnnotation(f"{self.name}:_data has the wrong shape")
        ids = list(dict.fromkeys([*regions, *absent, *verdicts]))
        return [
            {"expression_id": i, "regions": regions.get(i) or [], "absent": i in absent,
             "verdict": verdicts.get(i)}
            for i in ids
        ]  # fmt: skip

    def missing_requirement(self, label_map) -> str | None:
        if self.required and not self.entries(label_map):
            return "at least one expression must be answered"
        return None

    def readable_line(self, entry: Mapping[str, Any], span_text: SpanText) -> str:
        if entry.get("absent"):
            return f"{entry['expression_id']}: not present"
        kinds = ", ".join(r["type"] for r in entry.get("regions", []))
        verdict = f" ({entry['verdict']})" if entry.get("verdict") else ""
        return f"{entry['expression_id']}: {kinds or 'no region'}{verdict}"

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(region_type=self.region_type, shape_type=REGION_TYPES[self.region_type],
                   verdicts=list(self.verdicts), expressions=self.expressions,
                   require_all=self.require_all)  # fmt: skip
        return out


def expressions_of(raw: Any) -> list[dict[str, str]]:
    """The item's referring expressions as [{id, text}] (strings get ids e1, e2, ...)."""
    out = []
    for i, entry in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(entry, str):
            out.append({"id": f"e{i + 1}", "text": entry})
        elif isinstance(entry, Mapping) and isinstance(entry.get("text"), str):
            eid = entry.get("id")
            out.append({"id": str(eid) if eid not in (None, "") else f"e{i + 1}",
                        "text": entry["text"]})  # fmt: skip
    return out
