"""`annotation_type: trajectory_edit` — corrected steps of an agent trace (for SFT and DPO
data): each step's `editable_fields` (default: `step_text_key`) in a text box prefilled
with the original; only changed steps are stored, with an optional reason
(`require_reason_on_edit` makes it required). `edit_final_answer` adds a box for the item's
`final_answer_key`.

Stored as Potato stores it: `{"steps": [{"step_index", "field", "edited_text", "reason"}],
"final_answer": {"edited_text"}, "n_steps_edited"}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import MAX_TEXT, StepScheme, entry_list, short_text, step_index


@register("trajectory_edit")
class TrajectoryEdit(StepScheme):
    macro = "schemes/trajectory_edit.html"
    option_keys = (
        "steps_key",
        "step_text_key",
        "editable_fields",
        "show_diff",
        "show_edit_distance",
        "allow_reset",
        "require_reason_on_edit",
        "edit_final_answer",
        "final_answer_key",
    )
    agreement_metric = "nominal"
    step_metric = "nominal"  # per step: edited or not
    # Its answers are corrected traces (the trajectory_correction / SFT / DPO exports).
    corrects_steps = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.editable_fields = reader.string_list("editable_fields") or [self.step_text_key]
        for key in ("show_diff", "show_edit_distance"):
            if reader.has(key) and reader.bool(key, True):
                reader.warn(
                    key, "accepted; the page shows the original above each box (no live diff yet)"
                )
        self.allow_reset = reader.bool("allow_reset", True)
        self.require_reason = reader.bool("require_reason_on_edit", False)
        self.edit_final_answer = reader.bool("edit_final_answer", False)
        self.final_answer_key = reader.str("final_answer_key", "final_answer")
        self.page_final_answer = None

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        raw = fields.get(self.steps_key)
        raw = raw if isinstance(raw, list) else []
        for step in view.page_steps:
            source = raw[step["index"]] if step["index"] < len(raw) else None
            step["fields"] = [
                {"name": name, "text": _field_text(source, name, step["text"])}
                for name in self.editable_fields
            ]
        final = fields.get(self.final_answer_key) if self.edit_final_answer else None
        view.page_final_answer = None if final is None else _field_text(final, "", "")
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(f"{self.name}: the answer must be an object with 'steps'")
        steps: dict[tuple, dict] = {}
        for i, raw in enumerate(entry_list(self.name, document)):
            where = f"step entry {i + 1}"
            if not isinstance(raw, Mapping):
                raise BadAnnotation(
                    f"{self.name}: {where} must be an object with step_index and edited_text"
                )
            index = step_index(self.name, raw.get("step_index", raw.get("index")), where)
            field = raw.get("field") or self.editable_fields[0]
            if field not in self.editable_fields:
                raise BadAnnotation(
                    f"{self.name}: {where}: field {field!r} is not editable "
                    f"(editable: {', '.join(self.editable_fields)})"
                )
            text = raw.get("edited_text")
            if not isinstance(text, str):
                raise BadAnnotation(f"{self.name}: {where}: edited_text must be text")
            if len(text) > MAX_TEXT:
                raise BadAnnotation(
                    f"{self.name}: {where}: edited_text is longer than {MAX_TEXT} characters"
                )
            if (index, field) in steps:
                raise BadAnnotation(f"{self.name}: step {index} field {field!r} is given twice")
            entry = {"step_index": index, "field": field, "edited_text": text}
            reason = short_text(self.name, raw.get("reason"), "reason", where)
            if reason is not None:
                entry["reason"] = reason
            elif self.require_reason:
                raise BadAnnotation(f"{self.name}: {where}: a reason is required for every edit")
            steps[(index, field)] = entry
        out: dict[str, Any] = {"steps": [steps[k] for k in sorted(steps)]}
        final = document.get("final_answer")
        if isinstance(final, Mapping) and final.get("edited_text") is not None:
            if not self.edit_final_answer:
                raise BadAnnotation(f"{self.name}: this scheme does not edit the final answer")
            text = final["edited_text"]
            if not isinstance(text, str) or len(text) > MAX_TEXT:
                raise BadAnnotation(
                    f"{self.name}: final_answer.edited_text must be text of at most "
                    f"{MAX_TEXT} characters"
                )
            out["final_answer"] = {"edited_text": text}
        if not out["steps"] and "final_answer" not in out:
            return None
        out["n_steps_edited"] = len({s["step_index"] for s in out["steps"]})
        return out

    def step_values(self, answer: Any) -> dict[int, Any]:
        """Per step: was it edited (agreement on which steps needed correcting). Steps not
        edited count as "kept" up to the last step any edit names."""
        if not answer:
            return {}
        edited = {s["step_index"] for s in answer.get("steps", [])}
        return {
            i: ("edited" if i in edited else "kept") for i in range(max(edited, default=-1) + 1)
        }

    def corrected_trace(self, fields: Mapping[str, Any], answer: Any) -> dict[str, Any]:
        """The item's trace before and after this answer's edits, and the edits applied:
        {"task", "original_trace", "corrected_trace", "edits"}; each trace is {"task",
        "steps"} (+ the final answer under `final_answer_key` when the item has one)."""
        import copy

        original = fields.get(self.steps_key)
        original = original if isinstance(original, list) else []
        corrected = copy.deepcopy(original)
        edits = []
        for edit in (answer or {}).get("steps", []):
            i, name = edit["step_index"], edit["field"]
            if i >= len(corrected):
                continue
            before = _field_text(corrected[i], name, "")
            if before == edit["edited_text"]:
                continue  # "edited" back to what it was: no correction
            if isinstance(corrected[i], dict):
                corrected[i][name] = edit["edited_text"]
            else:
                corrected[i] = edit["edited_text"]
            edits.append(
                {
                    "step_index": i,
                    "field": name,
                    "original_text": before,
                    "edited_text": edit["edited_text"],
                    "reason": edit.get("reason", ""),
                }
            )
        task = fields.get("task_description", fields.get("task", fields.get("text", "")))
        before_trace: dict[str, Any] = {"task": task, "steps": original}
        after_trace: dict[str, Any] = {"task": task, "steps": corrected}
        final = fields.get(self.final_answer_key)
        fixed = ((answer or {}).get("final_answer") or {}).get("edited_text")
        if final is not None or fixed is not None:
            before_trace[self.final_answer_key] = final
            after_trace[self.final_answer_key] = final if fixed is None else fixed
            if fixed is not None:
                edits.append(
                    {
                        "step_index": None,
                        "field": self.final_answer_key,
                        "original_text": final,
                        "edited_text": fixed,
                        "reason": "",
                    }
                )
        return {
            "task": task,
            "original_trace": before_trace,
            "corrected_trace": after_trace,
            "edits": edits,
        }


def _field_text(source: Any, name: str, fallback: str) -> str:
    if isinstance(source, Mapping):
        value = source.get(name, fallback)
    elif source is None:
        value = fallback
    else:
        value = source
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)
