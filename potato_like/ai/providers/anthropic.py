"""Anthropic's Messages API with the `anthropic` SDK. Structured output: a forced tool call
whose input schema is the answer's JSON Schema."""

from __future__ import annotations

from .llm import LLMProvider, Transient, status_error
from .registry import register


@register("anthropic")
class Anthropic(LLMProvider):
    package = "anthropic"
    module = "anthropic"
    default_model = "claude-3-5-haiku-latest"
    needs_key = True

    def make_client(self, sdk):
        return sdk.Anthropic(
            api_key=self.settings.get("api_key") or "not-needed",
            base_url=self.settings.get("base_url") or None,
            timeout=self.timeout,
            max_retries=0,  # retries are ours: they must fit in the time-out
        )

    def _complete(self, system, messages, schema, timeout):
        sdk = self.sdk()
        options = {}
        if system:
            options["system"] = system
        if self.temperature is not None:
            options["temperature"] = min(1.0, self.temperature)  # Anthropic's range is 0-1
        if schema is not None:
            options["tools"] = [
                {
                    "name": "suggestion",
                    "description": "Give the answer for the item.",
                    "input_schema": schema,
                }
            ]
            options["tool_choice"] = {"type": "tool", "name": "suggestion"}
        try:
            reply = self.client().messages.create(
                model=self.model,
                messages=messages,
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
        texts = []
        for block in reply.content:
            if getattr(block, "type", "") == "tool_use" and isinstance(block.input, dict):
                return block.input
            if getattr(block, "type", "") == "text":
                texts.append(block.text)
        return "".join(texts)
