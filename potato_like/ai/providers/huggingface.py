"""Hugging Face Inference (the router's chat completion, or a TGI / Inference Endpoint at
base_url) with the `huggingface_hub` SDK's InferenceClient. Structured output: a JSON grammar
(`response_format: {type: json, value: schema}`)."""

from __future__ import annotations

from .llm import LLMProvider, Transient, status_error
from .registry import register


@register("huggingface")
class HuggingFace(LLMProvider):
    package = "huggingface_hub"
    module = "huggingface_hub"
    default_model = "meta-llama/Llama-3.2-3B-Instruct"
    needs_key = True

    def make_client(self, sdk):
        base = self.settings.get("base_url")
        return sdk.InferenceClient(
            model=None if base else self.model,
            base_url=base or None,
            token=self.settings.get("api_key") or None,
            timeout=self.timeout,
        )

    def _complete(self, system, messages, schema, timeout):
        sdk = self.sdk()
        import httpx  # the SDK's transport

        chat = ([{"role": "system", "content": system}] if system else []) + messages
        options = {}
        if schema is not None:
            options["response_format"] = {"type": "json", "value": schema}
        if self.temperature is not None:
            options["temperature"] = self.temperature
        try:
            reply = self.client().chat_completion(
                messages=chat,
                model=self.model if self.settings.get("base_url") else None,
                max_tokens=self.max_tokens,
                **options,
            )
        except (sdk.InferenceTimeoutError, httpx.TimeoutException):
            raise TimeoutError from None
        except sdk.errors.HfHubHTTPError as exc:
            response = getattr(exc, "response", None)
            status = getattr(response, "status_code", None) or 500
            raise status_error(status, getattr(response, "headers", None), str(exc)) from None
        except httpx.TransportError as exc:
            raise Transient(f"cannot connect: {exc}") from None
        if not reply.choices:
            return ""
        return reply.choices[0].message.content or ""
