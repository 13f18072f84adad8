"""Preference pairs for DPO-style training: one JSON line per decisive pairwise answer,
`{"prompt", "chosen", "rejected", ...}` (the shape TRL's DPOTrainer reads). Ties and
unanswered items are left out; a scale answer counts for the side it leans to and keeps
its value as `strength`."""

from __future__ import annotations

import json

from ..store.comparison_rows import schema_answers
from .registry import Exporter, register

PROMPT_FIELDS = ("prompt", "question", "instruction", "query")


@register
class PreferencePairs(Exporter):
    name = "preference_jsonl"
    description = (
        "Pairwise preferences as chosen/rejected JSON Lines (DPO training data), "
        "one line per annotator and decisive answer"
    )
    extension = "jsonl"
    mimetype = "application/x-ndjson"

    def stream(self, project):
        config = project.config
        text_key = config.item_properties.text_key
        context_key = config.item_properties.context_key
        for scheme in config.schemes:
            if not getattr(scheme, "compares_pairs", False):
                continue
            for item_id, text, fields, user, value in schema_answers(project.store, scheme.name):
                outcome = scheme.preferred(value)
                if outcome not in ("A", "B"):
                    continue
                sides = scheme.side_texts({text_key: text, **fields})
                if len(sides) != 2:
                    continue
                chosen, rejected = (sides[0], sides[1]) if outcome == "A" else (sides[1], sides[0])
                record = {
                    "prompt": _prompt(fields, context_key, text_key, scheme.items_key, text),
                    "chosen": chosen,
                    "rejected": rejected,
                    "instance_id": item_id,
                    "annotator": user,
                    "schema": scheme.name,
                    "preferred": outcome,
                }
                if scheme.mode == "scale":
                    record["strength"] = scheme.answer(value)
                yield json.dumps(record, ensure_ascii=False) + "\n"


def _prompt(fields, context_key, text_key, items_key, text) -> str:
    for key in (context_key, *PROMPT_FIELDS):
        if key and isinstance(fields.get(key), str):
            return fields[key]
    # the item text is the prompt unless it is the pair itself
    return "" if items_key == text_key else text
