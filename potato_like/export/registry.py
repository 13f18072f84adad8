"""Export formats: name -> Exporter. Each streams text chunks (constant memory)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
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
    """Import every `*_formats` module of this package (each registers its exporters), so a
    new format family is one new module and nothing else lists it."""
    package = Path(__file__).resolve().parent
    for info in pkgutil.iter_modules([str(package)]):
        if info.name.endswith("_formats"):
            importlib.import_module(f"{__package__}.{info.name}")
