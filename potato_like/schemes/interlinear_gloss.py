"""`annotation_type: interlinear_gloss` — interlinear glossed text: for each word of the item's
sentence (`source_field`), its morpheme segmentation and its gloss, aligned as the Leipzig
Glossing Rules ask (rule 2: the segmentation and the gloss of a word have the same `-` and
`=` boundaries in the same order; infixes in `<>` on both lines), grammatical category labels
in capitals checked against `abbreviations` (the Leipzig list by default), extra `tiers` per
word and a free translation.

Sent as Potato does, one JSON value `"schema:schema"`: `{"words": [{"word": "evlerde",
"morphemes": "ev-ler-de", "gloss": "house-PL-LOC", <tier>: ...}], "translation": "in the
houses"}`. A misaligned word, or an unknown category label, is refused naming the word; a
submit needs every word segmented and glossed. The questions page counts the morphemes
and the category labels used."""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, json_payload
from .json_document import JsonDocumentScheme
from .registry import register

# The standard abbreviations of the Leipzig Glossing Rules (appendix).
_LEIPZIG_WORDS = (
    "1 2 3 A ABL ABS ACC ADJ ADV AGR ALL ANTIP APPL ART AUX BEN CAUS CLF COM COMP COMPL COND "
    "COP CVB DAT DECL DEF DEM DET DIST DISTR DU DUR ERG EXCL F FOC FUT GEN IMP INCL IND INDF "
    "INF INS INTR IPFV IRR LOC M N NEG NMLZ NOM OBJ OBL P PASS PFV PL POSS PRED PRF PRS PROG "
    "PROH PROX PST PTCP PURP Q QUOT RECP REFL REL RES S SBJ SBJV SG TOP TR VOC"
)
LEIPZIG = frozenset(_LEIPZIG_WORDS.split())
RESERVED_TIERS = ("word", "morphemes", "gloss")
BOUNDARY = re.compile(r"([-=])")
INFIX = re.compile(r"<[^<>]*>")
ELEMENT = re.compile(r"[^.:;_\\()\[\]\s<>=\-]+")
CATEGORY = re.compile(r"[0-9A-ZØ]+")
PERSON = re.compile(r"([123]+)([0-9A-Z]*)")
# quotes, brackets and dashes (\u2018 \u2019 single quotes, \u2013 \u2014 dashes)
EDGE_PUNCT = ".,;:!?\"'\u201c\u201d\u2018\u2019«»()[]{}¿¡…\u2013\u2014"
MAX_WORDS = 300
MAX_CELL = 500


def tokenize(text: str) -> list[str]:
    """A sentence as words: split on spaces, punctuation stripped from the edges."""
    out = []
    for token in str(text or "").split():
        word = token.strip(EDGE_PUNCT)
        if word.strip("-=\u2013\u2014"):
            out.append(word)
    return out


def split_cell(text: str) -> tuple[list[str], list[str], int]:
    """`ev-ler=de` -> (["ev", "ler", "de"], ["-", "="], infixes)."""
    infixes = len(INFIX.findall(text))
    parts = BOUNDARY.split(INFIX.sub("", text))
    return parts[0::2], parts[1::2], infixes


def _describe(bounds: list[str], infixes: int) -> str:
    n = len(bounds) + infixes
    if not n:
        return "no boundaries"
    kinds = " ".join(bounds + ["<>"] * infixes)
    return f"{n} boundar{'y' if n == 1 else 'ies'} ({kinds})"


def alignment_problems(morphemes: str, gloss: str) -> list[str]:
    """What breaks Leipzig rule 2 in one word (empty when aligned or when a line is empty)."""
    m, g = morphemes.strip(), gloss.strip()
    if not m or not g:
        return []
    out = []
    if re.search(r"\s", m):
        out.append("the segmentation holds a space: join morphemes with - or =")
    if re.search(r"\s", g):
        out.append("the gloss holds a space: join the words of one gloss with . (rule 4)")
    mp, mb, mi = split_cell(m)
    gp, gb, gi = split_cell(g)
    if mb != gb or mi != gi:
        out.append(f"segmentation has {_describe(mb, mi)}, gloss has {_describe(gb, gi)}")
    else:
        empty_m = [str(i + 1) for i, p in enumerate(mp) if not p.strip()]
        empty_g = [str(i + 1) for i, p in enumerate(gp) if not p.strip()]
        if empty_m:
            out.append("empty morpheme at position " + ", ".join(empty_m))
        if empty_g:
            out.append("no gloss for morpheme " + ", ".join(empty_g))
    return out


def is_category(element: str) -> bool:
    """A grammatical category label: capitals and person digits, no lowercase."""
    return element in ("1", "2", "3") or (
        not element.isdigit() and bool(CATEGORY.fullmatch(element))
    )


def known_label(element: str, known: frozenset[str]) -> bool:
    if element in known or element == "Ø":
        return True
    person = PERSON.fullmatch(element)
    if person:  # person and number run together: 3SG, 1PL, 2DU
        digits, rest = person.groups()
        if all(d in known for d in digits) and (not rest or known_label(rest, known)):
            return True
    if len(element) > 1 and element.startswith("N") and "N" in known:  # non-: NSG, NPST
        return known_label(element[1:], known)
    return False


def unknown_labels(gloss: str, known: frozenset[str] | None) -> list[str]:
    if known is None:
        return []
    out: list[str] = []
    for element in ELEMENT.findall(gloss):
        if is_category(element) and not known_label(element, known) and element not in out:
            out.append(element)
    return out


@register("interlinear_gloss")
class InterlinearGloss(JsonDocumentScheme):
    macro = "schemes/interlinear_gloss.html"
    script = "js/interlinear-gloss.js"
    stylesheet = "css/fieldwork.css"
    option_keys = (
        "source_field",
        "morphemes_field",
        "gloss_field",
        "translation_field",
        "tiers",
        "abbreviations",
        "language",
        "metalanguage",
        "show_translation",
        "instructions",
    )
    summarizes_answers = True
    analysis_title = "Category labels used"
    agreement_skip_reason = "no agreement measure for glosses yet"
    initial: dict[str, Any] = {"words": [], "translation": ""}

    def parse_options(self, reader: ConfigReader) -> None:
        self.source_field = reader.str("source_field", "text")
        self.morphemes_field = reader.str("morphemes_field", None)
        self.gloss_field = reader.str("gloss_field", None)
        self.translation_field = reader.str("translation_field", None)
        self.tiers = reader.string_list("tiers") if reader.has("tiers") else []
        clash = [t for t in self.tiers if t in RESERVED_TIERS]
        if clash:
            reader.problem("tiers", f"may not be named {', '.join(clash)} (always shown)")
        self.known = self._abbreviations(reader)
        self.language = reader.str("language", "")
        self.metalanguage = reader.str("metalanguage", "")
        self.show_translation = reader.bool("show_translation", True)
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self.labels = [Label(self.name)]
        self.labels_configured = False

    @staticmethod
    def _abbreviations(reader: ConfigReader) -> frozenset[str] | None:
        """`abbreviations`: `leipzig`/true (the default), false (no check), a list of labels
        or a mapping label -> meaning; the entry `leipzig` adds the standard list."""
        spec = reader.raw.get("abbreviations", "leipzig")
        if spec is False or spec is None:
            return None
        if spec is True or (isinstance(spec, str) and spec.strip().lower() == "leipzig"):
            return LEIPZIG
        if isinstance(spec, Mapping):
            spec = list(spec)
        if not isinstance(spec, list):
            reader.problem("abbreviations", "must be leipzig, false, a list of labels or a mapping")
            return LEIPZIG
        out: set[str] = set()
        for label in spec:
            text = str(label).strip()
            if text.lower() == "leipzig":
                out |= LEIPZIG
            elif text:
                out.add(text)
        return frozenset(out)

    # -- the item -----------------------------------------------------------------------
    def source_words(self, fields: Mapping[str, Any], text: str = "") -> list[str]:
        """The item's words: its `source_field` (a list, or a sentence split on spaces); the
        item's text when the field is the text (check_item gets the text apart)."""
        value = fields.get(self.source_field, text)
        if isinstance(value, list):
            return [str(v) for v in value if str(v).strip()]
        return tokenize(value if isinstance(value, str) else "")

    def initial_answer(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """The item's words with any pre-filled analysis; a segmentation starts as the word."""

        def per_word(field: str | None) -> list[str] | None:
            v = fields.get(field) if field else None
            if isinstance(v, list):
                return ["" if x is None else str(x) for x in v]
            return v.split() if isinstance(v, str) else None

        morphs, glosses = per_word(self.morphemes_field), per_word(self.gloss_field)
        tiers = {t: per_word(t) if isinstance(fields.get(t), list) else None for t in self.tiers}
        words = []
        for i, w in enumerate(self.source_words(fields)):
            rec = {
                "word": w,
                "morphemes": morphs[i] if morphs and i < len(morphs) else w,
                "gloss": glosses[i] if glosses and i < len(glosses) else "",
            }
            for t, vals in tiers.items():
                rec[t] = vals[i] if vals and i < len(vals) else ""
            words.append(rec)
        translation = (
            str(fields.get(self.translation_field) or "") if self.translation_field else ""
        )
        return {"words": words, "translation": translation}

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        view = copy.copy(self)
        view.initial = self.initial_answer(fields)
        return view

    def shown(self, value: Mapping[str, str]) -> dict[str, Any]:
        return self.answer(value) or self.initial

    # -- values -------------------------------------------------------------------------
    def parse_gloss(self, raw: Any) -> dict[str, Any]:
        data = json_payload(self.name, raw, "glosses")
        words = data.get("words")
        if not isinstance(words, list) or len(words) > MAX_WORDS:
            raise BadAnnotation(f"{self.name}: 'words' must be a list of at most {MAX_WORDS} words")
        keys = {"word", "morphemes", "gloss", *self.tiers}
        out = []
        for i, w in enumerate(words):
            if not isinstance(w, Mapping) or not isinstance(w.get("word"), str):
                raise BadAnnotation(f"{self.name}: word {i + 1} must be {{word, morphemes, gloss}}")
            extra = sorted(set(w) - keys)
            if extra:
                raise BadAnnotation(f"{self.name}: word {i + 1}: unknown tier {extra[0]!r}")
            rec = {}
            for k in ("word", "morphemes", "gloss", *self.tiers):
                v = w.get(k, "")
                if v is None:
                    v = ""
                if not isinstance(v, str) or len(v) > MAX_CELL:
                    raise BadAnnotation(f"{self.name}: word {i + 1}: {k} must be text")
                rec[k] = v.strip()
            label = f"word {i + 1} {rec['word']!r}"
            problems = alignment_problems(rec["morphemes"], rec["gloss"])
            if problems:
                raise BadAnnotation(f"{self.name}: {label}: {'; '.join(problems)}")
            unknown = unknown_labels(rec["gloss"], self.known)
            if unknown:
                raise BadAnnotation(
                    f"{self.name}: {label}: unknown category label"
                    f"{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (not in the "
                    "abbreviations; lexical glosses are written in lower case)"
                )
            out.append(rec)
        translation = data.get("translation", "")
        if not isinstance(translation, str) or len(translation) > 4 * MAX_CELL:
            raise BadAnnotation(f"{self.name}: 'translation' must be text")
        return {"words": out, "translation": translation.strip()}

    document_noun = "glosses"

    def parse_document(self, raw: Any) -> dict[str, Any]:
        return self.parse_gloss(raw)

    def is_blank(self, data: Mapping[str, Any]) -> bool:
        return not data["words"] and not data["translation"]

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """The words must be the item's words, in order."""
        value = self.answer(label_map)
        if not value:
            return
        expected = self.source_words(fields, text)
        got = [w["word"] for w in value["words"]]
        if got != expected:
            at = next(
                (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                min(len(got), len(expected)),
            )
            seen = repr(got[at]) if at < len(got) else "nothing"
            want = repr(expected[at]) if at < len(expected) else "no more words"
            raise BadAnnotation(
                f"{self.name}: word {at + 1} is {seen}, but the item has {want} there"
            )

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        for i, w in enumerate((self.answer(label_map or {}) or {}).get("words") or []):
            if not w["morphemes"] or not w["gloss"]:
                what = "no gloss" if w["morphemes"] else "no segmentation"
                return f"word {i + 1} {w['word']!r} has {what} yet"
        return super().missing_requirement(label_map)

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return []

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        words = [w for m in label_maps for w in (self.answer(m) or {}).get("words") or []]
        morphemes = sum(len(split_cell(w["morphemes"])[0]) for w in words if w["morphemes"])
        return {
            "sentences": len(label_maps),
            "words": len(words),
            "glossed_words": sum(1 for w in words if w["gloss"]),
            "morphemes_per_word": round(morphemes / len(words), 2) if words else None,
        }

    def analysis(self, answers: Any) -> dict[str, Any]:
        counts: Counter[str] = Counter()
        for _fields, _item, label_map in answers:
            for w in (self.answer(label_map) or {}).get("words") or []:
                counts.update(e for e in ELEMENT.findall(w["gloss"]) if is_category(e))
        if not counts:
            return {"attributes": {}, "note": "no category labels glossed yet", "choices": 0}
        return {
            "attributes": {},
            "tables": [
                {
                    "caption": "category labels by use",
                    "testid": "categories",
                    "columns": ["label", "uses"],
                    "rows": [[k, n] for k, n in counts.most_common()],
                }
            ],
        }
