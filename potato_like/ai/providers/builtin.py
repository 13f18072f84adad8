"""`endpoint_type: builtin` — suggestions from the builtin model (ai/builtin/), trained on
the project's own answers; no network. A thin adapter: suggestions read the newest stored
model (kept in memory per process) and never train."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..builtin.runner import models, trainer
from ..builtin.settings import KEYS, BuiltinSettings
from ..suggestion import ProviderUnavailable, Suggestion, SuggestionRequest
from .registry import Provider, register


@register("builtin")
class Builtin(Provider):
    aliases = ("sklearn", "local")
    setting_keys = KEYS  # its own ai_config keys (not warned as unknown)

    @classmethod
    def read_settings(cls, raw: Mapping[str, Any], path: str) -> tuple[dict, list[str]]:
        settings, problems = BuiltinSettings.read(raw, path)
        return settings.as_dict(), problems

    def suggest(self, request: SuggestionRequest) -> Suggestion:
        scheme = self.project.config.scheme(request.schema)
        if scheme is None or not getattr(scheme, "learned_as", None):
            raise ProviderUnavailable(f"the builtin model does not learn {request.schema!r}")
        held = models(self.project).get(request.schema)
        if held is None:
            raise ProviderUnavailable(self._cold_message(request.schema))
        version, model, _meta = held
        label, confidence, scores, evidence = model.predict(request.text)
        return Suggestion(
            schema=request.schema,
            label=label,
            confidence=round(confidence, 4),
            explanation="words that weigh most: " + ", ".join(evidence) if evidence else "",
            evidence=evidence,
            provider="builtin",
            model_version=f"{request.schema}@{version}",
            scores=scores,
        )

    def _cold_message(self, schema: str) -> str:
        info = trainer(self.project).cold.get(schema)
        if info:
            need = info["min_answers_per_label"]
            counts = ", ".join(f"{k}: {v}" for k, v in info["label_counts"].items())
            return f"no suggestion yet: each label needs {need} answers ({counts})"
        return "no suggestion yet: the builtin model has not been trained on enough answers"
