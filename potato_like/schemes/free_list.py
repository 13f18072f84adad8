"""`annotation_type: free_list` — the respondent lists the items of a domain ("all the kinds of
fruit you can think of"), one at a time, in the order they come to mind; each item keeps the
time it was added (ms since the list was started). Items cannot be reordered: order is data.

Sent as Potato does, one JSON value `"schema:schema"`:
`{"items": ["apple", "pear"], "timings_ms": [2140, 5310], "elapsed_ms": 9020,
"time_up": false, "started": true}`; stored as that JSON (canonical), what was typed, never
normalised. The questions page computes, per item of the data (one prompt), over the lists
of all respondents: frequency, percentage of lists, mean rank, Smith's salience index S
(Smith 1993) and Sutrop's cognitive salience index (Sutrop 2001), after `normalize` (case and
whitespace; `true` by default) and counting an item once per list, at its first rank."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, json_payload
from .json_document import JsonDocumentScheme
from .registry import register

MAX_ITEM_LENGTH = 200
MAX_LIST_ITEMS = 300  # without max_items (Potato's cap for its own export)
NORMALIZE_STEPS = ("lowercase", "trim")
TIME_GRACE_MS = 2000  # a timed list's last item may arrive this late (network, clock ticks)
MAX_PROMPTS_SHOWN = 20  # the questions page shows a salience table for this many items


def normalize_steps(value: Any) -> list[str] | None:
    """`normalize` as steps: true = lowercase and trim; None when it is not a valid value."""
    if value is True:
        return list(NORMALIZE_STEPS)
    if value is False or value is None:
        return []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(v in NORMALIZE_STEPS for v in value):
        return list(value)
    return None


def normalize_item(text: str, steps: Iterable[str]) -> str:
    steps = set(steps)
    if "trim" in steps:
        text = re.sub(r"\s+", " ", text).strip()
    if "lowercase" in steps:
        text = text.casefold()
    return text


def salience(lists: Sequence[Sequence[str]]) -> list[dict[str, Any]]:
    """Per item over N lists (each already normalised; a repeat counts once, at its first
    rank, and the list's length is its number of distinct items), most salient first:

        S_j   = (1/N) * sum over lists i naming j of (L_i - r_ij + 1) / L_i   (Smith 1993)
        CSI_j = F_j / (N * mean rank of j)                                       (Sutrop 2001)

    with F_j the number of lists naming j. Empty lists count in N."""
    n = len(lists)
    ranks: dict[str, list[int]] = {}
    smith: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for lst in lists:
        distinct = list(dict.fromkeys(x for x in lst if x))
        length = len(distinct)
        for r, item in enumerate(distinct, start=1):
            ranks.setdefault(item, []).append(r)
            smith[item] = smith.get(item, 0.0) + (length - r + 1) / length
            first_seen.setdefault(item, len(first_seen))
    rows = []
    for item, rs in ranks.items():
        freq = len(rs)
        mean_rank = sum(rs) / freq
        rows.append(
            {
                "item": item,
                "frequency": freq,
                "pct_lists": 100.0 * freq / n,
                "mean_rank": mean_rank,
                "smith_s": smith[item] / n,
                "sutrop_csi": freq / (n * mean_rank),
            }
        )
    rows.sort(key=lambda r: (-r["smith_s"], -r["frequency"], first_seen[r["item"]]))
    return rows


@register("free_list")
class FreeList(JsonDocumentScheme):
    macro = "schemes/free_list.html"
    script = "js/free-list.js"
    stylesheet = "css/fieldwork.css"
    option_keys = (
        "min_items",
        "max_items",
        "time_limit_s",
        "allow_duplicates",
        "normalize",
        "placeholder",
        "instructions",
    )
    summarizes_answers = True
    analysis_title = "Salience (Smith's S, Sutrop's CSI)"
    agreement_skip_reason = "free lists are analysed by salience, not agreement"

    def parse_options(self, reader: ConfigReader) -> None:
        self.min_items = reader.number("min_items", None, integer=True, minimum=1)
        self.max_items = reader.number("max_items", None, integer=True, minimum=1)
        if self.min_items and self.max_items and self.min_items > self.max_items:
            reader.problem(
                "min_items", f"({self.min_items}) is larger than max_items ({self.max_items})"
            )
        self.time_limit_s = reader.number("time_limit_s", None, minimum=0.001)
        self.allow_duplicates = reader.bool("allow_duplicates", False)
        raw = reader.raw.get("normalize", True)
        steps = normalize_steps(raw)
        if steps is None:
            reader.problem(
                "normalize", "must be true, false, or a list of: " + ", ".join(NORMALIZE_STEPS)
            )
            steps = list(NORMALIZE_STEPS)
        self.normalize_steps = steps
        self.placeholder = reader.str("placeholder", "Type an item, then press Enter")
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self.labels = [Label(self.name)]
        self.labels_configured = False

    @property
    def item_limit(self) -> int:
        return self.max_items or MAX_LIST_ITEMS

    # -- values -----------------------------------------------------------------------
    def parse_list(self, raw: Any) -> dict[str, Any]:
        """A submitted list checked and in canonical form; BadAnnotation names the problem."""
        data = json_payload(self.name, raw, "free list")
        items = data.get("items")
        if not isinstance(items, list):
            raise BadAnnotation(f"{self.name}: 'items' must be a list of the items typed")
        if len(items) > self.item_limit:
            raise BadAnnotation(
                f"{self.name}: {len(items)} items; the list holds at most {self.item_limit}"
            )
        clean: list[str] = []
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                raise BadAnnotation(f"{self.name}: item {i + 1} must be non-empty text")
            text = re.sub(r"\s+", " ", item).strip()
            if len(text) > MAX_ITEM_LENGTH:
                raise BadAnnotation(
                    f"{self.name}: item {i + 1} is longer than {MAX_ITEM_LENGTH} characters"
                )
            key = normalize_item(text, NORMALIZE_STEPS)
            if key in seen and not self.allow_duplicates:
                raise BadAnnotation(
                    f"{self.name}: {text!r} is listed twice (items {seen[key] + 1} and {i + 1})"
                )
            seen.setdefault(key, i)
            clean.append(text)
        timings = data.get("timings_ms", [])
        if not isinstance(timings, list) or len(timings) != len(clean):
            raise BadAnnotation(
                f"{self.name}: 'timings_ms' must give one time per item "
                f"({len(clean)} items, {len(timings) if isinstance(timings, list) else 0} times)"
            )
        last = 0.0
        out_times: list[int | None] = []
        for i, t in enumerate(timings):
            if t is None:  # Potato pads the times of lists stored before timings
                out_times.append(None)
                continue
            if isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0:
                raise BadAnnotation(f"{self.name}: time of item {i + 1} must be ms >= 0")
            if t < last:
                raise BadAnnotation(
                    f"{self.name}: item {i + 1} ({clean[i]!r}) has an earlier time than the "
                    "item before it; items stay in the order they were typed"
                )
            last = float(t)
            out_times.append(round(t))
        elapsed = data.get("elapsed_ms", last)
        if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or elapsed < 0:
            raise BadAnnotation(f"{self.name}: 'elapsed_ms' must be ms >= 0")
        if self.time_limit_s:
            limit = self.time_limit_s * 1000 + TIME_GRACE_MS
            late = [clean[i] for i, t in enumerate(out_times) if t is not None and t > limit]
            if late:
                raise BadAnnotation(
                    f"{self.name}: {late[0]!r} was added after the time limit "
                    f"({self.time_limit_s:g} s)"
                )
        return {
            "items": clean,
            "timings_ms": out_times,
            "elapsed_ms": round(max(float(elapsed), last)),
            "time_up": bool(data.get("time_up", False)),
            "started": bool(data.get("started", bool(clean))),
        }

    document_noun = "list"

    def parse_document(self, raw: Any) -> dict[str, Any]:
        return self.parse_list(raw)

    def is_blank(self, data: Mapping[str, Any]) -> bool:
        return not data["items"] and not data["time_up"] and not data["started"]

    def answer_map(self, value: Any) -> dict[str, Any]:
        if isinstance(value, list):
            value = {"items": value, "timings_ms": [None] * len(value)}
        return super().answer_map(value)

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        value = self.answer(label_map or {}) or {}
        n = len(value.get("items") or [])
        if self.min_items and label_map and n < self.min_items and not value.get("time_up"):
            return f"list at least {self.min_items} items ({n} so far)"
        return super().missing_requirement(label_map)

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return list((self.answer(label_map) or {}).get("items") or [])

    def entries(self, label_map: Mapping[str, str]) -> list[dict[str, Any]]:
        """The stored items with rank and time, for the page."""
        value = self.answer(label_map or {}) or {}
        times = value.get("timings_ms") or []
        return [
            {"rank": i + 1, "text": t, "ms": times[i] if i < len(times) else None}
            for i, t in enumerate(value.get("items") or [])
        ]

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        lists = [self.answer(m) or {} for m in label_maps]
        lengths = [len(v.get("items") or []) for v in lists]
        gaps = []
        for v in lists:
            times = [t for t in v.get("timings_ms") or [] if t is not None]
            gaps += [(b - a) / 1000 for a, b in zip([0, *times], times, strict=False)]
        return {
            "lists": len(lists),
            "mean_list_length": round(sum(lengths) / len(lengths), 2) if lengths else None,
            "mean_seconds_per_item": round(sum(gaps) / len(gaps), 2) if gaps else None,
            "timed_out": sum(1 for v in lists if v.get("time_up")),
        }

    def analysis(self, answers: Any) -> dict[str, Any]:
        by_prompt: dict[str, list[list[str]]] = {}
        for _fields, item_id, label_map in answers:
            items = (self.answer(label_map) or {}).get("items") or []
            by_prompt.setdefault(item_id, []).append(
                [normalize_item(x, self.normalize_steps) for x in items]
            )
        tables = []
        for item_id, lists in list(by_prompt.items())[:MAX_PROMPTS_SHOWN]:
            rows = salience(lists)
            tables.append(
                {
                    "caption": f"item {item_id}: {len(lists)} lists",
                    "testid": f"salience-{item_id}",
                    "columns": ["item", "frequency", "% of lists", "mean rank", "S", "CSI"],
                    "rows": [
                        [
                            r["item"],
                            r["frequency"],
                            round(r["pct_lists"], 1),
                            round(r["mean_rank"], 3),
                            round(r["smith_s"], 4),
                            round(r["sutrop_csi"], 4),
                        ]
                        for r in rows
                    ],
                }
            )
        out: dict[str, Any] = {"attributes": {}, "tables": tables}
        if not tables:
            out.update(note="no submitted lists yet", choices=0)
        return out
