"""Export formats: name -> Exporter. Each streams text chunks (constant memory)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from ..project import Project

_FORMATS: dict[str, type[Exporter]] = {}


class Exporter:
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    extension: ClassVar[str] = ""
    mimetype: ClassVar[str] = "text/plain"

    def stream(self, project: Project) -> Iterator[str]:
        raise NotImplementedError

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {
            "name": cls.name,
            "description": cls.description,
            "extension": cls.extension,
            "mimetype": cls.mimetype,
        }


def register(cls: type[Exporter]) -> type[Exporter]:
    _FORMATS[cls.name] = cls
    return cls


def exporter(name: str) -> Exporter | None:
    _load()
    cls = _FORMATS.get(name)
    return cls() if cls else None


def formats() -> list[type[Exporter]]:
    _load()
    return [_FORMATS[k] for k in sorted(_FORMATS)]


def _load() -> None:
    from . import json_formats, span_formats, table_formats  # noqa: F401
