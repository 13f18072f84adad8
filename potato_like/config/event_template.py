"""`event_template:` Potato's cross-document event registry: admin-defined template slots
that annotators fill for events drawn from many documents (web/event_registry.py serves it;
store/event_registry.py keeps the events). Read into `ProjectConfig.event_template` (None
when absent or `enabled: false`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .reader import ConfigReader

TEMPLATE_KEYS = ("enabled", "name", "allow_annotator_create", "seed_events", "slots")
SLOT_KEYS = ("name", "description", "type")
MAX_SEED_EVENTS = 10_000


@dataclass(frozen=True)
class EventTemplate:
    name: str = "event_template"
    allow_annotator_create: bool = True
    slots: tuple[tuple[str, str, str], ...] = ()  # (name, description, type)
    seed_events: tuple[str, ...] = ()  # each seed event as JSON text (frozen)

    @property
    def slot_names(self) -> list[str]:
        return [s[0] for s in self.slots]


def read_event_template(r: ConfigReader, task_dir: Path) -> EventTemplate | None:
    sub = r.child("event_template")
    if not sub.raw:
        return None
    sub.warn_unknown(TEMPLATE_KEYS)
    if not sub.bool("enabled", False):
        return None
    slots = []
    raw_slots = sub.raw.get("slots")
    if not isinstance(raw_slots, list) or not raw_slots:
        sub.problem("slots", "is required: a list of {name, description, type}")
        raw_slots = []
    for i, raw in enumerate(raw_slots):
        slot = ConfigReader(
            raw if isinstance(raw, dict) else {},
            f"{sub.key_path('slots')}[{i}]",
            r.problems,
            r.warnings,
        )
        if not isinstance(raw, dict):
            slot.problems.append(f"{slot.path}: must be a mapping with a name")
            continue
        slot.warn_unknown(SLOT_KEYS)
        name = slot.str("name", None, required=True)
        if name in [s[0] for s in slots]:
            slot.problem("name", f"{name!r} is used twice")
        elif name:
            slots.append(
                (name, slot.str("description", "", allow_empty=True), slot.str("type", "text"))
            )
    return EventTemplate(
        name=sub.str("name", "event_template"),
        allow_annotator_create=sub.bool("allow_annotator_create", True),
        slots=tuple(slots),
        seed_events=_seed_events(sub, task_dir),
    )


def _seed_events(sub: ConfigReader, task_dir: Path) -> tuple[str, ...]:
    """Seed events: a list in the config, or a JSON file (a list, or {"events": [...]})."""
    raw: Any = sub.raw.get("seed_events")
    if raw is None:
        return ()
    if isinstance(raw, str):
        path = Path(raw) if Path(raw).is_absolute() else task_dir / raw
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            sub.problem("seed_events", f"file not found: {path}")
            return ()
        except (OSError, ValueError) as exc:
            sub.problem("seed_events", f"{path.name} is not JSON: {exc}")
            return ()
        if isinstance(raw, dict):
            raw = raw.get("events")
    if not isinstance(raw, list) or len(raw) > MAX_SEED_EVENTS:
        sub.problem("seed_events", f"must be a list of at most {MAX_SEED_EVENTS} events")
        return ()
    out = []
    for i, event in enumerate(raw):
        if not isinstance(event, dict):
            sub.problem("seed_events", f"event {i + 1} must be an object")
            continue
        out.append(json.dumps({**event, "id": str(event.get("id") or f"evt_seed_{i}")}))
    return tuple(out)
