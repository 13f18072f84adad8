"""A base for types whose answer is one JSON document, sent as Potato sends it:
`"<schema>:<schema>": "<JSON>"` (free_list, triad_test, ego_network, interlinear_gloss).

A type names what the document is (`document_noun`, for messages), parses and checks it
(`parse_document`, raising BadAnnotation) and says when a parsed document holds no answer
(`is_blank`); storing, merging and reading back are the same for all of them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from ..errors import BadAnnotation
from .base import Scheme


class JsonDocumentScheme(Scheme):
    document_noun: ClassVar[str] = "answer"

    def parse_document(self, raw: Any) -> dict[str, Any]:
        raise NotImplementedError

    def is_blank(self, data: Mapping[str, Any]) -> bool:
        return not data

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        extra = set(label_map) - {self.name}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown label {sorted(extra)[0]!r}; send the "
                f"{self.document_noun} as '{self.name}:{self.name}'"
            )
        raw = label_map.get(self.name)
        if raw is None or raw == "":
            return {}
        data = self.parse_document(raw)
        if self.is_blank(data):
            return {}
        return {self.name: json.dumps(data, ensure_ascii=False, separators=(",", ":"))}

    def merge(self, old: Mapping[str, str] | None, incoming: Mapping[str, Any]) -> dict[str, str]:
        return self.normalize({**(old or {}), **incoming})

    def answer(self, label_map: Mapping[str, str]) -> Any:
        raw = label_map.get(self.name)
        return json.loads(raw) if raw else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {self.name: value if isinstance(value, str) else json.dumps(value)}
