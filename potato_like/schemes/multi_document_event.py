"""`annotation_type: multi_document_event` — events that span documents: on each document
the annotator says which events it belongs to (seed events from `seed_events`, or new ones
when `allow_annotator_create`) and fills the event template's `slots` from it, citing
evidence spans of its text. An event's id joins its documents: the same id on several
items is one event, and the admin export lists each document's slot values under it.

Wire format: `"<schema>:<schema>"` holds the record as JSON text: `{"events": [{"id",
"title", "slot_values": {"<slot>": "..."}, "evidence": {"<slot>": [{"start", "end",
"text"}]}}]}` (Potato keeps these in its event registry; this is its per-document mirror).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..quality.text_measures import as_int
from .record import RecordScheme, counts
from .registry import register
from .structured import named_entries

_EVENT_ID = re.compile(r"^[\w.:-]{1,120}$")
MAX_EVENTS, MAX_VALUE, MAX_TITLE = 50, 2000, 200


@register("multi_document_event")
class MultiDocumentEvent(RecordScheme):
    macro = "schemes/multi_document_event.html"
    script = "js/multi-document-event.js"
    option_keys = ("slots", "allow_annotator_create", "seed_events")
    pair_score_names = ("membership_jaccard", "slot_exact_match")

    def parse_options(self, reader: ConfigReader) -> None:
        self.slots: dict[str, str] = {}
        for sub, name in named_entries(reader, "slots", "name"):
            sub.warn_unknown(("name", "description", "type"))
            sub.str("type", "text", choices=("text",))
            self.slots[name] = sub.str("description", name, allow_empty=True) or name
        self.allow_create = reader.bool("allow_annotator_create", True)
        self.seed_events: list[dict[str, Any]] = []
        path = reader.str("seed_events", None)
        if path:
            self.seed_events = _read_seeds(self.task_dir / path, reader)
        if not self.allow_create and not self.seed_events:
            reader.problem(
                "allow_annotator_create",
                "is false but there are no seed_events: annotators could not name any event",
            )

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        events = record.get("events")
        if not isinstance(events, list) or len(events) > MAX_EVENTS:
            raise BadAnnotation(f"{self.name}: 'events' must be a list of at most {MAX_EVENTS}")
        seeds = {e["id"] for e in self.seed_events}
        out, seen = [], set()
        for i, raw in enumerate(events):
            where = f"{self.name}: event {i + 1}"
            if not isinstance(raw, Mapping):
                raise BadAnnotation(f"{where} must be an object with id, title and slot_values")
            event_id = raw.get("id")
            if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
                raise BadAnnotation(
                    f"{where}: id {event_id!r} must be 1-120 letters, digits or . _ : -"
                )
            if event_id in seen:
                raise BadAnnotation(f"{where}: event {event_id!r} is listed twice")
            seen.add(event_id)
            if not self.allow_create and event_id not in seeds:
                raise BadAnnotation(f"{where}: {event_id!r} is not one of the seed events")
            title = raw.get("title") or ""
            if not isinstance(title, str) or len(title) > MAX_TITLE:
                raise BadAnnotation(
                    f"{where}: 'title' must be text of at most {MAX_TITLE} characters"
                )
            out.append(
                {
                    "id": event_id,
                    "title": title,
                    "slot_values": self._values(raw.get("slot_values") or {}, where),
                    "evidence": self._evidence(raw.get("evidence") or {}, where),
                }
            )
        return {"events": out} if out else None

    def _values(self, raw: Any, where: str) -> dict[str, str]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where}: 'slot_values' must be an object of slot: value")
        out = {}
        for slot, value in raw.items():
            if slot not in self.slots:
                raise BadAnnotation(
                    f"{where}: unknown slot {slot!r}; expected one of {', '.join(self.slots)}"
                )
            if not isinstance(value, str) or len(value) > MAX_VALUE:
                raise BadAnnotation(
                    f"{where}: {slot} must be text of at most {MAX_VALUE} characters"
                )
            if value.strip():
                out[slot] = value
        return out

    def _evidence(self, raw: Any, where: str) -> dict[str, list[dict[str, Any]]]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where}: 'evidence' must be an object of slot: spans")
        out: dict[str, list[dict[str, Any]]] = {}
        for slot, spans in raw.items():
            if slot not in self.slots:
                raise BadAnnotation(f"{where}: evidence for unknown slot {slot!r}")
            if not isinstance(spans, list):
                raise BadAnnotation(f"{where}: evidence for {slot} must be a list of spans")
            for span in spans:
                start = as_int(span.get("start")) if isinstance(span, Mapping) else None
                end = as_int(span.get("end")) if isinstance(span, Mapping) else None
                if start is None or end is None or start < 0 or end <= start:
                    raise BadAnnotation(f"{where}: evidence for {slot} needs 0 <= start < end")
                text = span.get("text", "")
                out.setdefault(slot, []).append({"start": start, "end": end, "text": str(text)})
        return out

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        for event in (self.answer(label_map) or {}).get("events", []):
            for slot, spans in event["evidence"].items():
                for span in spans:
                    shown = text[span["start"] : span["end"]]
                    if span["end"] > len(text) or (span["text"] and span["text"] != shown):
                        raise BadAnnotation(
                            f"{self.name}: evidence for {slot} of {event['id']!r} is not the "
                            f"document's text at {span['start']}:{span['end']}"
                        )

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ea = {e["id"]: e for e in self.answer(a)["events"]}
        eb = {e["id"]: e for e in self.answer(b)["events"]}
        out = {"membership_jaccard": len(set(ea) & set(eb)) / len(set(ea) | set(eb))}
        pairs = [
            (
                ea[e]["slot_values"].get(s, "").strip().casefold(),
                eb[e]["slot_values"].get(s, "").strip().casefold(),
            )
            for e in set(ea) & set(eb)
            for s in self.slots
            if ea[e]["slot_values"].get(s) or eb[e]["slot_values"].get(s)
        ]
        if pairs:
            out["slot_exact_match"] = sum(x == y for x, y in pairs) / len(pairs)
        return out

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        return {"documents_by_event": counts(e["id"] for r in records for e in r["events"])}

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out["slots"] = [{"name": k, "description": v} for k, v in self.slots.items()]
        out["allow_annotator_create"] = self.allow_create
        out["seed_events"] = [e["id"] for e in self.seed_events]
        return out


def _read_seeds(path, reader: ConfigReader) -> list[dict[str, Any]]:
    """Seed events: `{"events": [{"id", "title", "slot_values"}]}` or a plain list."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        reader.problem("seed_events", f"cannot read {path}: {exc}")
        return []
    events = data.get("events") if isinstance(data, Mapping) else data
    out = []
    for i, event in enumerate(events if isinstance(events, list) else []):
        if not isinstance(event, Mapping) or not _EVENT_ID.match(str(event.get("id", ""))):
            reader.problem("seed_events", f"event {i + 1} of {path.name} needs an 'id'")
            continue
        values = event.get("slot_values") if isinstance(event.get("slot_values"), Mapping) else {}
        out.append(
            {
                "id": str(event["id"]),
                "title": str(event.get("title", event["id"])),
                "slot_values": {str(k): str(v) for k, v in values.items()},
            }
        )
    return out
