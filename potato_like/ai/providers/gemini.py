"""Google's Gemini API (generateContent) with the `google-genai` SDK. Structured output:
response_mime_type application/json with the answer's JSON Schema."""

from __future__ import annotations

import importlib

from .llm import LLMProvider, Transient, status_error
from .registry import register


@register("gemini")
class Gemini(LLMProvider):
    package = "google-genai"
    module = "google.genai"
    default_model = "gemini-2.0-flash"
    needs_key = True

    def make_client(self, sdk):
        options = {
            "timeout": int(self.timeout * 1000),
            # retries are ours: they must fit in the time-out
            "retry_options": sdk.types.HttpRetryOptions(attempts=1),
        }
        if self.settings.get("base_url"):
            options["base_url"] = self.settings["base_url"]
        return sdk.Client(
            api_key=self.settings.get("api_key") or "not-needed",
            http_options=sdk.types.HttpOptions(**options),
        )

    def _complete(self, system, messages, schema, timeout):
        sdk = self.sdk()
        timeouts, transport = _transport_errors()

        config = {
            "max_output_tokens": self.max_tokens,
            "http_options": sdk.types.HttpOptions(
                timeout=max(1, int(timeout * 1000)),
                retry_options=sdk.types.HttpRetryOptions(attempts=1),
            ),
        }
        if self.settings.get("base_url"):
            config["http_options"].base_url = self.settings["base_url"]
        if system:
            config["system_instruction"] = system
        if self.temperature is not None:
            config["temperature"] = self.temperature
        if schema is not None:
            config["response_mime_type"] = "application/json"
            config["response_json_schema"] = schema
        contents = [
            {
                "role": "model" if m["role"] == "assistant" else "user",
                "parts": [{"text": m["content"]}],
            }
            for m in messages
        ]
        try:
            reply = self.client().models.generate_content(
                model=self.model,
                contents=contents,
                config=sdk.types.GenerateContentConfig(**config),
            )
        except timeouts:
            raise TimeoutError from None
        except sdk.errors.APIError as exc:
            headers = getattr(getattr(exc, "response", None), "headers", None)
            raise status_error(int(exc.code or 500), headers, str(exc)) from None
        except transport as exc:
            raise Transient(f"cannot connect: {exc}") from None
        return reply.text or ""


def _transport_errors() -> tuple[tuple, tuple]:
    """The time-out and connection exceptions of the SDK's transport (httpx, or the httpx2
    fork newer SDK versions use)."""
    timeouts, transport = [], []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        timeouts.append(module.TimeoutException)
        transport.append(module.TransportError)
    return tuple(timeouts), tuple(transport)
