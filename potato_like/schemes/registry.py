"""The registry of annotation types: `annotation_type` name -> Scheme class.

Filled once at import time by the @register decorator and never changed afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Scheme

_TYPES: dict[str, type[Scheme]] = {}


def register(type_name: str):
    def add(cls: type[Scheme]) -> type[Scheme]:
        if type_name in _TYPES:
            raise RuntimeError(f"annotation type {type_name!r} registered twice")
        cls.type_name = type_name
        _TYPES[type_name] = cls
        return cls

    return add


def scheme_class(type_name: str) -> type[Scheme] | None:
    _load_builtin_types()
    return _TYPES.get(type_name)


def type_names() -> list[str]:
    _load_builtin_types()
    return sorted(_TYPES)


def _load_builtin_types() -> None:
    # Importing the modules runs their @register decorators.
    from . import (  # noqa: F401
        event,
        likert,
        multiselect,
        number,
        radio,
        select,
        slider,
        span,
        span_link,
        text,
    )
