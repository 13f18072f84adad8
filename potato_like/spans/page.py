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
    return {"instance_id": item.id, "text": item.text, "schemes": schemes, "keywords": keywords}
