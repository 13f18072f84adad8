"""Potato's `<user>/user_state.json`, written next to `annotated_instances.jsonl`.

Potato keeps each annotator's whole state in this file, and its export tool
(`python -m potato.export`), its analysis scripts and a lab's own scripts read it. We write it
from the store with the same top-level keys and value shapes as Potato's serialiser, so those
tools find the annotations:

- `instance_id_to_label_to_value`: item id -> list of `[{"schema", "name"}, value]` pairs (one
  per label of a label scheme, the value as stored);
- `instance_id_to_span_to_value`: item id -> list of `[{"schema", "name", "title", "start",
  "end", "id", ...}, label]` pairs;
- `instance_id_to_link_to_value` / `instance_id_to_event_to_value`: item id -> {id: entry};
- `instance_id_ordering` (the user's list, in order) and `current_instance_index`;
- `phase_to_page_to_label_to_value`: the answers of the study's phase pages;
- `training_state`: counts of the training answers.
Keys whose data we do not keep (keyword-highlight randomisation, category qualification,
behavioural data) are written empty, in Potato's shape. Like the jsonl file this is an
export, never read back as state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..spans.updates import iter_entries, label_maps_only
from ..study.survey_scores import user_scores

if TYPE_CHECKING:
    from ..config.model import ProjectConfig
    from ..store import Store
    from ..store.annotations import AnnotatedItem
    from ..store.users import UserRow

FILE_NAME = "user_state.json"
# Potato's phase names (its UserPhase values); a phase of ours outside them is reported as a
# page of the annotation phase.
POTATO_PHASES = (
    "login",
    "consent",
    "prestudy",
    "instructions",
    "training",
    "annotation",
    "poststudy",
    "done",
)


def label_pairs(maps: Mapping[str, Mapping[str, Any]]) -> list[list[Any]]:
    """Potato's serialised label dict: `[[{"schema": s, "name": label}, value], ...]`."""
    return [
        [{"schema": schema, "name": label}, value]
        for schema, label_map in maps.items()
        if isinstance(label_map, Mapping)
        for label, value in label_map.items()
    ]


def span_pair(schema: str, span: Mapping[str, Any]) -> list[Any]:
    """One `[span, label]` pair in the shape of Potato's SpanAnnotation.to_dict()."""
    out = {
        "schema": schema,
        "name": span["label"],
        "title": span["label"],
        "start": span["start"],
        "end": span["end"],
        "id": span["id"],
    }
    for key in ("target_field", "kb_id", "kb_source", "kb_label"):
        if span.get(key):
            out[key] = span[key]
    return [out, span["label"]]


def potato_phase(phase: str) -> list[str]:
    return [phase if phase in POTATO_PHASES else "annotation", phase]


def training_state(answers: Iterable[Any], failed: bool, passed: bool) -> dict[str, Any]:
    completed: dict[str, dict[str, Any]] = {}
    attempts = correct = mistakes = 0
    for answer in answers:
        attempts += 1
        previous = completed.get(answer.question, {"correct": False, "attempts": 0})
        if answer.correct and not previous["correct"]:
            correct += 1
        if not answer.correct:
            mistakes += 1
        completed[answer.question] = {
            "correct": bool(answer.correct) or previous["correct"],
            "attempts": previous["attempts"] + 1,
            "explanation": "",
        }
    return {
        "completed_questions": completed,
        "total_correct": correct,
        "total_attempts": attempts,
        "total_mistakes": mistakes,
        "passed": passed,
        "failed": failed,
        "current_question_index": len(completed),
        "training_instances": list(completed),
        "show_feedback": False,
        "feedback_type": "info",
        "feedback_message": "",
        "allow_retry": False,
        "max_mistakes": -1,
        "max_mistakes_per_question": -1,
        "category_scores": {},
    }


def build_user_state(
    store: Store, config: ProjectConfig, user: UserRow, rows: Iterable[AnnotatedItem]
) -> dict[str, Any]:
    """The user's state in Potato's user_state.json shape; `rows`: their annotated items."""
    ordering = [item_id for _, item_id, _ in store.assignments.user_items(user.id)]
    labels: dict[str, list] = {}
    spans: dict[str, list] = {}
    links: dict[str, dict] = {}
    events: dict[str, dict] = {}
    for row in rows:
        maps = row.label_maps
        labels[row.item_id] = label_pairs(label_maps_only(config, maps))
        item_spans = [span_pair(s.name, e) for s, e in iter_entries(config, maps, "spans")]
        if item_spans:
            spans[row.item_id] = item_spans
        item_links = {
            e["id"]: {**e, "schema": s.name} for s, e in iter_entries(config, maps, "links")
        }
        if item_links:
            links[row.item_id] = item_links
        item_events = {
            e["id"]: {**e, "schema": s.name} for s, e in iter_entries(config, maps, "events")
        }
        if item_events:
            events[row.item_id] = item_events

    phase_pages: dict[str, dict[str, list]] = {}
    phase_answers = store.study.phase_answers(user.id)
    for phase, answers in phase_answers.items():
        if isinstance(answers, Mapping):
            name = potato_phase(phase)[0]
            phase_pages.setdefault(name, {})[phase] = label_pairs(answers)
    training = store.study.training_answers(user.id)
    failed = user.study_status == "failed" and user.status_reason == "training"
    passed = bool(training) and not failed and user.phase != "training"
    done = potato_phase(user.phase)
    cap = user.max_items if user.max_items is not None else config.max_annotations_per_user
    out = {
        "user_id": user.username,
        "instance_id_ordering": ordering,
        "current_instance_index": min(user.current_pos, len(ordering) - 1),
        "current_phase_and_page": done,
        "completed_phase_and_pages": [],
        "max_assignments": -1 if cap is None else cap,
        "instance_id_to_behavioral_data": {},
        "instance_id_to_label_to_value": labels,
        "instance_id_to_span_to_value": spans,
        "phase_to_page_to_label_to_value": phase_pages,
        "phase_to_page_to_span_to_value": {},
        "training_state": training_state(training, failed, passed),
        "qualified_categories": [],
        "category_qualification_scores": {},
        "instance_id_to_keyword_highlight_state": {},
        "instance_id_to_link_to_value": links,
        "instance_id_to_event_to_value": events,
        "crowd_metadata": {},
    }
    if any(page.instruments for page in config.study.phases):
        # Not one of Potato's keys: the bundled instruments' scores, by phase (readers of
        # Potato's format ignore keys they do not know).
        out["instrument_scores"] = user_scores(config.study.phases, phase_answers)
    return out
