"""Spans, links and events in output lines and exports (Potato's `span_annotations` list,
plus `link_annotations` / `event_annotations` when the project has such schemes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .updates import iter_entries, label_maps_only

if TYPE_CHECKING:
    from ..config.model import ProjectConfig


def output_span(schema: str, span: Mapping[str, Any]) -> dict[str, Any]:
    """A span as output files show it: Potato's v1 keys (`annotation`, `span`) next to ours."""
    out = {"id": span["id"], "schema": schema, "label": span["label"], "annotation": span["label"]}
    out.update({k: v for k, v in span.items() if k not in ("id", "label")})
    out["span"] = span["text"]
    return out


def annotation_fields(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label_annotations": label_maps_only(config, maps),
        "span_annotations": [
            output_span(s.name, span) for s, span in iter_entries(config, maps, "spans")
        ],
    }
    types = {s.type_name for s in config.schemes}
    if "span_link" in types:
        out["link_annotations"] = [
            {**e, "schema": s.name} for s, e in iter_entries(config, maps, "links")
        ]
    if "event_annotation" in types:
        out["event_annotations"] = [
            {**e, "schema": s.name} for s, e in iter_entries(config, maps, "events")
        ]
    return out
