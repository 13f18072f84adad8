"""The registry of display types: `instance_display.fields[].type` -> Display class.

Filled once at import time by the @register decorator and never changed afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Display

_TYPES: dict[str, type[Display]] = {}

# Potato's display types not built here yet: a config using one fails with one line naming it.
NOT_YET: tuple[str, ...] = ()
# Why, where there is more to say than "not built yet".
NOT_YET_REASONS: dict[str, str] = {}


def register(type_name: str):
    def add(cls: type[Display]) -> type[Display]:
        if type_name in _TYPES:
            raise RuntimeError(f"display type {type_name!r} registered twice")
        cls.type_name = type_name
        # displays/<type>.html, unless the class names a page it shares with another type
        cls.template = cls.__dict__.get("template") or f"displays/{type_name}.html"
        _TYPES[type_name] = cls
        return cls

    return add


def display_class(type_name: str) -> type[Display] | None:
    _load_builtin_types()
    return _TYPES.get(type_name)


def type_names() -> list[str]:
    _load_builtin_types()
    return sorted(_TYPES)


def not_yet_names() -> list[str]:
    _load_builtin_types()
    return [name for name in NOT_YET if name not in _TYPES]


def _load_builtin_types() -> None:
    # Importing the modules runs their @register decorators.
    from . import (  # noqa: F401
        agent_trace,
        audio,
        audio_dialogue,
        code,
        coding_trace,
        conversation_tree,
        cot_trace,
        depth_map,
        dialogue,
        document,
        eval_trace,
        gallery,
        html,
        image,
        interactive_chat,
        live_agent,
        live_coding_agent,
        multi_agent_discussion,
        pairwise,
        pdf,
        spreadsheet,
        text,
        video,
        web_agent_trace,
    )
