"""`annotation_type: price_list` — a multiple price list: a column of paired options A and
B, one pick per row. Rows are written in `rows` ({a, b, a_pays, b_pays, a_after, b_after})
or come from a preset: `holt_laury` (Holt & Laury 2002, low-payoff table: A pays $2.00 with
probability p and $1.60 otherwise, B $3.85 or $0.10, p = 0.1 … 1.0; `scale` multiplies the
amounts) or `time_preference` (`amount_now` today against each of `amounts_later`).

Sent as Potato's page does, one JSON record in `"schema:schema"`:
`{"choices": ["A", "A", "B", ...], ...}` (null for an unanswered row). The server keeps the
choices and computes the rest: `switches`, `multiple_switching`, `switch_row` (the first
row answered B after A rows: the switching point), `safe_choices` (rows answered A),
`consistent` (every row answered, at most one switch, from A to B) and, for the Holt & Laury
preset, `crra`: the interval of the CRRA coefficient r (u(x) = x^(1-r)/(1-r)) under which
those choices maximise expected utility (null: unbounded). With `single_switch: true` a
record that switches more than once or from B back to A is refused.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import RecordScheme, counts
from .registry import register

PRESETS = ("holt_laury", "time_preference")
HOLT_LAURY_A, HOLT_LAURY_B = (2.00, 1.60), (3.85, 0.10)
ROW_KEYS = ("a", "b", "a_pays", "b_pays", "a_after", "b_after")
Lottery = list[tuple[float, float]]  # (probability, amount)


def money(amount: float, currency: str) -> str:
    return f"{currency}{amount:,.2f}"


def lottery_text(pays: Lottery, currency: str) -> str:
    if len(pays) == 1:
        return f"{money(pays[0][1], currency)} for sure"
    return ", ".join(f"{round(p * 100, 2):g}% chance of {money(a, currency)}" for p, a in pays)


def holt_laury_rows(scale: float = 1.0) -> list[tuple[Lottery, Lottery]]:
    rows = []
    for k in range(1, 11):
        p = k / 10
        a = [(p, HOLT_LAURY_A[0] * scale)] + ([(1 - p, HOLT_LAURY_A[1] * scale)] if k < 10 else [])
        b = [(p, HOLT_LAURY_B[0] * scale)] + ([(1 - p, HOLT_LAURY_B[1] * scale)] if k < 10 else [])
        rows.append((a, b))
    return rows


def crra_utility(x: float, r: float) -> float:
    return math.log(x) if abs(r - 1) < 1e-12 else x ** (1 - r) / (1 - r)


def expected_utility(pays: Lottery, r: float) -> float:
    return sum(p * crra_utility(x, r) for p, x in pays)


def indifference_r(a: Lottery, b: Lottery, lo: float = -10.0, hi: float = 10.0) -> float | None:
    """The CRRA coefficient at which A and B have equal expected utility (bisection; A is
    preferred above it in a Holt & Laury row), or None when B dominates over the range."""

    def gap(r: float) -> float:
        return expected_utility(a, r) - expected_utility(b, r)

    if gap(lo) * gap(hi) > 0:
        return None
    for _ in range(100):
        mid = (lo + hi) / 2
        if gap(lo) * gap(mid) <= 0:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def switch_summary(choices: Sequence[str | None]) -> dict[str, Any]:
    answered = [c for c in choices if c in ("A", "B")]
    switches = sum(1 for x, y in itertools.pairwise(answered) if x != y)
    first_b = next((i for i, c in enumerate(choices) if c == "B"), None)
    single = switches == 0 or (switches == 1 and answered[0] == "A")
    return {
        "switches": switches,
        "multiple_switching": switches > 1,
        "switch_row": first_b + 1 if first_b is not None and single else None,
        "safe_choices": sum(1 for c in choices if c == "A"),
        "consistent": len(answered) == len(choices) and single,
    }


@register("price_list")
class PriceList(RecordScheme):
    macro = "schemes/price_list.html"
    script = "js/price-list.js"
    stylesheet = "css/survey-methods.css"
    option_keys = (
        "preset",
        "rows",
        "scale",
        "currency",
        "single_switch",
        "option_labels",
        "instructions",
        "amount_now",
        "amounts_later",
        "delay_label",
        "now_label",
    )
    agreement_metric = None
    agreement_skip_reason = "each respondent states their own preferences"
    analysis_title = "Price list: switching points"

    def parse_options(self, reader: ConfigReader) -> None:
        self.preset = reader.str("preset", None, choices=PRESETS)
        self.currency = reader.str("currency", "$", allow_empty=True)
        self.single_switch = reader.bool("single_switch", False)
        self.instructions = reader.str("instructions", "")
        labels = reader.string_list("option_labels") or ["Option A", "Option B"]
        if len(labels) != 2:
            reader.problem("option_labels", "must be two labels, such as [Option A, Option B]")
            labels = ["Option A", "Option B"]
        self.option_labels = labels
        scale = reader.number("scale", 1, minimum=0)
        if reader.has("scale") and self.preset is None:
            reader.problem("scale", "applies to presets only")
        if scale <= 0:
            reader.problem("scale", "must be above 0")
            scale = 1
        self.rows: list[dict[str, Any]] = []  # {a, b (texts), a_pays, b_pays, a_after, b_after}
        if (self.preset is None) == (not reader.has("rows")):
            reader.problem(
                "preset", "give exactly one of preset (holt_laury, time_preference) or rows"
            )
        if self.preset == "holt_laury":
            for a, b in holt_laury_rows(scale):
                self._add(lottery_text(a, self.currency), lottery_text(b, self.currency), a, b)
        elif self.preset == "time_preference":
            now = reader.number("amount_now", None, minimum=0)
            amounts = reader.list("amounts_later")
            if now is None:
                reader.problem("amount_now", "is required for preset: time_preference")
            if len(amounts) < 2 or not all(_amount(x) for x in amounts):
                reader.problem("amounts_later", "needs a list of at least two amounts of 0 or more")
                amounts = []
            now_label = reader.str("now_label", "today")
            delay = reader.str("delay_label", "in 4 weeks")
            for x in amounts:
                a, b = [(1.0, float(now or 0) * scale)], [(1.0, float(x) * scale)]
                self._add(
                    f"{money(a[0][1], self.currency)} {now_label}",
                    f"{money(b[0][1], self.currency)} {delay}",
                    a,
                    b,
                    b_after=delay,
                )
        else:
            for key in ("amount_now", "amounts_later", "delay_label", "now_label"):
                if reader.has(key):
                    reader.problem(key, "applies to preset: time_preference only")
            self._read_rows(reader)

    def _add(self, a, b, a_pays=None, b_pays=None, a_after="", b_after="") -> None:
        self.rows.append(
            {
                "a": a,
                "b": b,
                "a_pays": a_pays,
                "b_pays": b_pays,
                "a_after": a_after,
                "b_after": b_after,
            }
        )

    def _read_rows(self, reader: ConfigReader) -> None:
        entries = list(reader.entries("rows", "a mapping with a and b"))
        if len(entries) < 2:
            reader.problem("rows", "needs at least two rows")
        for _i, row in entries:
            row.warn_unknown(ROW_KEYS)
            pays = {}
            for side in ("a", "b"):
                pays[side] = _lottery(row.raw.get(f"{side}_pays"))
                if pays[side] == "bad":
                    row.problem(
                        f"{side}_pays",
                        "must be an amount or [[probability, amount], ...] with probabilities "
                        "summing to 1 and amounts of 0 or more",
                    )
                    pays[side] = None
                if row.raw.get(side) is None and pays[side] is None:
                    row.problem(side, f"option {side.upper()} needs text ({side}) or {side}_pays")
            a_text = row.str("a", None) or lottery_text(pays["a"] or [], self.currency)
            b_text = row.str("b", None) or lottery_text(pays["b"] or [], self.currency)
            self._add(
                a_text, b_text, pays["a"], pays["b"], row.str("a_after", ""), row.str("b_after", "")
            )

    # -- values -------------------------------------------------------------------------
    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        choices = record.get("choices")
        if not isinstance(choices, list):
            raise BadAnnotation(
                f"{self.name}: the record needs 'choices', a list with one entry per row"
            )
        if len(choices) != len(self.rows):
            raise BadAnnotation(f"{self.name}: {len(choices)} choices for {len(self.rows)} rows")
        for i, choice in enumerate(choices, start=1):
            if choice not in ("A", "B", None):
                raise BadAnnotation(
                    f"{self.name}: row {i} must be 'A', 'B' or null, got {choice!r}"
                )
        if all(c is None for c in choices):
            return None
        summary = switch_summary(choices)
        if self.single_switch and summary["switch_row"] is None and summary["switches"]:
            raise BadAnnotation(
                f"{self.name}: this list allows one switch, from A to B; the choices switch "
                f"{summary['switches']} time(s)"
            )
        out = {"choices": list(choices), **summary}
        if self.preset == "holt_laury":
            out["crra"] = self.crra_interval(choices) if summary["consistent"] else None
        return out

    def crra_interval(self, choices: Sequence[str | None]) -> list[float | None]:
        """[low, high] of the CRRA coefficient for consistent choices (None: unbounded)."""
        safe = sum(1 for c in choices if c == "A")
        bounds = [indifference_r(r["a_pays"], r["b_pays"]) for r in self.rows]
        low = bounds[safe - 1] if safe >= 1 else None
        high = bounds[safe] if safe < len(bounds) else None
        return [None if v is None else round(v, 4) for v in (low, high)]

    def missing_requirement(self, label_map):
        record = self.answer(label_map or {})
        if self.required and (not record or None in record["choices"]):
            return "every row needs a choice"
        return super().missing_requirement(label_map)

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        records = [self.answer(m) for m in label_maps]
        return {"switch_row": counts(r.get("switch_row") for r in records if r)}

    def analysis(self, answers: Iterable[Any]) -> dict[str, Any]:
        records = [self.answer(entry[2]) for entry in answers]
        records = [r for r in records if r]
        consistent = [r for r in records if r["consistent"]]
        out: dict[str, Any] = {
            "answers": len(records),
            "consistent": len(consistent),
            "multiple_switching": sum(1 for r in records if r["multiple_switching"]),
            "switch_rows": counts(r["switch_row"] for r in consistent),
        }
        if consistent:
            out["mean_safe_choices"] = round(
                sum(r["safe_choices"] for r in consistent) / len(consistent), 4
            )
        return out


def _amount(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0


def _lottery(value: Any) -> Lottery | str | None:
    if value is None:
        return None
    if _amount(value):
        return [(1.0, float(value))]
    if not isinstance(value, list) or not value:
        return "bad"
    out = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and all(_amount(v) for v in pair)):
            return "bad"
        out.append((float(pair[0]), float(pair[1])))
    if any(p <= 0 or p > 1 for p, _ in out) or abs(sum(p for p, _ in out) - 1) > 1e-6:
        return "bad"
    return out


def crra_bounds_table() -> list[float | None]:
    """The indifference CRRA coefficient of each Holt & Laury row (for docs and tests)."""
    return [indifference_r(a, b) for a, b in holt_laury_rows()]
