"""`live_agent` and `live_coding_agent`, read as Potato writes them.

    live_agent:                       # a browsing agent (here: text pages fetched safely)
      endpoint_type: ollama_vision    # ollama_vision | anthropic_vision | openai_vision | any
      ai_config: {model, base_url, api_key, max_tokens, temperature, timeout}   # AI provider
      system_prompt: "..."
      max_steps: 30
      step_delay: 1.0
      allow_instructions: true
      viewport / allow_takeover       # need a real browser: accepted with a warning

    live_coding_agent:
      backend_type: ollama_tool_use   # ollama_tool_use | openai_tool_use | anthropic_tool_use
      ai_config: {...}
      working_dir: ./workspace        # copied into each run's sandbox directory
      max_turns: 20
      system_prompt: ""
      sandbox_mode: container         # container | bubblewrap | trusted (direct, worktree)
      acknowledge_untrusted_code_execution: false

The LLM calls go through the AI provider registry; the provider's settings are read by the
same code as `ai_support.ai_config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config.reader import ConfigReader

LIVE_AGENT_KEYS = (
    "endpoint_type",
    "ai_config",
    "system_prompt",
    "max_steps",
    "step_delay",
    "allow_instructions",
)
LIVE_AGENT_LATER = {
    "viewport": "a real browser's viewport (pages are fetched as text here)",
    "allow_takeover": "taking over a real browser",
}
LIVE_CODING_KEYS = (
    "backend_type",
    "ai_config",
    "working_dir",
    "max_turns",
    "system_prompt",
    "sandbox_mode",
    "acknowledge_untrusted_code_execution",
)
LIVE_CODING_LATER = {
    name: "container sandboxes (Docker/Podman) are not built here; commands are refused"
    for name in (
        "container_cli",
        "container_runtime",
        "sandbox_image",
        "sandbox_network",
        "sandbox_user",
        "sandbox_memory",
        "sandbox_cpus",
        "sandbox_pids_limit",
        "sandbox_root",
    )
}
# Potato's endpoint / backend names -> our AI provider names.
PROVIDER_NAMES = {
    "ollama_vision": "ollama",
    "anthropic_vision": "anthropic",
    "openai_vision": "openai",
    "ollama_tool_use": "ollama",
    "anthropic_tool_use": "anthropic",
    "openai_tool_use": "openai_compatible",
}
DEFAULT_STEP_TIMEOUT = 120.0  # seconds per model call, when ai_config sets no timeout
DEFAULT_MAX_TOKENS = 2048
SANDBOX_MODES = {
    "container": "container",
    "docker": "container",
    "bubblewrap": "bubblewrap",
    "trusted": "trusted",
    "direct": "trusted",
    "worktree": "trusted",
}


@dataclass(frozen=True)
class LiveAgentConfig:
    kind: str  # "live_agent" | "live_coding_agent"
    endpoint_type: str  # our provider name
    settings: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    system_prompt: str = ""
    max_steps: int = 30
    step_delay: float = 0.0
    allow_instructions: bool = True
    working_dir: Path | None = None  # coding agent: copied into each run's sandbox
    sandbox_mode: str = "container"
    commands_allowed: bool = False  # coding agent: the Bash tool runs (trusted + acknowledged)


def read_live_agents(r: ConfigReader, config_dir: Path) -> dict[str, LiveAgentConfig]:
    """{kind: settings} for the blocks present and usable."""
    out: dict[str, LiveAgentConfig] = {}
    if r.has("live_agent"):
        found = _read_browsing(r.child("live_agent"))
        if found is not None:
            out["live_agent"] = found
    if r.has("live_coding_agent"):
        found = _read_coding(r.child("live_coding_agent"), config_dir)
        if found is not None:
            out["live_coding_agent"] = found
    return out


def _provider(sub: ConfigReader, key: str, default: str) -> tuple[str, dict] | None:
    from ..ai.providers.registry import names, provider_class
    from ..config.ai import _settings

    written = sub.str(key, default) or default
    name = PROVIDER_NAMES.get(written, written)
    if name == "claude_sdk":
        sub.warn(key, "claude_sdk (the Claude Agent SDK) is not built here; live runs are off")
        return None
    if provider_class(name) is None:
        sub.problem(key, f"{written!r} is not an AI provider (one of: {', '.join(names())})")
        return None
    conf = sub.child("ai_config")
    settings, _timeout = _settings(conf, name, name)
    # A run is background work, not a request: a model may think longer and write whole
    # files, so the defaults are larger than for suggestions.
    if "timeout" not in conf.raw:
        settings["timeout"] = DEFAULT_STEP_TIMEOUT
    if "max_tokens" not in conf.raw:
        settings["max_tokens"] = DEFAULT_MAX_TOKENS
    return name, settings


def _read_browsing(sub: ConfigReader) -> LiveAgentConfig | None:
    sub.warn_unknown(LIVE_AGENT_KEYS, later=LIVE_AGENT_LATER)
    found = _provider(sub, "endpoint_type", "ollama_vision")
    if found is None:
        return None
    name, settings = found
    return LiveAgentConfig(
        kind="live_agent",
        endpoint_type=name,
        settings=settings,
        system_prompt=sub.str("system_prompt", "", allow_empty=True) or "",
        max_steps=sub.number("max_steps", 30, integer=True, minimum=1, maximum=500),
        step_delay=float(sub.number("step_delay", 0.0, minimum=0, maximum=60)),
        allow_instructions=sub.bool("allow_instructions", True),
    )


def _read_coding(sub: ConfigReader, config_dir: Path) -> LiveAgentConfig | None:
    sub.warn_unknown(LIVE_CODING_KEYS, later=LIVE_CODING_LATER)
    found = _provider(sub, "backend_type", "ollama_tool_use")
    if found is None:
        return None
    name, settings = found
    written_mode = (sub.str("sandbox_mode", "container") or "container").lower()
    mode = SANDBOX_MODES.get(written_mode)
    if mode is None:
        sub.problem("sandbox_mode", f"must be one of {', '.join(SANDBOX_MODES)}")
        mode = "container"
    acknowledged = sub.bool("acknowledge_untrusted_code_execution", False)
    if mode == "trusted" and not acknowledged:
        sub.warn(
            "sandbox_mode",
            f"{written_mode}: commands would run on this host; they are refused unless "
            "acknowledge_untrusted_code_execution: true (file tools still work)",
        )
    elif mode != "trusted":
        sub.warn(
            "sandbox_mode",
            f"{written_mode}: not built here; the agent's commands are refused "
            "(file tools still work)",
        )
    working = sub.str("working_dir", None)
    working_dir = None
    if working:
        working_dir = (config_dir / working).resolve()
        if not working_dir.is_dir():
            sub.warn("working_dir", f"{working_dir} is not a directory; runs start empty")
            working_dir = None
    return LiveAgentConfig(
        kind="live_coding_agent",
        endpoint_type=name,
        settings=settings,
        system_prompt=sub.str("system_prompt", "", allow_empty=True) or "",
        max_steps=sub.number("max_turns", 50, integer=True, minimum=1, maximum=500),
        working_dir=working_dir,
        sandbox_mode=mode,
        commands_allowed=mode == "trusted" and acknowledged,
    )
