"""Statistics of listening tests: unblinded scores per condition, means with 95% confidence
intervals, the ITU-R BS.1534-3 post-screening of MUSHRA assessors and the binomial test of
ABX answers.

Scores, as the recommendations define them: ACR, DCR and the P.835 scales 5 (best) .. 1
(MOS, DMOS); CCR -3 .. +3 for the second sample against the first (CMOS), also written as
each condition's score against the other; MUSHRA 0 .. 100; BS.1116 1.0 .. 5.0 with the
difference grade (condition minus hidden reference) per trial.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

# BS.1534-3 §4.1.2: an assessor is post-screened out when they rate the hidden reference
# below 90 for more than 15% of the test items (or the mid-range anchor above 90 for more
# than 15% of them).
SCREEN_SCORE = 90.0
SCREEN_SHARE = 0.15


def mean_ci(values: list[float]) -> dict[str, Any]:
    """n, mean, sample SD and the 95% confidence interval mean ± t(0.975, n-1)·SD/√n
    (BS.1534-3 §9.2.2, ITU-T P.1401 §6); no SD/CI for a single value."""
    n = len(values)
    mean = sum(values) / n
    out: dict[str, Any] = {"n": n, "mean": round(mean, 4), "sd": None, "ci95": None}
    if n > 1:
        from scipy.stats import t

        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
        half = float(t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
        out.update(sd=round(sd, 4), ci95=[round(mean - half, 4), round(mean + half, 4)])
    return out


def binomial_p(correct: int, trials: int) -> float | None:
    """One-sided P(X >= correct) for X ~ Binomial(trials, 1/2): the chance of doing at least
    this well by guessing in an ABX test."""
    if trials <= 0:
        return None
    return sum(math.comb(trials, i) for i in range(correct, trials + 1)) / 2**trials


def scores(method: str, answer: Mapping[str, Any], plan: Mapping[str, Any]) -> list[dict]:
    """The unblinded scores of one answer: [{slot, condition, scale, score}]."""
    by_slot = {s["slot"]: s["condition"] for s in plan["slots"]}
    out: list[dict] = []

    def add(slot: str, scale: str, score: float, condition: str | None = None) -> None:
        out.append(
            {
                "slot": slot,
                "condition": condition or by_slot.get(slot) or "",
                "scale": scale,
                "score": score,
            }
        )

    if method in ("mushra", "bs1116"):
        ratings = answer.get("ratings") or {}
        for slot in sorted(ratings):
            add(slot, method, ratings[slot])
        if method == "bs1116" and len(ratings) == 2:
            hidden = [s for s in ratings if by_slot.get(s) == "hidden_reference"]
            tested = [s for s in ratings if by_slot.get(s) != "hidden_reference"]
            if hidden and tested:
                diff = round(ratings[tested[0]] - ratings[hidden[0]], 4)
                add(tested[0], "diff_grade", diff)
    elif method in ("acr", "dcr"):
        if isinstance(answer.get("rating"), int):
            add("s1", method, 5 - answer["rating"])
    elif method == "p835":
        for key in ("sig", "bak", "ovrl"):
            if isinstance(answer.get(key), int):
                add("s1", key, 5 - answer[key])
    elif method == "ccr":
        if isinstance(answer.get("rating"), int) and len(plan["slots"]) == 2:
            score = 3 - answer["rating"]  # the second sample against the first
            first, second = plan["slots"][0]["condition"], plan["slots"][1]["condition"]
            add("s2", "ccr", score, condition=second)
            add("s1", "ccr", -score, condition=first)
    elif method == "abx" and answer.get("choice") in ("A", "B"):
        pair = f"{by_slot.get('A')}|{by_slot.get('B')}"
        add("X", "abx_correct", int(answer["choice"] == plan.get("x_is")), condition=pair)
    return out


def screening(rows: Iterable[Mapping[str, Any]], mid_anchor: str | None) -> dict[str, dict]:
    """Per assessor: hidden-reference ratings below 90 (and mid-anchor ratings above 90) as
    a share of their items, and whether BS.1534-3 post-screening excludes them."""
    ref: dict[str, dict[str, float]] = defaultdict(dict)
    anchor: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        if r["condition"] == "hidden_reference":
            ref[r["user"]][r["item"]] = float(r["score"])
        elif mid_anchor and r["condition"] == mid_anchor:
            anchor[r["user"]][r["item"]] = float(r["score"])
    out = {}
    for user in sorted(set(ref) | set(anchor)):
        low = sum(1 for s in ref[user].values() if s < SCREEN_SCORE)
        high = sum(1 for s in anchor[user].values() if s > SCREEN_SCORE)
        ref_share = low / len(ref[user]) if ref[user] else 0.0
        anchor_share = high / len(anchor[user]) if anchor[user] else 0.0
        reasons = []
        if ref_share > SCREEN_SHARE:
            reasons.append("hidden reference below 90 on more than 15% of items")
        if anchor_share > SCREEN_SHARE:
            reasons.append("mid anchor above 90 on more than 15% of items")
        out[user] = {
            "items": len(ref[user]),
            "hidden_reference_below_90": low,
            "hidden_reference_share": round(ref_share, 4),
            "mid_anchor_above_90": high,
            "mid_anchor_share": round(anchor_share, 4),
            "excluded": bool(reasons),
            "reason": "; ".join(reasons),
        }
    return out


def condition_summary(rows: Iterable[Mapping[str, Any]], excluded: set[str]) -> list[dict]:
    """Mean and 95% CI per (condition, scale), leaving out excluded assessors' rows."""
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r["user"] not in excluded and r["scale"] != "abx_correct":
            groups[(r["condition"], r["scale"])].append(float(r["score"]))
    return [
        {"condition": cond, "scale": scale, **mean_ci(values)}
        for (cond, scale), values in sorted(groups.items())
    ]


def abx_summary(rows: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Per assessor and all together: trials, correct, proportion, one-sided binomial p."""
    per: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r["scale"] == "abx_correct":
            per[r["user"]].append(int(r["score"]))
    out = []
    everyone = [v for values in per.values() for v in values]
    for user, values in [*sorted(per.items()), ("(all)", everyone)]:
        if not values:
            continue
        n, k = len(values), sum(values)
        p = binomial_p(k, n)
        out.append(
            {
                "assessor": user,
                "trials": n,
                "correct": k,
                "proportion": round(k / n, 4),
                "p_one_sided": round(p, 6) if p is not None else None,
            }
        )
    return out
