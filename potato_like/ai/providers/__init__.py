"""AI providers, one module each, registered by name (`endpoint_type` in `ai_support`)."""

from .registry import Provider, for_project, names, provider_class, register

__all__ = ["Provider", "for_project", "names", "provider_class", "register"]
