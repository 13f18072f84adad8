"""Reading Potato's `annotation_output/`: one directory per annotator.

Per user, `user_state.json` is preferred (Potato 2 writes it; it has the whole list and the
current position). Without it, `annotated_instances.jsonl` (Potato 1.x, and ours) gives the
answers in list order, with `annotation_order.txt` (Potato 1.x) as the list when present.
Answers come out as /updateinstance body fields (`label_annotations` and
`span_annotations`), so the importer saves them exactly as the API would.

Both of Potato's label shapes are read: the serialised `[[{"schema", "name"}, value], ...]`
pairs and the `{schema: {label: value}}` mapping. Span links and events are counted but not
imported (their span ids are Potato's).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "user_state.json"
LINES_FILE = "annotated_instances.jsonl"
ORDER_FILE = "annotation_order.txt"
LATER_PHASES = ("annotation", "poststudy", "done")


@dataclass
class PotatoUser:
    username: str
    source: Path
    ordering: list[str]
    current_id: str | None
    phase: str  # Potato's phase name ("annotation" when unknown)
    # item id -> {"label_annotations": {...}, "span_annotations": [...]} (only non-empty)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    not_imported: int = 0  # links and events


@dataclass
class PotatoDir:
    users: list[PotatoUser]
    problems: list[str]  # files that could not be read (named, with the reason)


def label_maps(raw: Any) -> dict[str, dict[str, Any]]:
    """{schema: {label: value}} from either of Potato's shapes."""
    out: dict[str, dict[str, Any]] = {}
    if isinstance(raw, Mapping):
        for schema, labels in raw.items():
            if isinstance(labels, Mapping) and labels:
                out[str(schema)] = {str(k): v for k, v in labels.items()}
        return out
    for entry in raw or []:
        if isinstance(entry, (list, tuple)) and len(entry) == 2 and isinstance(entry[0], Mapping):
            label, value = entry
            if "schema" in label and "name" in label:
                out.setdefault(str(label["schema"]), {})[str(label["name"])] = value
    return out


def span_entry(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A Potato span (SpanAnnotation.to_dict(), or a 1.x line's {"annotation", "start",
    "end", "span"}) as an /updateinstance span entry."""
    entry = {
        "name": raw.get("name", raw.get("annotation")),
        "start": raw.get("start"),
        "end": raw.get("end"),
    }
    for key in ("schema", "title", "kb_id", "kb_source", "kb_label"):
        if raw.get(key) is not None:
            entry[key] = raw[key]
    return entry


def span_entries(raw: Any) -> list[dict[str, Any]]:
    out = []
    for entry in raw or []:
        if isinstance(entry, (list, tuple)) and len(entry) == 2:
            entry = entry[0]
        if isinstance(entry, Mapping):
            out.append(span_entry(entry))
    return out


def body_for(labels: dict[str, dict[str, Any]], spans: list[dict]) -> dict[str, Any] | None:
    body: dict[str, Any] = {}
    if labels:
        body["label_annotations"] = labels
    if spans:
        body["span_annotations"] = spans
    return body or None


def from_state(path: Path, fallback_name: str) -> PotatoUser:
    state = json.loads(path.read_text("utf-8"))
    if not isinstance(state, Mapping):
        raise ValueError("not a JSON object")
    ordering = [str(x) for x in state.get("instance_id_ordering") or []]
    index = state.get("current_instance_index")
    current = ordering[index] if isinstance(index, int) and 0 <= index < len(ordering) else None
    phase = state.get("current_phase_and_page") or ["annotation"]
    user = PotatoUser(
        str(state.get("user_id") or fallback_name),
        path,
        ordering,
        current,
        str(phase[0]) if isinstance(phase, list) and phase else "annotation",
    )
    labels = state.get("instance_id_to_label_to_value") or {}
    spans = state.get("instance_id_to_span_to_value") or {}
    for item_id in list(dict.fromkeys([*ordering, *labels, *spans])):
        body = body_for(label_maps(labels.get(item_id)), span_entries(spans.get(item_id)))
        if body:
            user.answers[item_id] = body
    for key in ("instance_id_to_link_to_value", "instance_id_to_event_to_value"):
        user.not_imported += sum(len(v) for v in (state.get(key) or {}).values())
    return user


def from_lines(path: Path, name: str) -> PotatoUser:
    answers: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise ValueError(f"line {number} is not JSON") from None
        item_id = record.get("id", record.get("instance_id"))
        if item_id is None:
            raise ValueError(f"line {number} has no 'id'")
        spans = span_entries(record.get("span_annotations"))
        body = body_for(label_maps(record.get("label_annotations")), spans)
        if body:
            answers[str(item_id)] = body
    order_file = path.with_name(ORDER_FILE)
    ordering = list(answers)
    if order_file.is_file():
        listed = [x.strip() for x in order_file.read_text("utf-8").splitlines() if x.strip()]
        ordering = listed + [x for x in ordering if x not in set(listed)]
    current = next(reversed(answers), None) if answers else None
    return PotatoUser(name, path, ordering, current, "annotation", answers)


def read_potato_dir(directory: Path) -> PotatoDir:
    users: list[PotatoUser] = []
    problems: list[str] = []
    for sub in sorted(p for p in directory.iterdir() if p.is_dir()):
        state, lines = sub / STATE_FILE, sub / LINES_FILE
        path = state if state.is_file() else lines if lines.is_file() else None
        if path is None:
            continue
        try:
            user = from_state(path, sub.name) if path == state else from_lines(path, sub.name)
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as exc:
            problems.append(f"{path}: cannot be read ({exc}); this user is skipped")
            continue
        users.append(user)
    return PotatoDir(users, problems)
