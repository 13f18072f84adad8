"""What every LLM provider shares: the prompt, the JSON answer and its checks, and the time
budget (one deadline per request: retries, Retry-After waits and the vendor call all fit in
it). A vendor module implements `_complete` with its SDK, imported lazily.

A request's life: ask once; a rate limit (429) or a server error (5xx, dropped connection) is
tried again after Retry-After (or a short pause) while time remains; an answer that is not the
JSON asked for is asked once more; then `ProviderUnavailable` with a message for people.
"""

from __future__ import annotations

import contextlib
import email.utils
import importlib
import json
import re
import threading
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from ..suggestion import ProviderUnavailable, Suggestion, SuggestionRequest
from .registry import Provider

PAUSE_AFTER_ERROR = 0.25  # seconds before trying a failed call again (no Retry-After given)
MAX_CALLS = 4  # vendor calls per request at most (rate limits and server errors included)
SYSTEM = (
    "You help people annotate data. Read the item and answer the question with one JSON "
    'object and nothing else: {"label": <the answer>, "confidence": <a number from 0 to 1>, '
    '"explanation": <one short sentence naming the words or facts that decide it>}.'
)


class Transient(Exception):
    """A failed call worth trying again: rate limited, a server error, a dropped connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Malformed(Exception):
    """The model answered, but not with the JSON asked for."""


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from Retry-After (seconds, fractional allowed, or an HTTP date) or
    retry-after-ms; None when absent or unreadable."""
    if not headers:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, when.timestamp() - time.time()) if when else None


def status_error(status: int, headers: Mapping[str, str] | None, message: str) -> Exception:
    """The exception for an HTTP error answer: Transient for 408/409/429/5xx, else final."""
    if status in (408, 409, 429) or status >= 500:
        return Transient(f"HTTP {status}", retry_after(headers))
    return ProviderUnavailable(f"the endpoint refused the request (HTTP {status}): {message[:200]}")


class LLMProvider(Provider):
    """A provider that asks a language model. Vendor modules set `package` (the pip name),
    `module` (what to import) and `default_model`, and implement `_complete`."""

    package: ClassVar[str] = ""
    module: ClassVar[str] = ""
    default_model: ClassVar[str] = ""
    needs_key: ClassVar[bool] = False
    cache_suggestions = True

    def __init__(self, project, settings: Mapping[str, Any]) -> None:
        super().__init__(project, settings)
        self.timeout = float(settings.get("timeout") or 10.0)
        self.model = str(settings.get("model") or self.default_model)
        self._client = None
        self._lock = threading.Lock()
        # Import the SDK and build the client now, in the background: an SDK import takes
        # seconds, which must not come out of the first request's time budget.
        threading.Thread(target=self._warm, name=f"ai-warm-{self.name}", daemon=True).start()

    def _warm(self) -> None:
        with contextlib.suppress(Exception):  # a missing SDK is reported when a request needs it
            self.client()

    def __repr__(self) -> str:  # never the key
        return f"<{type(self).__name__} {self.name} model={self.model!r}>"

    # -- the SDK --------------------------------------------------------------------------
    def sdk(self):
        """The vendor's SDK module; ProviderUnavailable naming the package when missing."""
        try:
            return importlib.import_module(self.module)
        except ImportError as exc:
            raise ProviderUnavailable(
                f"the {self.name} provider needs the {self.package!r} package: "
                f"pip install 'potato_like[llm]' (or pip install {self.package})"
            ) from exc

    def client(self):
        """The SDK client, made once (thread-safe)."""
        with self._lock:
            if self._client is None:
                self._client = self.make_client(self.sdk())
            return self._client

    def make_client(self, sdk):
        raise NotImplementedError

    def _complete(
        self, system: str, messages: list[dict], schema: dict | None, timeout: float
    ) -> str | dict:
        """The model's answer (text, or the parsed object of a structured answer). Raises
        Transient, TimeoutError or ProviderUnavailable."""
        raise NotImplementedError

    @property
    def temperature(self) -> float | None:
        return self.settings.get("temperature")

    @property
    def max_tokens(self) -> int:
        return int(self.settings.get("max_tokens") or 300)

    # -- the contract ---------------------------------------------------------------------
    def suggest(self, request: SuggestionRequest) -> Suggestion:
        deadline = time.monotonic() + self.timeout
        schema = answer_schema(request)
        messages = [{"role": "user", "content": prompt(request)}]
        for _attempt in range(2):  # a malformed answer is asked once more
            answer = self._call(SYSTEM, messages, schema, deadline)
            try:
                return self._suggestion(request, answer)
            except Malformed:
                continue
        raise ProviderUnavailable("no suggestion: the model did not answer with the JSON asked for")

    def chat(self, messages: list[dict], system: str = "") -> str:
        answer = self._call(system, messages, None, time.monotonic() + self.timeout)
        if not isinstance(answer, str) or not answer.strip():
            raise ProviderUnavailable("the model gave an empty answer")
        return answer.strip()

    def _call(self, system, messages, schema, deadline) -> str | dict:
        last = "no answer"
        for _ in range(MAX_CALLS):
            left = deadline - time.monotonic()
            if left <= 0.01:
                break
            try:
                return self._complete(system, messages, schema, left)
            except TimeoutError:
                raise ProviderUnavailable(
                    f"the {self.name} endpoint did not answer within {self.timeout:g} s"
                ) from None
            except Transient as exc:
                last = str(exc)
                wait = PAUSE_AFTER_ERROR if exc.retry_after is None else exc.retry_after
                if time.monotonic() + wait >= deadline:
                    raise ProviderUnavailable(
                        f"the {self.name} endpoint is busy or failing ({last}); "
                        f"no answer within {self.timeout:g} s"
                    ) from None
                time.sleep(wait)
        raise ProviderUnavailable(
            f"the {self.name} endpoint did not answer within {self.timeout:g} s ({last})"
        )

    def _suggestion(self, request: SuggestionRequest, answer: str | dict) -> Suggestion:
        data = answer if isinstance(answer, dict) else parse_json(answer)
        label = check_label(request, data.get("label"))
        return Suggestion(
            schema=request.schema,
            label=label,
            confidence=confidence(data.get("confidence")),
            explanation=str(data.get("explanation") or "")[:1000],
            provider=self.name,
            model_version=self.model,
        )


def prompt(request: SuggestionRequest) -> str:
    parts = [f"Question ({request.annotation_type}): {request.description or request.schema}"]
    if request.options:
        how = "one or more of" if request.multiple else "exactly one of"
        parts.append(f"Answer with {how}: {json.dumps(list(request.options))}")
        if request.multiple:
            parts.append('"label" is a JSON list of the chosen options.')
    for text, answer in request.examples[:8]:
        parts.append(f"Example item: {text[:1000]}\nExample answer: {json.dumps(answer)}")
    parts.append(f"Item:\n{request.text[:8000]}")
    return "\n\n".join(parts)


def answer_schema(request: SuggestionRequest) -> dict:
    """The JSON Schema of the answer, for APIs with structured output."""
    one: dict[str, Any] = {"type": "string"}
    if request.options:
        one["enum"] = list(request.options)
    label = {"type": "array", "items": one} if request.multiple else one
    return {
        "type": "object",
        "properties": {
            "label": label,
            "confidence": {"type": "number"},
            "explanation": {"type": "string"},
        },
        "required": ["label", "confidence", "explanation"],
        "additionalProperties": False,
    }


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.S)


def parse_json(text: str) -> dict:
    text = _FENCE.sub("", (text or "").strip())
    try:
        data = json.loads(text)
    except ValueError:
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise Malformed("no JSON object in the answer") from None
        try:
            data = json.loads(text[start : end + 1])
        except ValueError:
            raise Malformed("no JSON object in the answer") from None
    if not isinstance(data, dict) or "label" not in data:
        raise Malformed("the answer has no label")
    return data


def check_label(request: SuggestionRequest, label: Any) -> Any:
    """The label as the scheme spells it; Malformed when it is not one of the options."""
    if not request.options:
        if label is None or (isinstance(label, (dict, list)) and not label):
            raise Malformed("empty label")
        return label
    by_fold = {o.casefold(): o for o in request.options}

    def one(value: Any) -> str:
        found = by_fold.get(str(value).strip().casefold())
        if found is None:
            raise Malformed(f"{value!r} is not an option")
        return found

    if request.multiple:
        values = label if isinstance(label, list) else [label]
        return list(dict.fromkeys(one(v) for v in values))
    if isinstance(label, list):
        if len(label) != 1:
            raise Malformed("one label expected")
        label = label[0]
    return one(label)


def confidence(value: Any) -> float | None:
    """A confidence in [0, 1]; 1-10 and percent scales are read as such; else None."""
    if isinstance(value, str):
        try:
            value = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None
    if 0 <= value <= 1:
        return float(value)
    if 1 < value <= 10:
        return value / 10
    if 10 < value <= 100:
        return value / 100
    return None
