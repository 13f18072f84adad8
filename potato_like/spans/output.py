"""Spans, links and events in output lines and exports (Potato's `span_annotations` list,
plus `link_annotations` / `event_annotations` when the project has such schemes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .updates import iter_entries, label_maps_only

if TYPE_CHECKING:
    from ..config.model import ProjectConfig


def annotation_fields(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, Any]:
    """Potato's `label_annotations` and `span_annotations` (always), plus the body field of
    every other structured type the project has (`link_annotations`, ...), as lists of
    entries naming their schema."""
    out: dict[str, Any] = {"label_annotations": label_maps_only(config, maps)}
    out["span_annotations"] = []
    for scheme in config.schemes:
        if scheme.wire_field:
            out.setdefault(scheme.wire_field, []).extend(
                scheme.output_entry(entry) for entry in scheme.entries(maps.get(scheme.name))
            )
    return out


def readable_entries(config: ProjectConfig, maps: Mapping[str, Any]) -> dict[str, list[str]]:
    """One line of plain text per span, link and event of one annotator (the admin item page):
    `PERSON “Barack Obama” [0:12]`, `VISITED: PERSON “Barack Obama” → LOCATION “Paris”`,
    `TRAVEL: TRIGGER “visited”; traveller: PERSON “Barack Obama”`."""
    spans = {
        (scheme.name, span["id"]): span for scheme, span in iter_entries(config, maps, "spans")
    }

    def span_text(schema: str, span_id: str) -> str:
        span = spans.get((schema, span_id))
        return f"{span['label']} “{span['text']}”" if span else f"(missing {span_id})"

    out: dict[str, list[str]] = {}
    for scheme in config.schemes:
        if scheme.structured:  # each type says how its entries read
            lines = [
                scheme.readable_line(e, span_text) for e in scheme.entries(maps.get(scheme.name))
            ]
            if lines:
                out[scheme.name] = lines
    return out
