"""`annotation_type: tiered_annotation` — ELAN-style tiers over one audio or video file:
independent tiers hold time-aligned labelled annotations; a dependent tier's annotations
each point at a parent annotation of its `parent_tier` and, for `time_subdivision` and
`included_in`, lie inside it in time.

Stored as Potato's client sends it: `{"_data": "<json>"}` with
`{"annotations": {tier: [{id, tier, start_time, end_time, label, parent_id, value}]}}`,
times in milliseconds (Potato's `time_slots` are derived data and not kept).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .audio_annotation import DEFAULT_COLORS
from .base import Label
from .registry import register
from .timeline import TimelineScheme, entry_list, short_text

TIER_TYPES = ("independent", "dependent")
CONSTRAINTS = (
    "time_subdivision",
    "included_in",
    "symbolic_association",
    "symbolic_subdivision",
    "none",
)
TIER_KEYS = (
    "name",
    "tier_type",
    "parent_tier",
    "constraint_type",
    "description",
    "labels",
    "linguistic_type",
)
TIMED_INSIDE = ("time_subdivision", "included_in")
MAX_VALUE = 10_000


@dataclass
class Tier:
    name: str
    tier_type: str = "independent"
    parent: str | None = None
    constraint: str = "none"
    description: str = ""
    labels: list[Label] = field(default_factory=list)


@register("tiered_annotation")
class TieredAnnotation(TimelineScheme):
    macro = "schemes/tiered_annotation.html"
    script = "js/tiered-annotation.js"
    waveform_lookahead = True  # media/lookahead.py computes the next items' waveforms
    option_keys = (
        "tiers",
        "source_field",
        "media_type",
        "tier_height",
        "show_tier_labels",
        "collapsed_tiers",
        "zoom_enabled",
        "playback_rate_control",
        "overview_height",
        "transcript_field",
        "transcript_tier",
    )

    def parse_options(self, reader: ConfigReader) -> None:
        self.read_source(reader)
        if not self.source_field:
            self.source_field = "audio_url"  # Potato's default
        self.media_type = reader.str("media_type", "audio", choices=("audio", "video"))
        self.tier_height = reader.number("tier_height", 50, integer=True, minimum=20, maximum=400)
        self.show_tier_labels = reader.bool("show_tier_labels", True)
        self.zoom_enabled = reader.bool("zoom_enabled", True)
        self.playback_rate_control = reader.bool("playback_rate_control", True)
        self.tiers: list[Tier] = []
        if not reader.has("tiers"):
            reader.problem("tiers", "is required for this annotation type")
        for i, sub in reader.entries("tiers", "a tier mapping with a name"):
            sub.warn_unknown(TIER_KEYS)
            tier = Tier(
                name=sub.str("name", f"tier_{i}", required=True),
                tier_type=sub.str("tier_type", "independent", choices=TIER_TYPES),
                parent=sub.str("parent_tier", None) or None,
                constraint=sub.str("constraint_type", "none", choices=CONSTRAINTS),
                description=sub.str("description", "", allow_empty=True) or "",
            )
            saved, self.labels = self.labels, []
            if sub.has("labels"):
                self.read_labels(sub)
            tier.labels, self.labels = self.labels, saved
            if tier.tier_type == "dependent" and not tier.parent:
                sub.problem("parent_tier", "a dependent tier needs its parent_tier")
            self.tiers.append(tier)
        names = [t.name for t in self.tiers]
        for i, tier in enumerate(self.tiers):
            if names.count(tier.name) > 1:
                reader.problem(f"tiers[{i}].name", f"tier {tier.name!r} is defined twice")
            if tier.parent is not None and tier.parent not in names:
                reader.problem(f"tiers[{i}].parent_tier", f"no tier named {tier.parent!r}")
            elif tier.parent == tier.name or self._cycle(tier):
                reader.problem(f"tiers[{i}].parent_tier", "tiers must not form a cycle")
        if reader.has("tiers") and not self.tiers:
            reader.problem("tiers", "must be a non-empty list of tiers")
        self.transcript_field = reader.str("transcript_field", None)
        self.transcript_tier = reader.str("transcript_tier", None)
        if self.transcript_tier and self.transcript_tier not in names:
            reader.problem("transcript_tier", f"no tier named {self.transcript_tier!r}")

    def _cycle(self, tier: Tier) -> bool:
        by_name = {t.name: t for t in self.tiers}
        seen = set()
        current: Tier | None = tier
        while current is not None and current.parent:
            if current.name in seen:
                return True
            seen.add(current.name)
            current = by_name.get(current.parent)
        return False

    def tier(self, name: str) -> Tier | None:
        return next((t for t in self.tiers if t.name == name), None)

    def page_config(self) -> dict[str, Any]:
        return {
            "schema": self.name,
            "mediaType": self.media_type,
            "src": self.media_src,
            "tiers": [
                {
                    "name": t.name,
                    "type": t.tier_type,
                    "parent": t.parent,
                    "constraint": t.constraint,
                    "description": t.description,
                    "labels": [
                        {
                            "name": label.name,
                            "text": label.shown,
                            "color": label.color or DEFAULT_COLORS[i % len(DEFAULT_COLORS)],
                        }
                        for i, label in enumerate(t.labels)
                    ],
                }
                for t in self.tiers
            ],
        }

    def clean_data(self, data: Any) -> Any:
        name = self.name
        raw = data.get("annotations") or {}
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{name}: annotations must be an object of tier -> list")
        by_tier: dict[str, list[dict[str, Any]]] = {}
        ids: dict[str, dict[str, Any]] = {}
        for tier_name, entries in raw.items():
            tier = self.tier(tier_name)
            if tier is None:
                raise BadAnnotation(f"{name}: unknown tier {tier_name!r}")
            out = []
            for i, entry in enumerate(entry_list(name, f"annotations.{tier_name}", entries)):
                at = f"{tier_name}[{i}]"
                if not isinstance(entry, Mapping):
                    raise BadAnnotation(f"{name}: {at} must be an object")
                ann_id = short_text(name, f"{at}.id", entry.get("id") or f"{tier_name}_{i + 1}")
                if ann_id in ids:
                    raise BadAnnotation(f"{name}: annotation id {ann_id!r} is used twice")
                start, end = _ms(name, at, entry.get("start_time"), entry.get("end_time"))
                label = entry.get("label")
                if tier.labels and label not in [lb.name for lb in tier.labels]:
                    raise BadAnnotation(
                        f"{name}: {at}: unknown label {label!r} for tier {tier.name}"
                    )
                value = entry.get("value") or ""
                if not isinstance(value, str) or len(value) > MAX_VALUE:
                    raise BadAnnotation(f"{name}: {at}.value must be text")
                clean = {
                    "id": ann_id,
                    "tier": tier_name,
                    "start_time": start,
                    "end_time": end,
                    "label": None if label in (None, "") else short_text(name, at, label),
                    "parent_id": entry.get("parent_id") or None,
                    "value": value,
                }
                ids[ann_id] = clean
                out.append(clean)
            if out:
                by_tier[tier_name] = sorted(out, key=lambda a: (a["start_time"], a["id"]))
        for tier_name, entries in by_tier.items():
            tier = self.tier(tier_name)
            for ann in entries:
                self._check_parent(tier, ann, ids)
        return {"annotations": by_tier} if by_tier else None

    def _check_parent(self, tier: Tier, ann: dict[str, Any], ids: dict[str, Any]) -> None:
        name = self.name
        if tier.tier_type != "dependent":
            ann["parent_id"] = None
            return
        parent = ids.get(ann["parent_id"]) if isinstance(ann["parent_id"], str) else None
        if parent is None or parent["tier"] != tier.parent:
            raise BadAnnotation(
                f"{name}: {tier.name} annotation {ann['id']!r} needs a parent in tier "
                f"{tier.parent!r}"
            )
        if tier.constraint in TIMED_INSIDE and (
            ann["start_time"] < parent["start_time"] or ann["end_time"] > parent["end_time"]
        ):
            raise BadAnnotation(
                f"{name}: {tier.name} annotation {ann['id']!r} lies outside its parent "
                f"{parent['id']!r}"
            )

    def timeline_tiers(self, label_map: Mapping[str, str]) -> dict[str, list[tuple]]:
        annotations = self.data(label_map).get("annotations", {})
        return {
            f"{self.name}.{tier.name}": [
                (a["start_time"] / 1000, a["end_time"] / 1000, a["value"] or a["label"] or "")
                for a in annotations.get(tier.name, [])
            ]
            for tier in self.tiers
            if annotations.get(tier.name)
        }


def _ms(name: str, at: str, start: Any, end: Any) -> tuple[float, float]:
    for value in (start, end):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise BadAnnotation(f"{name}: {at}: times must be numbers of milliseconds")
        if value < 0:
            raise BadAnnotation(f"{name}: {at}: times must not be negative")
    if end <= start:
        raise BadAnnotation(f"{name}: {at} ends before or where it starts")
    return round(float(start), 1), round(float(end), 1)
