"""The registry of AI providers: `endpoint_type` name -> Provider class.

A provider module registers itself with `@register("name")`; modules in this package are
imported on first use, like the annotation-type registry. A provider owns its own settings
(`read_settings`), so nothing outside its module knows its options.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..suggestion import NotSupported, Suggestion, SuggestionRequest

if TYPE_CHECKING:
    from ...project import Project

_PROVIDERS: dict[str, type[Provider]] = {}


class Provider:
    """One way of getting suggestions. Made once per project (`for_project`) and shared by
    its request threads, so it must be thread-safe. Methods may block for at most the
    configured time-out and raise ProviderUnavailable instead of hanging or failing."""

    name: ClassVar[str] = ""
    # Other endpoint_type spellings that mean this provider (Potato's names).
    aliases: ClassVar[tuple[str, ...]] = ()
    # Keys of `ai_config` this provider reads beyond the common ones (model, api_key,
    # base_url, temperature, max_tokens, timeout, include); others are warned about.
    setting_keys: ClassVar[tuple[str, ...]] = ()
    # Whether a suggestion may be cached per (item, scheme, model) and prefetched: true for
    # LLMs (slow, paid, stable answers); false for a model that retrains as answers come in.
    cache_suggestions: ClassVar[bool] = False

    def __init__(self, project: Project, settings: Mapping[str, Any]) -> None:
        self.project = project
        self.settings = settings

    @classmethod
    def read_settings(cls, raw: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        """(settings, problems) from the provider's config block; problems name `path`."""
        return dict(raw), []

    def suggest(self, request: SuggestionRequest) -> Suggestion:
        raise NotSupported(f"{self.name} gives no suggestions")

    def chat(self, messages: list[dict], system: str = "") -> str:
        """The assistant's reply to `messages` ([{role, content}]), for chat support."""
        raise NotSupported(f"{self.name} cannot chat")

    def close(self) -> None:
        """Stop background work and release connections (the project is closing)."""


def register(name: str):
    def add(cls: type[Provider]) -> type[Provider]:
        for key in (name, *cls.aliases):
            if key in _PROVIDERS:
                raise RuntimeError(f"AI provider {key!r} registered twice")
            _PROVIDERS[key] = cls
        cls.name = name
        return cls

    return add


def _load_builtin_providers() -> None:
    package = Path(__file__).parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name != "registry":
            importlib.import_module(f"{__package__}.{module.name}")


def provider_class(name: str) -> type[Provider] | None:
    _load_builtin_providers()
    return _PROVIDERS.get(name)


def names() -> list[str]:
    _load_builtin_providers()
    return sorted({cls.name for cls in _PROVIDERS.values()})


def for_project(project: Project) -> Provider | None:
    """The project's configured provider (made once, kept in `project.cache`), or None when
    AI assistance is off. Reads `project.config.ai` (set by the `ai_support` config reader)."""
    ai = getattr(project.config, "ai", None)
    if ai is None or not getattr(ai, "enabled", False):
        return None
    cls = provider_class(ai.endpoint_type)
    if cls is None:  # the config reader refuses unknown names; a guard, not a path
        return None
    return project.cache("ai_provider", lambda: cls(project, ai.settings))
