"""OpenAI's chat completions API: `openai` (api.openai.com or any base_url) and
`openai_compatible` (vLLM, Ollama's /v1, OpenRouter, llama.cpp, LM Studio: any base_url), with
the `openai` SDK. Structured output: a JSON Schema for OpenAI itself; `json_object` for
compatible servers, which support it more widely."""

from __future__ import annotations

from urllib.parse import urlsplit

from .llm import LLMProvider, Transient, status_error
from .registry import register


@register("openai")
class OpenAI(LLMProvider):
    package = "openai"
    module = "openai"
    default_model = "gpt-4o-mini"
    needs_key = True
    strict_schema = True

    def make_client(self, sdk):
        return sdk.OpenAI(
            api_key=self.settings.get("api_key") or "not-needed",
            base_url=self.settings.get("base_url") or None,
            timeout=self.timeout,
            max_retries=0,  # retries are ours: they must fit in the time-out
        )

    def _complete(self, system, messages, schema, timeout):
        sdk = self.sdk()
        client = self.client()
        chat = ([{"role": "system", "content": system}] if system else []) + messages
        options = {}
        if schema is not None:
            options["response_format"] = (
                {
                    "type": "json_schema",
                    "json_schema": {"name": "suggestion", "schema": schema, "strict": True},
                }
                if self.strict_schema
                else {"type": "json_object"}
            )
        if self.temperature is not None:
            options["temperature"] = self.temperature
        try:
            reply = client.chat.completions.create(
                model=self.model,
                messages=chat,
                max_tokens=self.max_tokens,
                timeout=timeout,
                **options,
            )
        except sdk.APITimeoutError:
            raise TimeoutError from None
        except sdk.APIStatusError as exc:
            raise status_error(exc.status_code, exc.response.headers, str(exc)) from None
        except sdk.APIConnectionError as exc:
            raise Transient(f"cannot connect: {exc}") from None
        if not reply.choices:
            return ""
        return reply.choices[0].message.content or ""


@register("openai_compatible")
class OpenAICompatible(OpenAI):
    aliases = ("vllm", "open_router", "openrouter")
    default_model = ""
    needs_key = False
    strict_schema = False

    @classmethod
    def read_settings(cls, raw, path):
        settings, problems = super().read_settings(raw, path)
        base = settings.get("base_url")
        if base and urlsplit(base).path in ("", "/"):
            settings["base_url"] = base.rstrip("/") + "/v1"  # Potato writes vLLM's bare host
        if not settings.get("base_url"):
            problems.append(f"{path}.base_url: is required for {raw.get('endpoint_type')}")
        if not settings.get("model"):
            problems.append(f"{path}.model: is required for {raw.get('endpoint_type')}")
        return settings, problems
