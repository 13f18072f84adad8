"""`annotation_type: randomized_response` — a sensitive yes/no question answered through a
private randomizer, so no single answer reveals the truth.

`method: forced_response` (the default): with probability `p_truth` the respondent answers
truthfully, with `p_yes` says "Yes" and with `p_no` says "No" whatever the truth (the
randomizer text says how, e.g. by a birth month). `method: crosswise` (Yu, Tian & Tang
2008): the sensitive statement and a non-sensitive one of known prevalence
`nonsensitive_prevalence`; the respondent says only whether both or neither are true, or
exactly one.

Sent and stored like a radio question (Potato's wire format): `"schema:Yes": "1"`, or the
crosswise labels. The questions page shows the unbiased prevalence estimate with its
standard error:
- forced response, λ the share of "Yes": π = (λ - p_yes) / p_truth,
  SE = sqrt(λ(1 - λ) / n) / p_truth;
- crosswise (the same estimator as Warner 1965), λ the share of "both or neither", p the
  non-sensitive prevalence: π = (λ + p - 1) / (2p - 1), SE = sqrt(λ(1 - λ) / n) / |2p - 1|.
Estimates are not clipped to [0, 1]: a value outside says the sample is small or the design
assumption does not hold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ..config.reader import ConfigReader
from .base import Label
from .choice import ChoiceScheme
from .registry import register

METHODS = ("forced_response", "crosswise")
YES_NO = ("Yes", "No")
# Potato's label names for the crosswise answers (its wire format)
SAME, DIFFERENT = "Both statements are true, or neither is", "Exactly one statement is true"
RANDOMIZER = (
    "Think of the month your mother was born in and keep it to yourself. January or "
    "February: answer Yes. March or April: answer No. Any other month: answer the question "
    "truthfully."
)


def forced_response_estimate(yes: int, n: int, p_truth: float, p_yes: float) -> dict[str, Any]:
    lam = yes / n
    se = math.sqrt(lam * (1 - lam) / n) / p_truth
    return _interval((lam - p_yes) / p_truth, se, lam, n)


def crosswise_estimate(same: int, n: int, p: float) -> dict[str, Any]:
    lam = same / n
    se = math.sqrt(lam * (1 - lam) / n) / abs(2 * p - 1)
    return _interval((lam + p - 1) / (2 * p - 1), se, lam, n)


def _interval(est: float, se: float, lam: float, n: int) -> dict[str, Any]:
    return {
        "n": n,
        "lambda": lam,
        "estimate": est,
        "se": se,
        "ci95": [est - 1.96 * se, est + 1.96 * se],
    }


@register("randomized_response")
class RandomizedResponse(ChoiceScheme):
    macro = "schemes/randomized_response.html"
    stylesheet = "css/survey-methods.css"
    option_keys = (
        "method",
        "question",
        "randomizer",
        "p_truth",
        "p_yes",
        "p_no",
        "nonsensitive_statement",
        "nonsensitive_prevalence",
        "horizontal",
    )
    single_choice = True
    input_type = "radio"
    agreement_metric = None
    agreement_skip_reason = "each respondent answers about themselves, through a randomizer"
    analysis_title = "Randomized response: prevalence estimate"

    def parse_options(self, reader: ConfigReader) -> None:
        self.method = reader.str("method", "forced_response", choices=METHODS)
        self.question = reader.str("question", self.description)
        self.randomizer = reader.str("randomizer", RANDOMIZER)
        self.horizontal = reader.bool("horizontal", True)
        self.sequential = False
        self.free_response = None
        self.p_truth = reader.number("p_truth", 2 / 3, minimum=0, maximum=1)
        self.p_yes = reader.number("p_yes", 1 / 6, minimum=0, maximum=1)
        self.p_no = reader.number("p_no", 1 / 6, minimum=0, maximum=1)
        self.statement = reader.str("nonsensitive_statement", None)
        self.prevalence = reader.number("nonsensitive_prevalence", None, minimum=0, maximum=1)
        if self.method == "forced_response":
            if abs(self.p_truth + self.p_yes + self.p_no - 1) > 1e-6:
                reader.problem("p_truth", "p_truth + p_yes + p_no must be 1")
            if self.p_truth <= 0:
                reader.problem("p_truth", "must be above 0 (else answers say nothing)")
            names = YES_NO
        else:
            if not self.statement:
                reader.problem("nonsensitive_statement", "is required for method: crosswise")
            if self.prevalence is None:
                reader.problem("nonsensitive_prevalence", "is required for method: crosswise")
            elif self.prevalence in (0, 0.5, 1):
                reader.problem(
                    "nonsensitive_prevalence", "must be strictly between 0 and 1 and not 0.5"
                )
            names = (SAME, DIFFERENT)
        # no hotkeys: arrows move within the radio group (two such questions would clash)
        self.labels = [Label(n) for n in names]
        self.labels_configured = False

    def describe(self) -> dict[str, Any]:
        out = super().describe()
        out.update(method=self.method, question=self.question)
        return out

    def dashboard_summary(self, label_maps):
        return {}

    def analysis(self, answers: Iterable[Any]) -> dict[str, Any]:
        return self.estimate(entry[2] for entry in answers)

    def estimate(self, label_maps: Iterable[Mapping[str, str]]) -> dict[str, Any]:
        picked = [self.answer(m) for m in label_maps]
        picked = [p for p in picked if p in self.label_names]
        n = len(picked)
        out: dict[str, Any] = {"method": self.method, "n": n}
        if n == 0:
            return {**out, "note": "no answers yet"}
        first = sum(1 for p in picked if p == self.label_names[0])
        if self.method == "forced_response":
            got = forced_response_estimate(first, n, self.p_truth, self.p_yes)
        else:
            got = crosswise_estimate(first, n, self.prevalence)
        out.update({k: round(v, 4) if isinstance(v, float) else v for k, v in got.items()})
        out["ci95"] = [round(x, 4) for x in got["ci95"]]
        return out
