"""What text_edit, error_span and extractive_qa share: Potato keeps their answer as one JSON
record in a hidden input named after the scheme, so the wire format and the stored label map
are `{"<schema>": "<JSON record>"}` (`"post_edit:post_edit": "{\\"edited_text\\": ...}"`).

The server parses the record, checks it, recomputes what it derives (edit distances, the MQM
score) and stores it canonically; clients may send the record as a JSON string (Potato's
page) or as an object. Agreement is `pairwise`: the type's `pair_scores` of every two
annotators of an item, averaged (quality/pair_agreement.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import BadAnnotation
from .base import Label, Scheme

MAX_RECORD = 200_000  # characters of the JSON record


class RecordScheme(Scheme):
    agreement_metric: ClassVar[str | None] = "pair_scores"
    summarizes_answers: ClassVar[bool] = True
    # the names of the scores pair_scores gives, in the order the agreement page shows them
    pair_score_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, reader, index, task_dir) -> None:
        super().__init__(reader, index, task_dir)
        self.labels = [Label(self.name)]
        self.labels_configured = False

    # -- values -------------------------------------------------------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = [k for k in label_map if k != self.name]
        if extra:
            raise BadAnnotation(
                f"{self.name}: a {self.type_name} answer is one record sent as "
                f"'{self.name}:{self.name}', not {extra[0]!r}"
            )
        raw = label_map.get(self.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return {}
        record = self.parse(raw)
        checked = self.check_record(record)
        if checked is None:
            return {}
        return {self.name: json.dumps(checked, ensure_ascii=False)}

    def parse(self, raw: Any) -> dict[str, Any]:
        if isinstance(raw, Mapping):
            return dict(raw)
        if not isinstance(raw, str):
            raise BadAnnotation(f"{self.name}: the answer must be a JSON object, got {raw!r}")
        if len(raw) > MAX_RECORD:
            raise BadAnnotation(f"{self.name}: the answer is longer than {MAX_RECORD} characters")
        try:
            record = json.loads(raw)
        except ValueError as exc:
            raise BadAnnotation(f"{self.name}: the answer is not valid JSON ({exc})") from None
        if not isinstance(record, dict):
            raise BadAnnotation(f"{self.name}: the answer must be a JSON object")
        return record

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """The canonical record (None: no answer); raises BadAnnotation naming the problem."""
        raise NotImplementedError

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """Check the stored record against the item it answers (offsets into its text)."""

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = (label_map or {}).get(self.name)
        return json.loads(raw) if raw else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.name: value}

    def comparable(self, label_map: Mapping[str, str]) -> Any:
        return self.answer(label_map)

    def same_answer(self, a, b) -> bool:
        return self.answer(a or {}) == self.answer(b or {})

    def table_keys(self) -> list[str]:
        return [self.name]  # Potato's `<schema>:::<schema>` column holds the JSON record

    def form_answers(self, form: Mapping[str, Any]) -> dict[str, Any]:
        key = f"{self.name}:{self.name}"
        return {key: form.get(key)} if key in form else {}

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        """Agreement scores (0..1 unless named otherwise) of two annotators' stored maps."""
        raise NotImplementedError

    def page_view(self, **fields: Any) -> RecordScheme:
        view = copy.copy(self)
        view.__dict__.update(fields)
        return view


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def counts(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[str(value)] = out.get(str(value), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def field_text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key) if key else None
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
