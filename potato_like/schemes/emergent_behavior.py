"""`annotation_type: emergent_behavior` — collective behaviours of a multi-agent run that
span turns and agents (collusion, groupthink, cascading errors, role drift): for each of
the `behaviors` the annotator checks the turns (of `steps_key`, with their agent from
`agent_key`) that take part, and may add a note (`allow_note`, default true).

Stored as Potato stores it: `{behavior: {"turns": [index, ...], "note": "..."}}`, only the
behaviours with turns or a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .registry import register
from .step_base import StepScheme, short_text, step_index

BEHAVIORS = ["collusion", "groupthink", "cascading_error", "role_drift"]


@register("emergent_behavior")
class EmergentBehavior(StepScheme):
    macro = "schemes/emergent_behavior.html"
    option_keys = ("steps_key", "step_text_key", "agent_key", "behaviors", "allow_note")
    agreement_metric = "nominal"
    step_metric = "nominal"  # per turn: the set of behaviours it takes part in
    summarizes_answers = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.agent_key = reader.str("agent_key", "agent")
        self.behaviors = reader.string_list("behaviors") or list(BEHAVIORS)
        self.allow_note = reader.bool("allow_note", True)

    def step_view(self, index: int, step: Any) -> dict:
        view = super().step_view(index, step)
        if isinstance(step, Mapping) and step.get(self.agent_key) is not None:
            view["agent"] = view["speaker"] = str(step[self.agent_key])
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(
                f"{self.name}: the answer must be an object {{behavior: {{turns, note}}}}"
            )
        out: dict[str, dict] = {}
        for behavior, entry in document.items():
            if behavior not in self.behaviors:
                raise BadAnnotation(
                    f"{self.name}: behavior {behavior!r} is not one of {', '.join(self.behaviors)}"
                )
            if not isinstance(entry, Mapping):
                raise BadAnnotation(f"{self.name}: {behavior}: must be an object with turns")
            turns_raw = entry.get("turns") or []
            if not isinstance(turns_raw, list):
                raise BadAnnotation(f"{self.name}: {behavior}: turns must be a list")
            turns = sorted({step_index(self.name, t, behavior) for t in turns_raw})
            note = short_text(self.name, entry.get("note"), "note", behavior)
            if note and not self.allow_note:
                raise BadAnnotation(f"{self.name}: {behavior}: notes are turned off")
            if turns or note:
                out[behavior] = {"turns": turns, "note": note or ""}
        return out or None

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        count = len(self.steps_of(fields))
        for behavior, entry in (self.answer(label_map) or {}).items():
            late = [t for t in entry["turns"] if t >= count]
            if late:
                raise BadAnnotation(
                    f"{self.name}: {behavior}: turn {late[0]} does not exist "
                    f"(this item has {count} turns)"
                )

    def step_values(self, answer: Any) -> dict[int, Any]:
        by_turn: dict[int, list[str]] = {}
        for behavior, entry in (answer or {}).items():
            for turn in entry["turns"]:
                by_turn.setdefault(turn, []).append(behavior)
        return {t: "+".join(sorted(b)) for t, b in by_turn.items()}

    def step_records(self, answer: Any) -> list[tuple[int, dict]]:
        return [
            (turn, {"behavior": behavior, "note": entry["note"]})
            for behavior, entry in (answer or {}).items()
            for turn in entry["turns"]
        ]

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        answers = [self.answer(m) or {} for m in label_maps if m]
        tagged = {b: sum(1 for a in answers if b in a) for b in self.behaviors}
        sizes = {
            b: round(sum(len(a[b]["turns"]) for a in answers if b in a) / tagged[b], 2)
            for b in self.behaviors
            if tagged[b]
        }
        return {"answers_tagging_behavior": tagged, "mean_turns_per_behavior": sizes}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(behaviors=list(self.behaviors), allow_note=self.allow_note)
        return out
