"""What every AI provider takes and gives: the contract between the providers (builtin,
LLM vendors) and the features that use them (suggestions, highlights, ICL, active learning).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class ProviderUnavailable(Exception):
    """No suggestion now, for a reason a person can read: a cold start (too few answers), an
    endpoint that timed out or failed, a malformed answer after the retry. Never a crash:
    callers show the message as "no suggestion"."""


class NotSupported(ProviderUnavailable):
    """The provider cannot do this at all (e.g. chat with the builtin model)."""


@dataclass(frozen=True)
class SuggestionRequest:
    """One question about one item. `text` is the item as the model should read it (the
    display text, not HTML). `options` are the scheme's label names when it has any (radio,
    multiselect, likert/select as classes); empty for free-form schemes. `examples` are
    (text, answer) pairs for in-context learning, best first."""

    item_id: str
    text: str
    schema: str
    annotation_type: str
    options: tuple[str, ...] = ()
    multiple: bool = False  # several labels may be chosen (multiselect)
    description: str = ""
    examples: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A provider's answer. `label` is one label name, a list of names when `multiple`, or a
    list of `{start, end, label}` span dicts for span schemes. `confidence` is in [0, 1] or
    None when the provider gives none. `evidence` lists what weighed most (words for the
    builtin model). `provider` and `model_version` say where it came from (stored with AI-use
    tracking and exports)."""

    schema: str
    label: Any
    confidence: float | None
    explanation: str = ""
    evidence: tuple[str, ...] = ()
    provider: str = ""
    model_version: str = ""
    scores: dict[str, float] = field(default_factory=dict)  # label -> probability, if known

    def as_json(self) -> dict:
        return {
            "schema": self.schema,
            "label": self.label,
            "confidence": self.confidence,
            "explanation": self.explanation,
            "evidence": list(self.evidence),
            "provider": self.provider,
            "model_version": self.model_version,
            "scores": dict(self.scores),
        }
