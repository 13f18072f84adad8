"""Bradley-Terry scores with confidence intervals from pairwise preferences.

Pure computation. A comparison is (entity of side A, entity of side B, outcome "A"/"B"/
"tie"). A tie counts as half a win each way. Strengths are maximum-likelihood log-strengths
(choice_mle.fit: choix's lightly penalised objective), centred at 0; standard errors come from the
observed Fisher information (the Hessian of the log-likelihood at the estimate, with the
centring constraint handled by the pseudo-inverse), and the interval is estimate ± z x SE.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import choice_mle

REGULARISATION = 0.01
Z95 = 1.959963984540054


def bradley_terry(comparisons: Sequence[tuple[str, str, str]], z: float = Z95) -> list[dict]:
    """Entity -> score, se, ci_low, ci_high, wins, losses, ties, comparisons; best first."""
    ids = sorted({c[0] for c in comparisons} | {c[1] for c in comparisons})
    index = {e: n for n, e in enumerate(ids)}
    tally = {e: {"wins": 0, "losses": 0, "ties": 0} for e in ids}
    pairs: list[tuple[int, int]] = []  # every decisive outcome twice, a tie once each way
    for a, b, outcome in comparisons:
        ia, ib = index[a], index[b]
        if outcome == "A":
            pairs += [(ia, ib), (ia, ib)]
            tally[a]["wins"] += 1
            tally[b]["losses"] += 1
        elif outcome == "B":
            pairs += [(ib, ia), (ib, ia)]
            tally[b]["wins"] += 1
            tally[a]["losses"] += 1
        else:
            pairs += [(ia, ib), (ib, ia)]
            tally[a]["ties"] += 1
            tally[b]["ties"] += 1
    if len(ids) < 2 or not pairs:
        return []
    theta = choice_mle.fit(
        len(ids), [(winner, [loser]) for winner, loser in pairs], penalty=REGULARISATION
    )
    # Information of the half-weighted likelihood (the pairs list counts everything twice).
    info = choice_mle.pairwise_information(theta, pairs, weight=0.5)
    cov = np.linalg.pinv(info)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    rows = [
        {
            "item_id": e,
            "score": round(float(theta[n]), 6),
            "se": round(float(se[n]), 6),
            "ci_low": round(float(theta[n] - z * se[n]), 6),
            "ci_high": round(float(theta[n] + z * se[n]), 6),
            **tally[e],
            "comparisons": sum(tally[e].values()),
        }
        for e, n in index.items()
    ]
    rows.sort(key=lambda r: (-r["score"], r["item_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
