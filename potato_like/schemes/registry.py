"""The registry of annotation types: `annotation_type` name -> Scheme class.

Filled once at import time by the @register decorator and never changed afterwards.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
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


def scheme_classes() -> list[type[Scheme]]:
    """Every registered type's class, by type name."""
    _load_builtin_types()
    return [_TYPES[name] for name in sorted(_TYPES)]


def wire_fields() -> dict[str, type[Scheme]]:
    """/updateinstance body field -> the structured type whose entries it carries; types
    whose entries others refer to come first."""
    owners = sorted(
        (c for c in scheme_classes() if c.wire_field),
        key=lambda c: (c.refers_to_spans, c.type_name),
    )
    return {c.wire_field: c for c in owners}


def backend_formats() -> dict[str, str]:
    """Every `type` value Potato's backend format may carry -> how its state is read:
    "label" (a label map) or a structured type's own backend format ("span")."""
    formats = {"label": "label"}
    for cls in scheme_classes():
        for name in cls.backend_names():
            formats.setdefault(name, cls.backend_type)
    return formats


def backend_types() -> list[str]:
    """The `type` values Potato's backend format may carry: "label", then the types' own
    names (and Potato's other names for them)."""
    return ["label", *sorted(set(backend_formats()) - {"label"})]


def survey_question_type(schema: str | None) -> str:
    """The annotation type of a Potato survey question whose `schema` is `schema` (Potato's
    names such as "checkbox" or ours; None: the default type). An unknown name is returned
    as it is, for the caller's "not supported" message."""
    classes = scheme_classes()
    if schema is None:
        return next(c.type_name for c in classes if c.survey_default)
    return next((c.type_name for c in classes if schema in c.survey_names), schema)


@functools.cache
def _load_builtin_types() -> None:
    # Importing every module of this package runs the @register decorators of the types in
    # it: a new type is one new module, with nothing to list here. Once per process.
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        importlib.import_module(f"{__package__}.{module.name}")
