"""Every LLM provider against a local fake server speaking its vendor's wire format over
real HTTP, through the vendor's SDK: an answer, a time-out, a server error, a malformed
answer (asked once more, then "no suggestion"), and a rate limit with Retry-After."""

from __future__ import annotations

import time

import pytest

from potato_like.ai.providers.registry import provider_class
from potato_like.ai.suggestion import ProviderUnavailable, SuggestionRequest
from tests.llm_fakes import FakeLLM

# provider -> (fake wire format, base_url path)
PROVIDERS = {
    "openai": ("openai", "/v1"),
    "openai_compatible": ("openai", ""),  # a bare host: /v1 is added, as for vLLM
    "anthropic": ("anthropic", ""),
    "gemini": ("gemini", ""),
    "huggingface": ("openai", ""),  # TGI / router: OpenAI's chat completions at base_url
    "ollama": ("ollama", ""),
}
REQUEST = SuggestionRequest(
    "item_1", "What a great day!", "sentiment", "radio", ("positive", "negative")
)


@pytest.fixture(params=sorted(PROVIDERS))
def setup(request):
    name = request.param
    fake = FakeLLM(PROVIDERS[name][0])
    settings = {
        "endpoint_type": name,
        "api_key": "sk-test-secret",
        "base_url": fake.url + PROVIDERS[name][1],
        "model": "fake-model",
        "timeout": 1.0,
    }
    cls = provider_class(name)
    settings, problems = cls.read_settings(settings, "ai_support.ai_config")
    assert problems == []
    # The SDK's import and first-call set-up (seconds, once, answers and errors) are not part
    # of the budgets tested here.
    fake.script(("status", 500))
    cls(None, {**settings, "timeout": 30}).suggest(REQUEST)
    provider = cls(None, settings)
    provider.client()
    fake.requests.clear()
    yield provider, fake
    fake.close()


def test_answer_is_a_checked_suggestion(setup):
    provider, fake = setup
    s = provider.suggest(REQUEST)
    assert (s.label, s.confidence, s.explanation) == ("positive", 0.9, "says 'great'")
    assert s.provider == provider.name and s.model_version == "fake-model"
    assert len(fake.requests) == 1
    assert "What a great day!" in str(fake.requests[0]["body"])


def test_time_out_gives_no_suggestion_in_time(setup):
    provider, fake = setup
    fake.script(("slow", 3))
    start = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="did not answer within"):
        provider.suggest(REQUEST)
    assert time.monotonic() - start < 1.5


def test_server_error_is_tried_again(setup):
    provider, fake = setup
    fake.script(("status", 500))
    assert provider.suggest(REQUEST).label == "positive"
    assert len(fake.requests) == 2


def test_server_error_every_time_is_unavailable(setup):
    provider, fake = setup
    fake.script(*[("status", 503)] * 10)
    with pytest.raises(ProviderUnavailable):
        provider.suggest(REQUEST)


def test_malformed_answer_is_asked_once_more(setup):
    provider, fake = setup
    fake.script(("malformed",))
    assert provider.suggest(REQUEST).label == "positive"
    fake.script(("malformed",), ("malformed",))
    with pytest.raises(ProviderUnavailable, match="no suggestion"):
        provider.suggest(REQUEST)


def test_label_outside_the_options_is_malformed(setup):
    provider, fake = setup
    fake.script(("ok", {"label": "ecstatic", "confidence": 1, "explanation": ""}))
    assert provider.suggest(REQUEST).label == "positive"  # asked again, answered well
    assert len(fake.requests) == 2


def test_rate_limit_waits_for_retry_after(setup):
    provider, fake = setup
    fake.script(("rate", 0.3))
    start = time.monotonic()
    assert provider.suggest(REQUEST).label == "positive"
    assert time.monotonic() - start >= 0.3
    assert len(fake.requests) == 2


def test_retry_after_beyond_the_time_out_gives_up_at_once(setup):
    provider, fake = setup
    fake.script(("rate", 30))
    start = time.monotonic()
    with pytest.raises(ProviderUnavailable, match="busy"):
        provider.suggest(REQUEST)
    assert time.monotonic() - start < 0.5


def test_chat_returns_the_text(setup):
    provider, fake = setup
    fake.default = "Look at the word 'great'."
    assert provider.chat([{"role": "user", "content": "why?"}], "be brief") == (
        "Look at the word 'great'."
    )


def test_key_is_sent_but_not_in_repr(setup):
    provider, fake = setup
    provider.suggest(REQUEST)
    headers = " ".join(f"{k}: {v}" for k, v in fake.requests[0]["headers"].items())
    if provider.name != "ollama":  # Ollama has no keys
        assert "sk-test-secret" in headers
    assert "sk-test-secret" not in repr(provider)


def test_dead_endpoint_is_unavailable_quickly():
    cls = provider_class("openai_compatible")
    settings, _ = cls.read_settings(
        {"endpoint_type": "vllm", "base_url": "http://127.0.0.1:9", "model": "m", "timeout": 1},
        "x",
    )
    start = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        cls(None, settings).suggest(REQUEST)
    assert time.monotonic() - start < 1.5


def test_multiselect_answer_is_a_list_of_options():
    fake = FakeLLM("openai", {"label": ["Price", "quality"], "confidence": 8, "explanation": ""})
    try:
        cls = provider_class("openai")
        p = cls(None, {"api_key": "k", "base_url": fake.url + "/v1", "timeout": 1})
        request = SuggestionRequest(
            "i", "cheap and good", "topics", "multiselect", ("price", "quality"), multiple=True
        )
        s = p.suggest(request)
        assert s.label == ["price", "quality"] and s.confidence == 0.8
        schema = fake.requests[0]["body"]["response_format"]["json_schema"]["schema"]
        assert schema["properties"]["label"]["type"] == "array"
    finally:
        fake.close()
