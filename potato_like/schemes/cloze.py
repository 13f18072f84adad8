"""`annotation_type: cloze` — a passage with blanks to type into.

The passage is the scheme's `text` (each `[[key|other key]]` is a blank; `[[]]` a blank
without a key) or, per item, the item field `source_field` with the keys in the item field
`answer_field` (one entry per blank, a string with `|` between accepted answers or a list).
Each blank is sent as Potato does, `"schema:blank_<n>": "typed text"` (n from 1) and stored
`{"blank_1": "cat", ...}`.

The answer key never leaves the server: the page gets the passage cut into text pieces and
blank numbers, `answer_field` is one of the scheme's `private_fields` (left out of every item
the annotator's page or API receives), and `describe()` has no key. Scoring runs on the
server (`analysis()`): exact (as typed, outer blanks ignored) and normalised (case folded,
diacritics and punctuation removed, runs of white space as one) per blank and per answer.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, Scheme
from .registry import register

BLANK = re.compile(r"\[\[(.*?)\]\]", re.S)
LABEL = re.compile(r"^blank_([1-9][0-9]{0,2})$")
SCORING = ("exact", "case_insensitive", "normalized")
MAX_TYPED = 500  # characters in one blank
MAX_BLANKS = 200


def parse_passage(text: str) -> tuple[list[str | int], list[list[str]]]:
    """(pieces, keys): pieces alternate text and blank numbers (from 1); keys[n-1] are the
    accepted answers of blank n (empty: no key)."""
    pieces: list[str | int] = []
    keys: list[list[str]] = []
    pos = 0
    for m in BLANK.finditer(text or ""):
        if m.start() > pos:
            pieces.append(text[pos : m.start()])
        keys.append([a.strip() for a in m.group(1).split("|") if a.strip()])
        pieces.append(len(keys))
        pos = m.end()
    if pos < len(text or ""):
        pieces.append(text[pos:])
    return pieces, keys


def normalise(value: str, mode: str) -> str:
    """The form two answers are compared in: `exact` strips outer blanks only;
    `case_insensitive` also folds case; `normalized` also drops diacritics and
    punctuation and collapses white space."""
    value = (value or "").strip()
    if mode == "exact":
        return value
    value = value.casefold()
    if mode == "normalized":
        value = unicodedata.normalize("NFKD", value)
        value = "".join(c for c in value if not unicodedata.combining(c))
        value = re.sub(r"[^\w\s]", "", value)
        value = re.sub(r"\s+", " ", value).strip()
    return value


def score_blanks(keys: list[list[str]], typed: Mapping[str, str], mode: str) -> dict[int, bool]:
    """Blank number -> correct, for the blanks that have a key."""
    return {
        n: any(normalise(typed.get(f"blank_{n}", ""), mode) == normalise(k, mode) for k in key)
        for n, key in enumerate(keys, start=1)
        if key
    }


@register("cloze")
class Cloze(Scheme):
    macro = "schemes/cloze.html"
    stylesheet = "css/survey-methods.css"
    option_keys = ("text", "scoring", "input_width", "source_field", "answer_field")
    summarizes_answers = True
    analysis_title = "Cloze scores (per blank and per answer)"
    analysis_by_annotator = True
    agreement_skip_reason = "cloze answers are scored against a key, not compared"
    pieces: list[str | int] = []

    def parse_options(self, reader: ConfigReader) -> None:
        self.text = reader.str("text", None)
        self.source_field = reader.str("source_field", None)
        self.answer_field = reader.str("answer_field", None)
        self.scoring = reader.str("scoring", "case_insensitive", choices=SCORING)
        self.input_width = reader.number("input_width", 10, integer=True, minimum=2, maximum=60)
        self.keys: list[list[str]] = []
        if self.text and self.source_field:
            reader.problem("text", "give either text or source_field, not both")
        elif self.source_field:
            self.pieces = []
        elif not self.text or not BLANK.search(self.text):
            reader.problem("text", "needs a passage with at least one [[blank]] (or source_field)")
        else:
            self.pieces, self.keys = parse_passage(self.text)
        if self.answer_field and not self.source_field:
            reader.problem("answer_field", "applies with source_field only")
        # a fixed passage: its blanks are the labels; an item's passage: numbered per item
        self.labels = [Label(f"blank_{n}") for n in range(1, len(self.keys) + 1)]
        self.labels_configured = False

    # -- the page -----------------------------------------------------------------------
    def private_fields(self) -> tuple[str, ...]:
        return (self.answer_field,) if self.answer_field else ()

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        if not self.source_field:
            return self
        view = copy.copy(self)
        passage = fields.get(self.source_field)
        # text typed inside [[...]] of an item's passage is never shown (nor used as a key)
        view.pieces = parse_passage(passage)[0] if isinstance(passage, str) else []
        return view

    @property
    def blank_count(self) -> int:
        return sum(1 for p in self.pieces if isinstance(p, int))

    def item_keys(self, fields: Mapping[str, Any] | None) -> list[list[str]]:
        """The accepted answers per blank for one item."""
        if not self.source_field:
            return self.keys
        fields = fields or {}
        passage = fields.get(self.source_field)
        blanks = len(parse_passage(passage)[1]) if isinstance(passage, str) else 0
        raw = fields.get(self.answer_field) if self.answer_field else None
        if isinstance(raw, str):
            raw = [raw]
        keys: list[list[str]] = []
        for entry in raw if isinstance(raw, list) else []:
            if isinstance(entry, list):
                keys.append([str(a).strip() for a in entry if str(a).strip()])
            elif entry is None:
                keys.append([])
            else:
                keys.append([a.strip() for a in str(entry).split("|") if a.strip()])
        return (keys + [[]] * blanks)[:blanks]

    # -- values -------------------------------------------------------------------------
    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for label, value in label_map.items():
            m = LABEL.match(str(label))
            if not m or (not self.source_field and int(m.group(1)) > len(self.keys)):
                expected = f"blank_1..blank_{len(self.keys)}" if self.keys else "blank_<n>"
                raise BadAnnotation(f"{self.name}: unknown blank {label!r}; expected {expected}")
            if int(m.group(1)) > MAX_BLANKS:
                raise BadAnnotation(f"{self.name}: at most {MAX_BLANKS} blanks")
            if value is None:
                continue
            if not isinstance(value, str):
                raise BadAnnotation(f"{self.name}: {label} must be text, got {value!r}")
            if len(value) > MAX_TYPED:
                raise BadAnnotation(f"{self.name}: {label} is longer than {MAX_TYPED} characters")
            if value.strip():
                out[label] = value
        return dict(sorted(out.items(), key=lambda kv: int(kv[0][6:])))

    def merge(self, old, incoming):
        return self.normalize({**(old or {}), **incoming})

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        if not self.source_field:
            return
        passage = fields.get(self.source_field)
        blanks = len(parse_passage(passage)[1]) if isinstance(passage, str) else 0
        for label in label_map:
            if int(label[6:]) > blanks:
                raise BadAnnotation(
                    f"{self.name}: unknown blank {label!r}; this item's passage has {blanks}"
                )

    def missing_requirement(self, label_map):
        if self.required and self.keys and len(label_map or {}) < len(self.keys):
            return "every blank must be filled"
        return super().missing_requirement(label_map)

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return dict(label_map) or None

    def answer_map(self, value: Any) -> dict[str, Any]:
        raise BadAnnotation(f"{self.name}: a cloze answer is a map of blank_<n> to text")

    def table_keys(self) -> list[str]:
        return self.label_names

    def describe(self) -> dict[str, Any]:
        out = super().describe()  # labels are blank names; the key is never described
        out.update(blanks=len(self.keys) if not self.source_field else None, scoring=self.scoring)
        return out

    # -- scores -------------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        return {"answers": len(label_maps)}

    def analysis(self, answers: Any, seed: Any = None) -> dict[str, Any]:
        return self.scores(answers)

    def scores(self, answers: Any) -> dict[str, Any]:
        """Per blank: answers, exact and normalised proportion correct; per answer
        (item, annotator when known): blanks scored, exact and normalised scores, and the
        score under the configured `scoring`; per respondent: those summed over items."""
        per_blank: dict[int, dict[str, int]] = {}
        per_answer: list[dict[str, Any]] = []
        for entry in answers:
            fields, item_id, label_map = entry[0], entry[1], entry[2]
            keys = self.item_keys(fields)
            if not any(keys):
                continue
            marks = {mode: score_blanks(keys, label_map, mode) for mode in SCORING}
            for n in marks["exact"]:
                tally = per_blank.setdefault(n, {"answers": 0, "exact": 0, "normalized": 0})
                tally["answers"] += 1
                tally["exact"] += marks["exact"][n]
                tally["normalized"] += marks["normalized"][n]
            row = {
                "item": item_id,
                "scored_blanks": len(marks["exact"]),
                "exact": sum(marks["exact"].values()),
                "normalized": sum(marks["normalized"].values()),
                "score": sum(marks[self.scoring].values()),
            }
            if len(entry) > 3:
                row["annotator"] = entry[3]
            per_answer.append(row)
        blanks = {
            f"blank_{n}": {
                "answers": t["answers"],
                "exact": round(t["exact"] / t["answers"], 4),
                "normalized": round(t["normalized"] / t["answers"], 4),
            }
            for n, t in sorted(per_blank.items())
        }
        out: dict[str, Any] = {"scoring": self.scoring, "blanks": blanks, "answers": per_answer}
        respondents: dict[str, dict[str, int]] = {}
        for row in per_answer:
            if "annotator" in row:
                mine = respondents.setdefault(
                    row["annotator"], {"items": 0, "scored_blanks": 0, "exact": 0, "normalized": 0}
                )
                mine["items"] += 1
                for key in ("scored_blanks", "exact", "normalized"):
                    mine[key] += row[key]
        if respondents:
            out["respondents"] = respondents
        if per_answer:
            total = sum(r["scored_blanks"] for r in per_answer)
            out["mean_exact"] = round(sum(r["exact"] for r in per_answer) / total, 4)
            out["mean_normalized"] = round(sum(r["normalized"] for r in per_answer) / total, 4)
        return out
