"""The `category_based` strategy (Potato's `category_assignment`).

Items carry categories in the field named by `item_properties.category_key` (or
`category_assignment.category_key`): one name or a list. Training questions carry theirs in a
`categories` field. An annotator qualifies for a category when they answered at least
`qualification.min_questions` training questions of it with an accuracy of at least
`qualification.threshold` (every attempt counts, as in Potato). They are offered the items of
their qualified categories; when those categories hold no items at all (or they qualified for
none), `fallback` decides: `uncategorized` (the default: items without a category), `random`
(any item) or `none`. Within the offered items the order is the project's random order of
items (each item's random key, fixed at import), so everyone works through a category in the
same shuffled order; Potato draws afresh for each annotator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MEMBER_CATEGORY = "category:"
UNCATEGORIZED = "uncategorized"
FALLBACKS = ("uncategorized", "random", "none")


@dataclass(frozen=True)
class CategoryConfig:
    category_key: str | None = None
    threshold: float = 0.7
    min_questions: int = 1
    fallback: str = "uncategorized"
    # training question id -> its categories
    question_categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def categories_of(self, fields: Mapping[str, Any]) -> list[str]:
        if self.category_key is None:
            return []
        value = fields.get(self.category_key)
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            return []
        return [str(v) for v in value if isinstance(v, (str, int)) and str(v)]

    def qualified(self, answers: Iterable[tuple[str, bool]]) -> list[str]:
        """Categories qualified for, from (training question, correct) attempts."""
        scores: dict[str, list[int]] = {}
        for question, correct in answers:
            for category in self.question_categories.get(question, ()):
                score = scores.setdefault(category, [0, 0])
                score[0] += int(bool(correct))
                score[1] += 1
        return sorted(
            c
            for c, (right, total) in scores.items()
            if total >= self.min_questions and right / total >= self.threshold
        )

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps([self.category_key]).encode()).hexdigest()[:16]


def members_for(categories: Iterable[str]) -> list[str]:
    return [MEMBER_CATEGORY + c for c in categories]
