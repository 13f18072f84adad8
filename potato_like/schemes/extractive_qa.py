"""`annotation_type: extractive_qa` — SQuAD-style answers: the annotator marks the span of
the passage (`passage_field`, else the item text) that answers the question
(`question_field`), or says the question has no answer there (`allow_unanswerable`).

Wire format (Potato's): `"<schema>:<schema>": "{\\"answer_text\\", \\"start\\", \\"end\\",
\\"unanswerable\\"}"`; an unanswerable answer has start = end = -1 and no text. Agreement:
SQuAD's exact match and token F1 between every two annotators of an item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..quality.text_measures import as_int, exact_match, token_f1
from .base import _COLOR
from .record import RecordScheme, field_text, mean
from .registry import register


@register("extractive_qa")
class ExtractiveQA(RecordScheme):
    macro = "schemes/extractive_qa.html"
    script = "js/extractive-qa.js"
    option_keys = ("question_field", "passage_field", "allow_unanswerable", "highlight_color")
    pair_score_names = ("exact_match", "f1")
    question = ""
    passage = ""

    def parse_options(self, reader: ConfigReader) -> None:
        self.question_field = reader.str("question_field", "question") or "question"
        self.passage_field = reader.str("passage_field", "", allow_empty=True) or ""
        self.allow_unanswerable = reader.bool("allow_unanswerable", True)
        color = reader.str("highlight_color", "#FFEB3B") or "#FFEB3B"
        if not _COLOR.match(color.strip()):
            reader.problem("highlight_color", "must be a CSS colour like '#FFEB3B'")
        self.highlight_color = color.strip()

    def for_page(self, fields, annotator, item_id, seed) -> ExtractiveQA:
        return self.page_view(
            question=field_text(fields, self.question_field),
            passage=field_text(fields, self.passage_field) if self.passage_field else None,
        )

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        if record.get("unanswerable") in (True, "true", 1):
            if not self.allow_unanswerable:
                raise BadAnnotation(f"{self.name}: this question must be answered with a span")
            return {"answer_text": "", "start": -1, "end": -1, "unanswerable": True}
        start, end = as_int(record.get("start")), as_int(record.get("end"))
        if start is None or end is None:
            raise BadAnnotation(f"{self.name}: 'start' and 'end' must be whole numbers")
        if start < 0 or end <= start:
            raise BadAnnotation(
                f"{self.name}: end ({end}) must be greater than start ({start}) >= 0"
            )
        text = record.get("answer_text")
        if not isinstance(text, str) or not text:
            raise BadAnnotation(f"{self.name}: 'answer_text' must be the marked text")
        if len(text) != end - start:
            raise BadAnnotation(
                f"{self.name}: answer_text has {len(text)} characters but {start}:{end} "
                f"spans {end - start}"
            )
        return {"answer_text": text, "start": start, "end": end, "unanswerable": False}

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        record = self.answer(label_map)
        if not record or record["unanswerable"]:
            return
        passage = field_text(fields, self.passage_field) if self.passage_field else ""
        passage = passage or text
        start, end = record["start"], record["end"]
        if end > len(passage) or passage[start:end] != record["answer_text"]:
            raise BadAnnotation(
                f"{self.name}: {record['answer_text']!r} is not the passage text at "
                f"{start}:{end} (offsets count Unicode code points)"
            )

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ra, rb = self.answer(a), self.answer(b)
        if ra["unanswerable"] or rb["unanswerable"]:
            same = float(ra["unanswerable"] == rb["unanswerable"])
            return {"exact_match": same, "f1": same}
        return {
            "exact_match": exact_match(ra["answer_text"], rb["answer_text"]),
            "f1": token_f1(ra["answer_text"], rb["answer_text"]),
        }

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        spans = [r for r in records if not r["unanswerable"]]
        return {
            "answered": len(spans),
            "unanswerable": len(records) - len(spans),
            "mean_answer_words": mean([len(r["answer_text"].split()) for r in spans]),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(question_field=self.question_field, passage_field=self.passage_field)
        out["allow_unanswerable"] = self.allow_unanswerable
        return out
