"""`annotation_type: text_edit` — post-editing: the annotator edits a text of the item (its
`source_field`, e.g. a machine translation) and the server stores the edited text with the
original, the character and word edit distances, and a word-level diff.

Wire format (Potato's): `"<schema>:<schema>": "{\\"edited_text\\": ..., \\"original_text\\": ...,
\\"edit_distance_chars\\": n, \\"edit_distance_words\\": n}"`. The distances are recomputed
here (a client's are ignored) and `diff` is added: `[{"op": "replace", "from", "to"}, ...]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..quality.text_measures import levenshtein, word_diff, words
from .record import RecordScheme, field_text, mean
from .registry import register

MAX_EDIT_TEXT = 10_000  # characters of the original and of the edit


@register("text_edit")
class TextEdit(RecordScheme):
    macro = "schemes/text_edit.html"
    script = "js/text-edit.js"
    option_keys = ("source_field", "show_diff", "show_edit_distance", "allow_reset")
    pair_score_names = ("exact_match", "similarity")
    source_text = ""

    def parse_options(self, reader: ConfigReader) -> None:
        self.source_field = reader.str("source_field", "", allow_empty=True) or ""
        self.show_diff = reader.bool("show_diff", True)
        self.show_edit_distance = reader.bool("show_edit_distance", True)
        self.allow_reset = reader.bool("allow_reset", True)

    def for_page(self, fields, annotator, item_id, seed) -> TextEdit:
        return self.page_view(source_text=field_text(fields, self.source_field))

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        edited = _text(record, "edited_text", self.name, required=True)
        original = _text(record, "original_text", self.name, required=False)
        return {
            "edited_text": edited,
            "original_text": original,
            "edit_distance_chars": levenshtein(original, edited),
            "edit_distance_words": levenshtein(words(original), words(edited)),
            "diff": word_diff(original, edited),
        }

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        record = self.answer(label_map)
        if not record or not self.source_field or self.source_field not in fields:
            return
        source = field_text(fields, self.source_field)
        if record["original_text"].strip() != source.strip():
            raise BadAnnotation(
                f"{self.name}: original_text is not the item's {self.source_field!r} text"
            )

    def pair_scores(self, a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, float]:
        ea, eb = self.answer(a)["edited_text"], self.answer(b)["edited_text"]
        longest = max(len(ea), len(eb)) or 1
        return {
            "exact_match": float(ea.strip() == eb.strip()),
            "similarity": 1 - levenshtein(ea, eb) / longest,
        }

    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps if m]
        chars = [r["edit_distance_chars"] for r in records]
        return {
            "mean_edit_distance_chars": mean(chars),
            "mean_edit_distance_words": mean([r["edit_distance_words"] for r in records]),
            "left_unchanged": sum(1 for n in chars if n == 0),
        }

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(source_field=self.source_field, show_diff=self.show_diff)
        return out


def _text(record: Mapping[str, Any], key: str, schema: str, *, required: bool) -> str:
    value = record.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise BadAnnotation(f"{schema}: {key!r} must be a string")
    if len(value) > MAX_EDIT_TEXT:
        raise BadAnnotation(f"{schema}: {key!r} is longer than {MAX_EDIT_TEXT} characters")
    return value
