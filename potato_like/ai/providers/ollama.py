"""Ollama's native API (/api/chat) with the `ollama` SDK. Structured output: `format` set to
the answer's JSON Schema. (Ollama's OpenAI-compatible /v1 API: use openai_compatible.)"""

from __future__ import annotations

import threading

from .llm import LLMProvider, Transient, status_error
from .registry import register


@register("ollama")
class Ollama(LLMProvider):
    package = "ollama"
    module = "ollama"
    default_model = "llama3.2"

    def __init__(self, project, settings) -> None:
        super().__init__(project, settings)
        # The SDK's ResponseError has no headers: an httpx hook keeps the last answer's.
        self._seen = threading.local()

    def make_client(self, sdk):
        def keep_headers(response):
            self._seen.headers = response.headers

        return sdk.Client(
            host=self.settings.get("base_url") or "http://localhost:11434",
            timeout=self.timeout,
            event_hooks={"response": [keep_headers]},
        )

    def _complete(self, system, messages, schema, timeout):
        sdk = self.sdk()
        import httpx  # the SDK's transport

        chat = ([{"role": "system", "content": system}] if system else []) + messages
        options = {"num_predict": self.max_tokens}
        if self.temperature is not None:
            options["temperature"] = self.temperature
        client = self.client()
        self._seen.headers = None
        try:
            # The SDK has no per-call time-out: the client's is the whole budget; a shorter
            # remainder is enforced by the caller's deadline on the next try.
            reply = client.chat(
                model=self.model, messages=chat, format=schema, options=options, stream=False
            )
        except httpx.TimeoutException:
            raise TimeoutError from None
        except sdk.ResponseError as exc:
            raise status_error(exc.status_code, self._seen.headers, str(exc)) from None
        except (httpx.TransportError, ConnectionError) as exc:
            raise Transient(f"cannot connect: {exc}") from None
        return reply.message.content or ""
