"""`conversation_tree`: a branching conversation as nested, collapsible nodes.

The value is a root node (or a list of roots): `{"id", "speaker", "text", "children": [...]}`.
Nodes at `collapsed_depth` and deeper start closed; `max_depth` cuts the tree (with a count of
what was left out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Display, Option, as_text
from .registry import register

NODE_STYLES = ("card", "compact", "minimal")
MAX_NODES = 2000


@register("conversation_tree")
class ConversationTree(Display):
    description = "A branching conversation (a node with children) as nested collapsible nodes"
    options = {
        "collapsed_depth": Option(2, "int"),
        "node_style": Option("card", "choice", NODE_STYLES),
        "show_node_ids": Option(False),
        "max_depth": Option(None, "int"),
        "show_timestamps": Option(False),
    }
    later = {"turn_meta_fields": "per-node metadata chips", "meta_key": "per-node metadata"}
    # Potato also reads these options written directly on the field.
    field_level_options = True

    def view(self, value: Any, options, context) -> dict:
        roots = value if isinstance(value, list) else [value]
        budget = [MAX_NODES]
        nodes = [_node(root, 0, options, budget) for root in roots]
        return {
            "nodes": [n for n in nodes if n is not None],
            "style": options["node_style"],
            "ids": options["show_node_ids"],
            "timestamps": options["show_timestamps"],
        }


def _node(raw: Any, depth: int, options, budget: list[int]) -> dict | None:
    if budget[0] <= 0:
        return None
    budget[0] -= 1
    if not isinstance(raw, Mapping):
        raw = {"text": raw}
    children = raw.get("children") if isinstance(raw.get("children"), list) else []
    max_depth = options["max_depth"]
    cut = max_depth is not None and depth >= max_depth
    kids = [] if cut else [_node(c, depth + 1, options, budget) for c in children]
    kids = [k for k in kids if k is not None]
    collapsed = options["collapsed_depth"]
    return {
        "id": as_text(raw.get("id")) if raw.get("id") is not None else None,
        "speaker": as_text(raw.get("speaker")) if raw.get("speaker") is not None else None,
        "text": as_text(raw.get("text", raw.get("content"))),
        "time": as_text(raw.get("timestamp")) if raw.get("timestamp") is not None else None,
        "children": kids,
        "hidden_children": len(children) - len(kids),
        "open": collapsed is None or depth + 1 < collapsed,
        "depth": depth,
    }
