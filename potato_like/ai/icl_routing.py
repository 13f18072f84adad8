"""ICL verification routing in the lease path (store/assignments.py): with probability
`assignment_mix_rate` a new lease first tries a prediction sampled for human verification
(`icl_labeling.verification`, Potato's keys)."""

from __future__ import annotations

import random

from .icl import IclConfig


class VerificationMix:
    """The lease path's draw (store/assignments.py): with probability `rate` a new lease
    first tries a prediction sampled for verification, ordered by `order` ("mixed": half of
    the draws take the lowest confidence, half a random one)."""

    def __init__(self, rate: float, order: str, seed: int | None = None) -> None:
        self.rate = rate
        self.order = order
        self._rng = random.Random(seed)

    def draw(self) -> str | None:
        """The order to take a verification item in for this lease, or None (a normal one)."""
        if self._rng.random() >= self.rate:
            return None
        if self.order == "mixed":
            return "low_confidence" if self._rng.random() < 0.5 else "random"
        return self.order


def verification_mix(cfg: IclConfig | None, seed: int | None = None) -> VerificationMix | None:
    if cfg is None or not cfg.routing:
        return None
    return VerificationMix(cfg.mix_rate, cfg.selection_strategy, seed)
