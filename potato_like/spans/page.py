"""What the annotation page's span script (static/js/spans.js) needs, as one JSON blob."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .colors import label_colors
from .keywords import find_keywords

if TYPE_CHECKING:
    from ..config.model import ProjectConfig


def span_page_data(config: ProjectConfig, item, maps: Mapping[str, Any]) -> dict | None:
    """None when the page needs no span script (no span-type schemes, no keywords)."""
    structured = [s for s in config.schemes if s.structured and s.text_page]
    keywords = find_keywords(config, item.text) if config.keyword_rules else []
    if not structured and not keywords:
        return None
    schemes = {}
    for scheme in structured:
        info = scheme.describe()
        info["colors"] = label_colors(config, scheme)
        info["entries"] = scheme.entries(maps.get(scheme.name))
        info["wire_field"] = scheme.wire_field
        schemes[scheme.name] = info
    out = {"instance_id": item.id, "text": item.text, "schemes": schemes, "keywords": keywords}
    out["text_field"] = config.item_properties.text_key
    targets = span_target_texts(config, item.fields)
    if targets:  # Potato's multi-span mode: more text fields take spans
        out["targets"] = targets
        out["text_tag"] = config.instance_display.main_span_tag(config.item_properties.text_key)
    return out


def span_target_texts(config: ProjectConfig, fields: Mapping[str, Any]) -> dict[str, str]:
    """field -> text of the item's other span targets (`instance_display` text fields marked
    `span_target`), which spans name in `target_field`; {} without any."""
    display = config.instance_display
    if display is None:
        return {}
    keys = display.extra_span_targets(config.item_properties.text_key)
    return {k: str(fields[k]) for k in keys if fields.get(k) is not None}
