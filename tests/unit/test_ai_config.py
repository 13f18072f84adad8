"""`ai_support` and `chat_support` as Potato writes them: defaults, errors by key path,
unknown keys warned, keys from the environment only, ai_config_file merged."""

from __future__ import annotations

import pytest
import yaml

from potato_like.ai.providers.registry import provider_class
from potato_like.config.validate import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config, write_items


def load(tmp_path, **overrides):
    write_items(tmp_path / "data.jsonl", 2)
    return load_config(write_config(tmp_path, base_config(**overrides)))


def problems(tmp_path, **overrides) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, **overrides)
    return err.value.problems


def test_potato_openai_block(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_OPENAI", "sk-env-key")
    config = load(
        tmp_path,
        ai_support={
            "enabled": True,
            "endpoint_type": "openai",
            "ai_config": {
                "model": "gpt-4o-mini",
                "api_key": "${MY_OPENAI}",
                "temperature": 0.3,
                "max_tokens": 100,
                "include": {"all": True},
            },
            "cache_config": {
                "disk_cache": {"enabled": True, "path": "annotation_output/ai_cache.json"},
                "prefetch": {"warm_up_page_count": 0, "on_next": 5, "on_prev": 2},
            },
        },
    )
    ai = config.ai
    assert (ai.endpoint_type, ai.model, ai.timeout) == ("openai", "gpt-4o-mini", 10.0)
    assert ai.settings["api_key"] == "sk-env-key" and ai.settings["temperature"] == 0.3
    assert ai.cache.disk_enabled and ai.cache.path == tmp_path / "annotation_output/ai_cache.json"
    assert ai.cache.on_next == 5 and ai.schemas is None and ai.prefill is False
    assert "sk-env-key" not in repr(config) and "sk-env-key" not in str(ai.public_json())
    assert not [w for w in config.warnings if "ai_support" in w]


def test_literal_key_is_warned_and_vendor_variable_is_read(tmp_path, monkeypatch):
    config = load(
        tmp_path,
        ai_support={
            "enabled": True,
            "endpoint_type": "anthropic",
            "ai_config": {"api_key": "sk-x"},
        },
    )
    assert any(w.startswith("ai_support.ai_config.api_key: is written") for w in config.warnings)
    assert not any("sk-x" in w for w in config.warnings)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "from-env")
    config = load(tmp_path, ai_support={"enabled": True, "endpoint_type": "anthropic"})
    assert config.ai.settings["api_key"] == "from-env"


def test_cloud_provider_without_key_is_off_with_a_warning(tmp_path, monkeypatch):
    # Potato's examples name keys (${OPENAI_API_KEY}) that are often unset: they still load.
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    block = {
        "enabled": True,
        "endpoint_type": "openai",
        "ai_config": {"api_key": "${OPENAI_API_KEY}"},
    }
    config = load(tmp_path, ai_support=block)
    assert config.ai is None
    assert any(
        w.startswith("ai_support.ai_config.api_key: openai needs an API key")
        for w in config.warnings
    )


def test_errors_by_key_path_all_at_once(tmp_path):
    found = problems(
        tmp_path,
        ai_support={
            "enabled": True,
            "endpoint_type": "vllm",
            "ai_config": {
                "temperature": 7,
                "max_tokens": "many",
                "base_url": "ftp://x",
                "timeout": 0,
            },
            "option_highlighting": {"top_k": 0, "schemas": ["nope"]},
        },
    )
    for prefix in (
        "ai_support.ai_config.temperature:",
        "ai_support.ai_config.max_tokens:",
        "ai_support.ai_config.base_url:",
        "ai_support.ai_config.timeout:",
        "ai_support.option_highlighting.top_k:",
        "ai_support.option_highlighting.schemas[0]:",
    ):
        assert any(p.startswith(prefix) for p in found), (prefix, found)


def test_unknown_endpoint_and_keys(tmp_path):
    found = problems(tmp_path, ai_support={"enabled": True, "endpoint_type": "opnai"})
    assert any("'opnai' is not an AI provider" in p and "did you mean 'openai'" in p for p in found)
    config = load(
        tmp_path,
        ai_support={
            "enabled": True,
            "endpoint_type": "ollama",
            "ai_config": {"modle": "x"},
            "cach_config": {},
            "visual_endpoint_type": "sam3",
        },
    )
    warnings = "\n".join(config.warnings)
    assert "ai_support.ai_config.modle: unknown key" in warnings
    assert "ai_support.cach_config: unknown key" in warnings
    assert "ai_support.visual_endpoint_type: 'sam3' is not served" in warnings


def test_vllm_bare_host_and_openrouter_default(tmp_path):
    config = load(
        tmp_path,
        ai_support={
            "enabled": True,
            "endpoint_type": "vllm",
            "ai_config": {"model": "m", "base_url": "http://localhost:8000"},
        },
    )
    assert config.ai.endpoint_type == "openai_compatible"
    assert config.ai.settings["base_url"] == "http://localhost:8000/v1"
    config = load(
        tmp_path,
        ai_support={"enabled": True, "endpoint_type": "open_router", "ai_config": {"model": "a/b"}},
    )
    assert config.ai.settings["base_url"] == "https://openrouter.ai/api/v1"


def test_ai_config_file_merged_and_missing_file_turns_ai_off(tmp_path, monkeypatch):
    monkeypatch.setenv("OLLAMA_HOST_URL", "http://127.0.0.1:11434")
    (tmp_path / "ai-config.yaml").write_text(
        yaml.safe_dump(
            {"endpoint_type": "ollama", "model": "qwen3:0.6b", "base_url": "${OLLAMA_HOST_URL}"}
        )
    )
    block = {"enabled": True, "ai_config_file": "ai-config.yaml", "ai_config": {"max_tokens": 150}}
    ai = load(tmp_path, ai_support=block).ai
    assert (ai.endpoint_type, ai.model) == ("ollama", "qwen3:0.6b")
    assert ai.settings["base_url"] == "http://127.0.0.1:11434" and ai.settings["max_tokens"] == 150
    config = load(tmp_path, ai_support={**block, "ai_config_file": "missing.yaml"})
    assert config.ai is None
    assert any("missing.yaml does not exist; AI assistance is off" in w for w in config.warnings)


def test_default_endpoint_is_builtin(tmp_path, caplog):
    config = load(tmp_path, ai_support={"enabled": True})
    if provider_class("builtin") is None:
        assert config.ai is None
        assert "builtin provider is not part of this installation" in caplog.text
    else:
        assert config.ai.endpoint_type == "builtin"


def test_disabled_and_chat_support(tmp_path):
    config = load(
        tmp_path,
        ai_support={"enabled": False, "endpoint_type": "openai"},
        chat_support={
            "enabled": True,
            "endpoint_type": "ollama",
            "ai_config": {"model": "llama3.2", "max_tokens": 500},
            "system_prompt": {"template": "Task {task_name}"},
            "ui": {"title": "Ask", "sidebar_width": 300},
        },
    )
    assert config.ai is None
    assert (
        config.chat.endpoint_type == "ollama" and config.chat.system_template == "Task {task_name}"
    )
    assert config.chat.public_json()["ui"]["sidebar_width"] == 300
    assert "chat_support.endpoint_type: is required" in problems(
        tmp_path, chat_support={"enabled": True}
    )
    found = problems(
        tmp_path,
        chat_support={"enabled": True, "endpoint_type": "ollama", "ui": {"sidebar_width": 5}},
    )
    assert any(p.startswith("chat_support.ui.sidebar_width:") for p in found)


def test_missing_sdk_is_a_clear_warning_and_no_suggestion(tmp_path, monkeypatch):
    from potato_like.ai.suggestion import ProviderUnavailable, SuggestionRequest

    cls = provider_class("ollama")
    monkeypatch.setattr(cls, "module", "no_such_sdk_for_tests")
    config = load(tmp_path, ai_support={"enabled": True, "endpoint_type": "ollama"})
    assert any(
        w.startswith("ai_support.endpoint_type: the ollama provider needs the 'ollama' package")
        for w in config.warnings
    )
    provider = cls(None, config.ai.settings)
    with pytest.raises(ProviderUnavailable, match="pip install"):
        provider.suggest(SuggestionRequest("i", "t", "s", "radio", ("a", "b")))
