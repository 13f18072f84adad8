"""The schemes as one annotator sees them on one item: labels an item filters or shuffles
(`dynamic_options`, `option_randomization`) and the schemes `display_logic` hides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.model import ProjectConfig
from ..schemes.base import Scheme, hidden_schemes

__all__ = ["hidden_schemes", "option_orders", "page_schemes"]


def page_schemes(
    config: ProjectConfig, fields: Mapping[str, Any], username: str, item_id: str
) -> list[Scheme]:
    return [s.for_page(fields, username, item_id, config.random_seed) for s in config.schemes]


def option_orders(
    config: ProjectConfig, fields: Mapping[str, Any], username: str, item_id: str
) -> dict[str, list[str]]:
    """Scheme name -> the label order this annotator was shown on this item, for the schemes
    that shuffle their labels (recorded with each save)."""
    views = page_schemes(config, fields, username, item_id)
    return {v.name: v.option_order for v in views if v.option_order is not None}


def without_private_fields(config: ProjectConfig, data: Mapping[str, Any]) -> dict[str, Any]:
    """The item's fields minus those a scheme keeps off the page (`private_fields`)."""
    private = {f for s in config.schemes for f in s.private_fields()}
    return {k: v for k, v in data.items() if k not in private}
