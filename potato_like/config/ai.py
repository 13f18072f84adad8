"""`ai_support` and `chat_support`, read as Potato writes them, into frozen settings.

    ai_support:
      enabled: true
      endpoint_type: openai            # builtin (default) | openai | openai_compatible | vllm |
                                       # open_router | anthropic | gemini | huggingface | ollama
      ai_config: {model, api_key, base_url, temperature, max_tokens, timeout, include}
      ai_config_file: ai-config.yaml   # endpoint_type + ai_config values kept out of git
      cache_config: {disk_cache: {enabled, path}, prefetch: {warm_up_page_count, on_next, on_prev}}
      option_highlighting: {enabled, top_k, dim_opacity, auto_apply, schemas, prefetch_count}
      prefill: false                   # ours: put the suggestion into the form (off by default)

API keys come from the environment: `api_key: ${OPENAI_API_KEY}`, or no api_key at all and
the vendor's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, HF_TOKEN). A
key written into the file works but is warned about. Keys are kept out of every repr, log line
and page (`AiConfig.public_json`).
"""

from __future__ import annotations

import importlib.util
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError
from .load import EnvValue, read_config_file
from .reader import ConfigReader, hint
from .vision import VisionConfig, read_vision

AI_SUPPORT_KEYS = (
    "enabled",
    "endpoint_type",
    "ai_config",
    "ai_config_file",
    "cache_config",
    "option_highlighting",
    "prefill",
    "visual_endpoint_type",
    "visual_ai_config",
)
# The settings every LLM provider reads from `ai_config` (a provider may add its own:
# Provider.setting_keys).
AI_CONFIG_KEYS = ("model", "api_key", "base_url", "temperature", "max_tokens", "timeout", "include")
INCLUDE_KEYS = ("all", "special_include")
CACHE_KEYS = ("enabled", "disk_cache", "prefetch")
DISK_CACHE_KEYS = ("enabled", "path")
PREFETCH_KEYS = ("warm_up_page_count", "on_next", "on_prev")
OPTION_HIGHLIGHT_KEYS = (
    "enabled",
    "top_k",
    "dim_opacity",
    "auto_apply",
    "schemas",
    "prefetch_count",
)
CHAT_KEYS = ("enabled", "endpoint_type", "ai_config", "system_prompt", "ui")
CHAT_PROMPT_KEYS = ("template",)
CHAT_UI_KEYS = ("title", "placeholder", "sidebar_width", "max_history_per_instance")
# Potato's vision endpoints (YOLO, SAM, vision LLMs): not served here; accepted with a warning.
VISION_TYPES = ("yolo", "ollama_vision", "openai_vision", "anthropic_vision", "sam", "sam3")
# The vendor's usual environment variable, read when the config names no key.
KEY_VARIABLES = {
    "openai": ("OPENAI_API_KEY",),
    "anthropic": ("ANTHROPIC_API_KEY",),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "huggingface": ("HF_TOKEN", "HUGGINGFACE_API_KEY"),
    "open_router": ("OPENROUTER_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY",),
}
DEFAULT_BASE_URLS = {
    "open_router": "https://openrouter.ai/api/v1",
    "openrouter": "https://openrouter.ai/api/v1",
}
DEFAULT_TIMEOUT = 10.0
DEFAULT_CACHE_FILE = "ai_cache.json"


@dataclass(frozen=True)
class CacheConfig:
    disk_enabled: bool = False
    path: Path | None = None  # the disk cache file (under the output directory by default)
    warm_up: int = 0  # items suggested for at start, in the background
    on_next: int = 3  # items ahead prefetched when an annotator opens an item
    on_prev: int = 0


@dataclass(frozen=True)
class HighlightConfig:
    enabled: bool = False
    top_k: int = 3
    dim_opacity: float = 0.4
    auto_apply: bool = True
    schemas: tuple[str, ...] | None = None  # None: every scheme with options
    prefetch_count: int = 20

    def as_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "top_k": self.top_k,
            "dim_opacity": self.dim_opacity,
            "auto_apply": self.auto_apply,
            "schemas": list(self.schemas) if self.schemas is not None else None,
            "prefetch_count": self.prefetch_count,
        }


@dataclass(frozen=True)
class AiConfig:
    """`project.config.ai`. `settings` is the provider's (model, api_key, base_url, ...): never
    shown anywhere, so it is left out of repr."""

    enabled: bool
    endpoint_type: str  # the registry name (aliases resolved: vllm -> openai_compatible)
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    written_type: str = ""  # endpoint_type as the config wrote it
    timeout: float = DEFAULT_TIMEOUT
    schemas: tuple[str, ...] | None = None  # include: None = every scheme
    prefill: bool = False
    cache: CacheConfig = field(default_factory=CacheConfig)
    highlighting: HighlightConfig = field(default_factory=HighlightConfig)
    vision: VisionConfig | None = None  # visual_endpoint_type (ai/vision/)

    @property
    def model(self) -> str:
        return str(self.settings.get("model") or "")

    def covers(self, schema: str) -> bool:
        return self.schemas is None or schema in self.schemas

    def public_json(self) -> dict[str, Any]:
        """What pages and APIs may show: no key, no base URL."""
        return {
            "enabled": self.enabled,
            "endpoint_type": self.endpoint_type,
            "model": self.model,
            "timeout": self.timeout,
            "prefill": self.prefill,
        }


@dataclass(frozen=True)
class ChatConfig:
    enabled: bool
    endpoint_type: str
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    timeout: float = DEFAULT_TIMEOUT
    system_template: str = ""
    title: str = "Ask AI"
    placeholder: str = "Ask about this annotation..."
    sidebar_width: int = 380
    max_history: int = 50

    def public_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "endpoint_type": self.endpoint_type,
            "model": str(self.settings.get("model") or ""),
            "ui": {
                "title": self.title,
                "placeholder": self.placeholder,
                "sidebar_width": self.sidebar_width,
                "max_history_per_instance": self.max_history,
            },
        }


def read_ai(r: ConfigReader, config_dir: Path, output_dir: Path, scheme_names) -> AiConfig | None:
    """`ai_support`, or None when absent or `enabled: false`."""
    if not r.has("ai_support"):
        return None
    sub = r.child("ai_support")
    sub.warn_unknown(AI_SUPPORT_KEYS)
    if not sub.bool("enabled", False):
        return None
    inline = sub.child("ai_config")
    values = dict(inline.raw)
    written = sub.str("endpoint_type", None)
    file_name = sub.str("ai_config_file", None)
    if file_name:
        external = _read_external(sub, config_dir, file_name)
        if external is None:
            return None
        written = external.pop("endpoint_type", None) or written
        values.update(external)  # the file's values win, as in Potato
    if written in VISION_TYPES and not sub.has("visual_endpoint_type"):
        # Potato's form: the main endpoint is a vision one, with its settings in ai_config.
        # Text suggestions then come from the default (builtin) provider.
        own = {k: v for k, v in values.items() if k != "include"}  # include: which schemes
        conf = ConfigReader(own, inline.path or sub.key_path("ai_config"), r.problems, r.warnings)
        vision = read_vision(sub, config_dir, (written, conf))
        written = None
        values = {k: v for k, v in values.items() if k == "include"}
    else:
        vision = read_vision(sub, config_dir)
    written = written or "builtin"
    name = _provider_name(sub, "endpoint_type", written)
    if name is None:
        return None
    conf = ConfigReader(values, inline.path or sub.key_path("ai_config"), r.problems, r.warnings)
    settings, timeout = _settings(conf, name, written)
    if not _has_key(conf, name, settings):
        return None
    include = conf.child("include")
    include.warn_unknown(INCLUDE_KEYS)
    schemas = None
    if include.raw and not include.bool("all", False):
        schemas = tuple(_special_include(include, scheme_names))
    return AiConfig(
        enabled=True,
        endpoint_type=name,
        settings=settings,
        written_type=written,
        timeout=timeout,
        schemas=schemas,
        prefill=sub.bool("prefill", False),
        cache=_cache(sub.child("cache_config"), config_dir, output_dir),
        highlighting=_highlighting(sub.child("option_highlighting"), scheme_names),
        vision=vision,
    )


def read_chat(r: ConfigReader) -> ChatConfig | None:
    """`chat_support`, or None when absent or off."""
    if not r.has("chat_support"):
        return None
    sub = r.child("chat_support")
    sub.warn_unknown(CHAT_KEYS)
    if not sub.bool("enabled", False):
        return None
    written = sub.str("endpoint_type", None, required=True)
    if written is None:
        return None
    name = _provider_name(sub, "endpoint_type", written)
    if name is None:
        return None
    conf = sub.child("ai_config")
    settings, timeout = _settings(conf, name, written)
    if not _has_key(conf, name, settings):
        return None
    prompt = sub.child("system_prompt")
    prompt.warn_unknown(CHAT_PROMPT_KEYS)
    ui = sub.child("ui")
    ui.warn_unknown(CHAT_UI_KEYS)
    return ChatConfig(
        enabled=True,
        endpoint_type=name,
        settings=settings,
        timeout=timeout,
        system_template=prompt.str("template", "", allow_empty=True),
        title=ui.str("title", "Ask AI"),
        placeholder=ui.str("placeholder", "Ask about this annotation..."),
        sidebar_width=ui.number("sidebar_width", 380, integer=True, minimum=200, maximum=800),
        max_history=ui.number("max_history_per_instance", 50, integer=True, minimum=1),
    )


def _provider_name(sub: ConfigReader, key: str, written: str) -> str | None:
    from ..ai.providers.registry import names, provider_class

    if written in VISION_TYPES:
        sub.problem(key, f"{written!r} is a vision endpoint; set it as visual_endpoint_type")
        return None
    cls = provider_class(written)
    if cls is None:
        if written == "builtin" and not sub.has(key):
            # Only in an installation without the builtin provider: AI off, said in the log
            # (not a config warning: the same config is right where the provider exists).
            logging.getLogger("potato_like").warning(
                "%s: no endpoint_type given and the builtin provider is not part of this "
                "installation; AI assistance is off (set endpoint_type to an LLM provider)",
                sub.key_path(key),
            )
            return None
        sub.problem(
            key,
            f"{written!r} is not an AI provider (one of: {', '.join(names())})"
            f"{hint(written, names())}",
        )
        return None
    return cls.name


def _settings(conf: ConfigReader, name: str, written: str) -> tuple[dict[str, Any], float]:
    from ..ai.providers.registry import provider_class

    cls = provider_class(name)
    extra = tuple(getattr(cls, "setting_keys", ()))
    conf.warn_unknown((*AI_CONFIG_KEYS, *extra))
    timeout = float(conf.number("timeout", DEFAULT_TIMEOUT, minimum=0.1, maximum=600))
    base_url = conf.str("base_url", None) or DEFAULT_BASE_URLS.get(written)
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            conf.problem("base_url", f"{base_url!r} must be an http(s) URL")
            base_url = None
    settings: dict[str, Any] = {
        "endpoint_type": written,
        "model": conf.str("model", None),
        "base_url": base_url,
        "temperature": conf.number("temperature", None, minimum=0, maximum=2),
        "max_tokens": conf.number("max_tokens", None, integer=True, minimum=1, maximum=100_000),
        "timeout": timeout,
        "api_key": _api_key(conf, written),
    }
    for key in extra:
        if key in conf.raw:
            settings[key] = conf.raw[key]
    module = getattr(cls, "module", "")
    if module and not _importable(module):
        where = conf.path.rsplit(".", 1)[0] + ".endpoint_type"
        conf.warnings.append(
            f"{where}: the {name} provider needs the {cls.package!r} package, which is not "
            "installed: pip install 'potato_like[llm]'; until then there are no suggestions",
        )
    own, problems = cls.read_settings(settings, conf.path) if cls else (settings, [])
    conf.problems.extend(problems)
    return dict(own), timeout


def _has_key(conf: ConfigReader, name: str, settings: Mapping[str, Any]) -> bool:
    """A cloud provider without a key (and no base_url of one's own) cannot answer: a
    warning, and that feature off (Potato's examples name keys that are often unset)."""
    from ..ai.providers.registry import provider_class

    if not getattr(provider_class(name), "needs_key", False):
        return True
    if settings.get("api_key") or settings.get("base_url"):
        return True
    variables = " or ".join(KEY_VARIABLES.get(name, ())) or "its key variable"
    conf.warn(
        "api_key",
        f"{name} needs an API key: write api_key: ${{VARIABLE}} (or set {variables}); "
        "until then it is off",
    )
    return False


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _api_key(conf: ConfigReader, written: str) -> str | None:
    value = conf.raw.get("api_key")
    if value is not None and not isinstance(value, str):
        conf.problem("api_key", "must be a string (better: ${ENV_VAR})")
        return None
    if isinstance(value, str) and value.strip():
        if not isinstance(value, EnvValue):
            conf.warn(
                "api_key",
                "is written into the config file; put it in an environment variable and "
                "write api_key: ${VARIABLE} (the key itself is never logged or shown)",
            )
        return value.strip()
    for variable in KEY_VARIABLES.get(written, ()):
        if os.environ.get(variable):
            return os.environ[variable]
    return None


def _read_external(sub: ConfigReader, config_dir: Path, file_name: str) -> dict | None:
    path = Path(os.path.expanduser(file_name))
    path = path if path.is_absolute() else config_dir / path
    if not path.is_file():
        sub.warn(
            "ai_config_file",
            f"{path} does not exist; AI assistance is off (copy the example file and fill it in)",
        )
        return None
    try:
        raw, unset = read_config_file(path)
    except ConfigError as exc:
        for problem in exc.problems:
            sub.problems.append(f"{sub.key_path('ai_config_file')}: {problem}")
        return None
    for ref in unset:
        sub.warn("ai_config_file", f"{ref.path}: environment variable {ref.name} is not set")
    return raw


def _special_include(include: ConfigReader, scheme_names) -> list[str]:
    """Potato's `special_include: {page: {annotation_id: [kinds]}}`: the schemes named by
    position (annotation_id) or by name get suggestions."""
    chosen: list[str] = []
    pages = include.child("special_include")
    for page, entries in pages.raw.items():
        if not isinstance(entries, Mapping):
            pages.problem(str(page), "must map annotation ids to lists of assistant kinds")
            continue
        for key in entries:
            name = _scheme_at(str(key), scheme_names)
            if name is None:
                pages.problem(f"{page}.{key}", "names no annotation scheme (index or name)")
            elif name not in chosen:
                chosen.append(name)
    return chosen


def _scheme_at(key: str, scheme_names) -> str | None:
    names = list(scheme_names)
    if key.isdigit() and int(key) < len(names):
        return names[int(key)]
    return key if key in names else None


def _cache(sub: ConfigReader, config_dir: Path, output_dir: Path) -> CacheConfig:
    sub.warn_unknown(CACHE_KEYS)
    disk = sub.child("disk_cache")
    disk.warn_unknown(DISK_CACHE_KEYS)
    prefetch = sub.child("prefetch")
    prefetch.warn_unknown(PREFETCH_KEYS)
    enabled = disk.bool("enabled", sub.bool("enabled", False))
    path_value = disk.str("path", None)
    path = None
    if enabled:
        if path_value:
            given = Path(os.path.expanduser(path_value))
            path = given if given.is_absolute() else (config_dir / given).resolve()
        else:
            path = output_dir / DEFAULT_CACHE_FILE
    return CacheConfig(
        disk_enabled=enabled,
        path=path,
        warm_up=prefetch.number("warm_up_page_count", 0, integer=True, minimum=0, maximum=10_000),
        on_next=prefetch.number("on_next", 3, integer=True, minimum=0, maximum=100),
        on_prev=prefetch.number("on_prev", 0, integer=True, minimum=0, maximum=100),
    )


def _highlighting(sub: ConfigReader, scheme_names) -> HighlightConfig:
    sub.warn_unknown(OPTION_HIGHLIGHT_KEYS)
    schemas = None
    if sub.has("schemas"):
        schemas = tuple(sub.string_list("schemas"))
        for i, name in enumerate(schemas):
            if name not in scheme_names:
                sub.problem(f"schemas[{i}]", f"{name!r} is not an annotation scheme")
    return HighlightConfig(
        enabled=sub.bool("enabled", False),
        top_k=sub.number("top_k", 3, integer=True, minimum=1, maximum=10),
        dim_opacity=float(sub.number("dim_opacity", 0.4, minimum=0.1, maximum=0.9)),
        auto_apply=sub.bool("auto_apply", True),
        schemas=schemas,
        prefetch_count=sub.number("prefetch_count", 20, integer=True, minimum=0, maximum=500),
    )
