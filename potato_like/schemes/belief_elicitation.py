"""`annotation_type: belief_elicitation` — a stated belief.

`mode: point` (the default): the probability, 0 to 100, that an event happens, on a slider
(`step`, `left_label`, `right_label`); sent as Potato's page does, one JSON record in
`"schema:schema"`: `{"report": 70}`. `mode: bins`: 100 points spread over the `bins` (e.g.
ranges of a quantity): `{"bins": [10, 40, 50]}`, one whole number per bin, summing to
exactly 100 (a record that does not is refused, naming its total).

The questions page shows the mean and median report (point) or the aggregate distribution,
the equal-weight average of the respondents' distributions (a linear opinion pool), with
the share of respondents putting most weight on each bin (bins).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import RecordScheme
from .registry import register

MODES = ("point", "bins")
TOTAL = 100


def pooled_distribution(distributions: list[list[float]]) -> list[float]:
    """The equal-weight linear opinion pool: each bin's mean share."""
    n = len(distributions)
    return [sum(d[i] for d in distributions) / n for i in range(len(distributions[0]))]


@register("belief_elicitation")
class BeliefElicitation(RecordScheme):
    macro = "schemes/belief_elicitation.html"
    script = "js/belief-elicitation.js"
    stylesheet = "css/survey-methods.css"
    option_keys = ("mode", "bins", "step", "left_label", "right_label", "instructions")
    agreement_metric = None
    agreement_skip_reason = "each respondent states their own belief"
    analysis_title = "Beliefs: mean report or pooled distribution"

    def parse_options(self, reader: ConfigReader) -> None:
        self.mode = reader.str("mode", "point", choices=MODES)
        self.instructions = reader.str("instructions", "")
        self.bins = reader.string_list("bins") if reader.has("bins") else []
        if self.mode == "bins":
            if len(self.bins) < 2:
                reader.problem("bins", "mode: bins needs at least two bin labels")
            if len(set(self.bins)) != len(self.bins):
                reader.problem("bins", "bin labels must be distinct")
        elif self.bins:
            reader.problem("bins", "applies to mode: bins only")
        self.step = reader.number("step", 1, minimum=0)
        if not 0 < self.step <= 50:
            reader.problem("step", "must be above 0 and at most 50")
            self.step = 1
        self.left_label = reader.str("left_label", "Certainly not")
        self.right_label = reader.str("right_label", "Certainly")
        for key in ("step", "left_label", "right_label"):
            if self.mode != "point" and reader.has(key):
                reader.problem(key, "applies to mode: point only")

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        key = "report" if self.mode == "point" else "bins"
        extra = set(record) - {key}
        if extra:
            raise BadAnnotation(
                f"{self.name}: unknown key {sorted(extra)[0]!r}; a {self.mode} answer is "
                f'{{"{key}": ...}}'
            )
        if key not in record or record[key] is None:
            return None
        if self.mode == "point":
            report = record["report"]
            if isinstance(report, bool) or not isinstance(report, (int, float)):
                raise BadAnnotation(f"{self.name}: the report must be a number, got {report!r}")
            if not 0 <= report <= TOTAL:
                raise BadAnnotation(
                    f"{self.name}: the report must be between 0 and 100, got {report:g}"
                )
            steps = report / self.step
            if abs(steps - round(steps)) > 1e-6:
                raise BadAnnotation(f"{self.name}: the report must be a multiple of {self.step:g}")
            return {"report": int(report) if float(report).is_integer() else report}
        points = record["bins"]
        if not isinstance(points, list) or len(points) != len(self.bins):
            raise BadAnnotation(
                f"{self.name}: 'bins' must be a list of {len(self.bins)} numbers, one per bin"
            )
        for label, p in zip(self.bins, points, strict=True):
            if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0 or p != int(p):
                raise BadAnnotation(
                    f"{self.name}: bin {label!r} must be a whole number of 0 or more, got {p!r}"
                )
        total = sum(points)
        if total != TOTAL:
            raise BadAnnotation(f"{self.name}: the bins must sum to {TOTAL}, they sum to {total:g}")
        return {"bins": [int(p) for p in points]}

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        return {"answers": sum(1 for m in label_maps if self.answer(m))}

    def analysis(self, answers: Iterable[Any]) -> dict[str, Any]:
        records = [r for r in (self.answer(e[2]) for e in answers) if r]
        out: dict[str, Any] = {"mode": self.mode, "answers": len(records)}
        if not records:
            return out
        if self.mode == "point":
            reports = [r["report"] for r in records]
            out["mean"] = round(statistics.fmean(reports), 4)
            out["median"] = statistics.median(reports)
            return out
        pooled = pooled_distribution([r["bins"] for r in records])
        out["pooled"] = {label: round(p, 4) for label, p in zip(self.bins, pooled, strict=True)}
        modes = [self.bins[r["bins"].index(max(r["bins"]))] for r in records]
        out["most_weight"] = {label: modes.count(label) for label in self.bins}
        return out
