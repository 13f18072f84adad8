"""The builtin provider's settings: its keys in the `ai_support` block (docs/config.md,
"The builtin model") and their checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FEATURES = ("tfidf", "hashing")
KEYS = ("min_answers_per_label", "retrain_every", "features", "keep_versions")


@dataclass(frozen=True)
class BuiltinSettings:
    # Cold start: a label is suggested only once it has this many answers (spans: marked
    # spans); a scheme gets a model once two labels (a label set: one label) have them.
    min_answers_per_label: int = 5
    # Retrain in the background after this many more finished items.
    retrain_every: int = 10
    features: str = "tfidf"  # or "hashing": no vocabulary kept, constant memory
    keep_versions: int = 5  # stored model versions per scheme

    @classmethod
    def read(cls, raw: Mapping[str, Any], path: str) -> tuple[BuiltinSettings, list[str]]:
        problems: list[str] = []
        values: dict[str, Any] = {}
        for key, minimum in (("min_answers_per_label", 1), ("retrain_every", 1),
                             ("keep_versions", 1)):  # fmt: skip
            if key in raw:
                value = raw[key]
                if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                    problems.append(f"{path}.{key}: must be a whole number >= {minimum}")
                else:
                    values[key] = value
        if "features" in raw:
            if raw["features"] not in FEATURES:
                problems.append(f"{path}.features: must be one of {', '.join(FEATURES)}")
            else:
                values["features"] = raw["features"]
        return cls(**values), problems

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in KEYS}
