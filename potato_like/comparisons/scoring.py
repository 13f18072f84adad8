"""Scores from best-worst judgements: counting, Bradley-Terry, Plackett-Luce.

Pure computation (no SQL, no Flask). A judgement is the tuple's pool item ids in position
order (A, B, ...) with the best and worst positions picked.

- counting (Orme 2009; Kiritchenko & Mohammad 2017): (times best - times worst) /
  times shown, in [-1, 1].
- bradley_terry: every judgement implies pairs — the best beats each other item, each
  other item beats the worst — fitted by choix's I-LSR (Maystree & Grossglauser 2015).
- plackett_luce: the best is a top-1 choice from the whole tuple (the first stage of a
  Plackett-Luce ranking); each other item is a top-1 choice over the worst; fitted by
  choix's I-LSR for top-1 data (a composite likelihood over the parts of the tuple
  ranking the judgement reveals).
Model scores are log-strengths centred at 0 (higher is better).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import choice_mle

METHODS = ("counting", "bradley_terry", "plackett_luce")


@dataclass(frozen=True)
class Judgement:
    items: tuple[str, ...]  # pool ids, position order
    best: int  # index into items
    worst: int


def judgement(source_ids: Sequence[str], best: str, worst: str) -> Judgement | None:
    """From stored position letters ("A", "C"); None when incomplete or inconsistent."""
    positions = [chr(ord("A") + i) for i in range(len(source_ids))]
    if best not in positions or worst not in positions or best == worst:
        return None
    return Judgement(tuple(source_ids), positions.index(best), positions.index(worst))


def score(judgements: Sequence[Judgement], method: str = "counting") -> dict[str, dict]:
    """Item id -> {score, best_count, worst_count, appearances}."""
    if method not in METHODS:
        raise ValueError(f"unknown scoring method {method!r}; expected one of {', '.join(METHODS)}")
    counts = _counts(judgements)
    if method == "counting":
        values = {i: (c[0] - c[1]) / c[2] for i, c in counts.items()}
    else:
        values = _model_scores(judgements, list(counts), method)
    return {
        i: {
            "score": float(values[i]),
            "best_count": c[0],
            "worst_count": c[1],
            "appearances": c[2],
        }
        for i, c in counts.items()
    }


def ranked(scores: dict[str, dict], texts: dict[str, str] | None = None) -> list[dict]:
    """Highest score first, with ranks; ties broken by id for a stable order."""
    order = sorted(scores.items(), key=lambda kv: (-kv[1]["score"], kv[0]))
    return [
        {
            "rank": n,
            "item_id": item_id,
            "text": (texts or {}).get(item_id, "")[:200],
            "score": round(data["score"], 6),
            "best_count": data["best_count"],
            "worst_count": data["worst_count"],
            "appearances": data["appearances"],
        }
        for n, (item_id, data) in enumerate(order, start=1)
    ]


def _counts(judgements: Iterable[Judgement]) -> dict[str, list[int]]:
    counts: dict[str, list[int]] = {}
    for j in judgements:
        for item in j.items:
            counts.setdefault(item, [0, 0, 0])[2] += 1
        counts[j.items[j.best]][0] += 1
        counts[j.items[j.worst]][1] += 1
    return counts


def _model_scores(judgements: Sequence[Judgement], ids: list[str], method: str) -> dict:
    index = {item: n for n, item in enumerate(ids)}
    if len(ids) < 2:
        return {i: 0.0 for i in ids}
    choices: list[tuple[int, list[int]]] = []
    for j in judgements:
        members = [index[item] for item in j.items]
        best, worst = members[j.best], members[j.worst]
        if method == "bradley_terry":
            choices.extend((best, [m]) for m in members if m != best)
        else:
            choices.append((best, [m for m in members if m != best]))
        choices.extend((m, [worst]) for m in members if m not in (best, worst))
    params = choice_mle.fit(len(ids), choices)
    return {item: params[n] for item, n in index.items()}
