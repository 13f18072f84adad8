"""Request JSON: bodies nested deeper than MAX_JSON_DEPTH are a 400.

Python's parser raises RecursionError (not ValueError) on very deep nesting, which Flask lets
through as a 500, and values nested a little less deeply can still exhaust the stack later
(validation, storing, echoing them back). No request of ours needs more than a few levels.
"""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_JSON_DEPTH = 64


class TooDeep(BadRequest):
    """A 400 even for `get_json(silent=True)`: silent covers malformed or missing JSON (the
    view then says what it expected), while this body is refused outright."""

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        super().__init__(f"the JSON body is nested more than {limit} levels deep")


def check_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise TooDeep when lists/objects are nested more than `limit` levels (iterative, so
    the check itself cannot overflow the stack)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        if depth > limit:
            raise TooDeep(limit)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))


class BoundedJSONProvider(DefaultJSONProvider):
    """`app.json` (which Flask gives every request as its `json_module`): refuses too deeply
    nested documents."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise TooDeep() from None
        if isinstance(value, (dict, list)):
            check_depth(value)
        return value
