"""What the step-level agent-evaluation types share (process_reward, trajectory_eval,
trajectory_edit, consensus_tracking, failure_attribution): the answer is one JSON document
about the steps of the item's trace, sent and stored as Potato does, as the value of the
scheme's single label (`{"<schema>": "<json>"}`, `annotations: {"<schema>:<schema>": ...}`).

The steps are the entries of the item field `steps_key` (Potato's convention: step i is the
i-th entry), shown by the scheme itself with their text (`step_text_key`, else `content`,
`text`, ...). Each type validates the document (`clean`), says what one step's answer is for
per-step agreement (`step_values`) and which step is the first error (`first_error`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme

MAX_STEPS = 5000
MAX_TEXT = 20_000
MAX_DOCUMENT = 2_000_000  # characters of the stored JSON
TEXT_KEYS = ("content", "text", "action", "reasoning", "thought", "message", "output")


class StepScheme(Scheme):
    """A scheme whose answer is a JSON document about the item's steps."""

    macro: ClassVar[str] = ""
    script: ClassVar[str | None] = "js/steps.js"
    step_level: ClassVar[bool] = True
    # The level per-step agreement compares one step's answers with.
    step_metric: ClassVar[str] = "nominal"
    default_steps_key: ClassVar[str] = "steps"
    default_text_key: ClassVar[str] = "action"
    summary_kind: ClassVar[str] = "labels"
    base_keys: ClassVar[tuple[str, ...]] = ("steps_key", "step_text_key")
    # Longer step lists are windowed in the browser (templates/schemes/_steps.html).
    window_at: ClassVar[int] = 200
    # The type's controls are the same on every step (only "step N" in a label differs):
    # a long list is sent as JSON with one copy of the controls (a lighter page).
    uniform_rows: ClassVar[bool] = False

    page_steps: tuple = ()

    @classmethod
    def backend_names(cls) -> tuple[str, ...]:
        """Potato's page sends these as one label (`<schema>:<schema>`), never in the
        backend (schema/type/state) format."""
        return ()

    def parse_options(self, reader: ConfigReader) -> None:
        self.labels = [Label(self.name)]
        self.steps_key = reader.str("steps_key", self.default_steps_key)
        self.step_text_key = reader.str("step_text_key", self.default_text_key)
        self.parse_step_options(reader)

    def parse_step_options(self, reader: ConfigReader) -> None:
        """The type's own keys."""

    # -- page ---------------------------------------------------------------------------
    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        view = copy.copy(self)
        view.page_steps = tuple(self.steps_of(fields))
        return view

    def steps_of(self, fields: Mapping[str, Any]) -> list[dict]:
        raw = fields.get(self.steps_key)
        if isinstance(raw, Mapping):
            raw = raw.get("steps", raw.get("turns", []))
        if isinstance(raw, str):
            raw = [part for part in raw.split("\n\n") if part.strip()]
        if not isinstance(raw, list):
            return []
        return [self.step_view(i, step) for i, step in enumerate(raw[:MAX_STEPS])]

    def step_view(self, index: int, step: Any) -> dict:
        agent = speaker = None
        if isinstance(step, Mapping):
            text = step.get(self.step_text_key)
            for key in TEXT_KEYS:
                if text not in (None, ""):
                    break
                text = step.get(key)
            if text in (None, ""):
                text = json.dumps(step, ensure_ascii=False)
            agent = step.get("agent_id", step.get("agent", step.get("speaker")))
            speaker = step.get("speaker", step.get("role", agent))
        else:
            text = step
        return {
            "index": index,
            "number": index + 1,
            "text": text if isinstance(text, str) else json.dumps(text, ensure_ascii=False),
            "agent": None if agent is None else str(agent),
            "speaker": None if speaker is None else str(speaker),
        }

    def rows_json(self) -> list[dict]:
        """The page's steps as a windowed list's JSON (static/js/steps.js builds the rows)."""
        return [
            {"index": s["index"], "number": s["number"], "speaker": s["speaker"], "text": s["text"]}
            for s in self.page_steps
        ]

    # -- value --------------------------------------------------------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, value in label_map.items():
            if label != self.name:
                raise BadAnnotation(
                    f"{self.name}: a {self.type_name} answer is one JSON document sent as "
                    f"'{self.name}:{self.name}', not label {label!r}"
                )
            document = self.parse(value)
            if document is None:
                continue
            cleaned = self.clean(document)
            if cleaned is None:
                continue
            text = json.dumps(cleaned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            if len(text) > MAX_DOCUMENT:
                raise BadAnnotation(
                    f"{self.name}: the answer is larger than {MAX_DOCUMENT} characters"
                )
            out[label] = text
        return out

    def parse(self, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            if len(value) > MAX_DOCUMENT:
                raise BadAnnotation(
                    f"{self.name}: the answer is larger than {MAX_DOCUMENT} characters"
                )
            try:
                return json.loads(value)
            except ValueError as exc:
                raise BadAnnotation(
                    f"{self.name}: the answer is not valid JSON ({exc.msg})"
                ) from None
        if isinstance(value, (Mapping, list)):
            return value
        raise BadAnnotation(f"{self.name}: the answer must be a JSON document, got {value!r}")

    def clean(self, document: Any) -> Any:
        """The canonical document (None when it says nothing), or BadAnnotation."""
        raise NotImplementedError

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = (label_map or {}).get(self.name)
        return json.loads(raw) if raw else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.name: value}

    def from_answer(self, value: Any) -> dict[str, str]:
        if isinstance(value, Mapping) and set(value) == {self.name}:
            return self.normalize(value)
        return self.normalize(self.answer_map(value))

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        """The dashboard counts step answers by value (`reward 1`, `incorrect`, ...)."""
        answer = self.answer(label_map)
        return [f"{k}" for k in self.step_values(answer).values()] if answer else []

    # -- agreement ----------------------------------------------------------------------
    def step_values(self, answer: Any) -> dict[int, Any]:
        """Step index -> the value one step's answer is compared by (unanswered steps
        are left out)."""
        return {}

    def first_error(self, answer: Any) -> int | None:
        """The index of the first step marked wrong, or None (no such notion: None)."""
        return None

    has_first_error: ClassVar[bool] = False
    # Its answer is a reward per step (process reward model data: the `prm` export).
    rewards_steps: ClassVar[bool] = False

    def step_records(self, answer: Any) -> list[tuple[int, dict]]:
        """(step index, that step's part of the answer), for the per-step exports."""
        if not answer:
            return []
        entries = answer if isinstance(answer, list) else answer.get("steps", [])
        out = []
        for entry in entries:
            index = entry.get("index", entry.get("step_index", entry.get("turn")))
            if isinstance(index, int):
                out.append((index, entry))
        return out

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["labels"] = []
        out["steps_key"] = self.steps_key
        return out


# -- helpers for the types --------------------------------------------------------------
def step_index(scheme: str, raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw)
        else:
            raise BadAnnotation(
                f"{scheme}: {where}: step index must be a whole number, got {raw!r}"
            )
    if raw < 0 or raw >= MAX_STEPS:
        raise BadAnnotation(
            f"{scheme}: {where}: step index {raw} is out of range (0-{MAX_STEPS - 1})"
        )
    return raw


def entry_list(scheme: str, document: Any, key: str = "steps") -> list:
    """The list under `key` of a document (or the document itself when it is a list)."""
    entries = document.get(key, []) if isinstance(document, Mapping) else document
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise BadAnnotation(f"{scheme}: '{key}' must be a list")
    if len(entries) > MAX_STEPS:
        raise BadAnnotation(f"{scheme}: more than {MAX_STEPS} entries in '{key}'")
    return entries


def choice(scheme: str, value: Any, allowed: list[str], what: str, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in allowed:
        raise BadAnnotation(
            f"{scheme}: {where}: {what} {value!r} is not one of {', '.join(allowed)}"
        )
    return value


def short_text(scheme: str, value: Any, what: str, where: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadAnnotation(f"{scheme}: {where}: {what} must be text, got {value!r}")
    if len(value) > MAX_TEXT:
        raise BadAnnotation(f"{scheme}: {where}: {what} is longer than {MAX_TEXT} characters")
    return value if value.strip() else None


class StepVerdicts(StepScheme):
    """A verdict (`verdict_options`) and notes per step, stored as Potato stores it: a list
    of only the judged steps, `[{"index", "step", "verdict", "notes", ...}]` keyed by
    `index` (gui_trajectory, multimodal_reasoning)."""

    agreement_metric = "nominal"
    step_metric = "nominal"
    has_first_error = True
    summarizes_answers = True
    default_verdicts: ClassVar[tuple[str, ...]] = ()
    # Extra text keys of an entry kept as they came (e.g. the step's block type).
    extra_keys: ClassVar[tuple[str, ...]] = ()
    # What one judged thing is called in messages ("step"; "call" for tool_call_review).
    noun: ClassVar[str] = "step"

    def parse_verdicts(self, reader: ConfigReader) -> None:
        self.verdicts = reader.string_list("verdict_options") or list(self.default_verdicts)
        if len(self.verdicts) > 9:
            reader.problem("verdict_options", "at most 9 verdicts (keys 1-9)")

    def clean(self, document: Any) -> Any:
        entries: dict[int, dict] = {}
        for i, raw in enumerate(entry_list(self.name, document)):
            where = f"{self.noun} {i + 1}" if self.noun != "step" else f"entry {i + 1}"
            if not isinstance(raw, Mapping):
                raise BadAnnotation(
                    f"{self.name}: {where} must be an object with index and verdict"
                )
            index = step_index(self.name, raw.get("index"), where)
            verdict = choice(self.name, raw.get("verdict"), self.verdicts, "verdict", where)
            notes = short_text(self.name, raw.get("notes"), "notes", where)
            if verdict is None and notes is None:
                continue
            if index in entries:
                raise BadAnnotation(f"{self.name}: {self.noun} {index} is given twice")
            entry = self.entry_head(raw, index, where)
            entry.update(verdict=verdict or "", notes=notes or "")
            for key in self.extra_keys:
                value = raw.get(key)
                if isinstance(value, str) and value:
                    entry[key] = value[:200]
            entries[index] = entry
        return [entries[i] for i in sorted(entries)] or None

    def entry_head(self, raw: Mapping, index: int, where: str) -> dict[str, Any]:
        """The keys a stored entry starts with: the index and the step it belongs to."""
        return {"index": index, "step": index}

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        answer = self.answer(label_map)
        if not answer:
            return
        count = len(self.steps_of(fields))
        for entry in answer:
            if entry["index"] >= count:
                raise BadAnnotation(
                    f"{self.name}: {self.noun} {entry['index']} does not exist "
                    f"(this item has {count} {self.noun}s)"
                )

    def step_values(self, answer: Any) -> dict[int, Any]:
        return {e["index"]: e["verdict"] for e in answer or [] if e.get("verdict")}

    def first_error(self, answer: Any) -> int | None:
        wrong = [i for i, v in self.step_values(answer).items() if v != self.verdicts[0]]
        return min(wrong) if wrong else None

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        answers = [self.answer(m) or [] for m in label_maps if m]
        verdicts: dict[str, int] = {v: 0 for v in self.verdicts}
        for answer in answers:
            for entry in answer:
                if entry.get("verdict"):
                    verdicts[entry["verdict"]] = verdicts.get(entry["verdict"], 0) + 1
        judged = [len(a) for a in answers]
        return {
            "steps_by_verdict": verdicts,
            "mean_steps_judged": round(sum(judged) / len(judged), 2) if judged else None,
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["verdict_options"] = list(self.verdicts)
        return out
