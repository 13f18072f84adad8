"""The `psychometric` strategy's model (Potato's adaptive routing, in our own terms).

Labels of one single-choice scheme are modelled with one accuracy per annotator (a
"one-coin" latent-class model fitted by EM, Dawid & Skene 1979): an annotator of accuracy s
gives the true class with probability s and each other class with (1 - s) / (K - 1). The
fit gives every item a posterior over the classes. An item's priority is the expected
reduction of that posterior's entropy (bits) if one more annotator of average accuracy
labels it; items whose most likely class has reached `confidence_threshold` with at least
`min_annotators_per_item` annotators are resolved and offered last (Potato stops offering
them). Until `min_observations` labels exist the model is not used (cold start: items are
drawn at random, which builds the overlap the model needs).

Potato's model also gives each item a difficulty and ranks items per annotator by that
annotator's ability; here the ranking is the same for everyone (a key in the items index,
kept by each save), which keeps leasing one indexed read.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

SCALE = 1000  # queue keys are thousandths of a bit, lower served first
RESOLVED_KEY = 10**6  # resolved items: after every unresolved one
PRIOR_HITS, PRIOR_MISSES = 7.0, 3.0  # Beta prior on accuracies: mean 0.7
MAX_ITERS, TOLERANCE = 100, 1e-6
S_MIN, S_MAX = 0.05, 0.999


@dataclass
class Model:
    classes: list[str] = field(default_factory=list)
    prior: list[float] = field(default_factory=list)  # class prior
    accuracy: dict[Hashable, float] = field(default_factory=dict)
    observations: int = 0

    @property
    def fitted(self) -> bool:
        return len(self.classes) >= 2

    @property
    def mean_accuracy(self) -> float:
        if not self.accuracy:
            return PRIOR_HITS / (PRIOR_HITS + PRIOR_MISSES)
        return sum(self.accuracy.values()) / len(self.accuracy)

    def posterior(self, labels: Mapping[Hashable, str]) -> list[float]:
        """P(true class) of an item from its labels {annotator: label}."""
        k = len(self.classes)
        logs = [math.log(p) for p in self.prior]
        for annotator, label in labels.items():
            if label not in self.classes:
                continue
            s = self.accuracy.get(annotator, self.mean_accuracy)
            hit, miss = math.log(s), math.log((1 - s) / (k - 1))
            given = self.classes.index(label)
            logs = [v + (hit if c == given else miss) for c, v in enumerate(logs)]
        top = max(logs)
        weights = [math.exp(v - top) for v in logs]
        total = sum(weights)
        return [w / total for w in weights]

    def gain(self, q: Sequence[float], s: float | None = None) -> float:
        """Expected entropy reduction (bits) of posterior q from one more label by an
        annotator of accuracy s (the average one by default)."""
        k = len(q)
        s = self.mean_accuracy if s is None else s
        miss = (1 - s) / (k - 1)
        expected = 0.0
        for said in range(k):
            joint = [q[c] * (s if c == said else miss) for c in range(k)]
            p_said = sum(joint)
            if p_said > 0:
                expected += p_said * entropy([j / p_said for j in joint])
        return max(0.0, entropy(q) - expected)


def entropy(p: Iterable[float]) -> float:
    return -sum(x * math.log2(x) for x in p if x > 0)


def fit(
    observations: Iterable[tuple[Hashable, Hashable, str]], classes: Iterable[str] = ()
) -> Model:
    """EM over (item, annotator, label) triples; the last label of a pair counts. `classes`:
    the scheme's labels, so a model stays defined while every answer so far is the same."""
    latest: dict[tuple[Hashable, Hashable], str] = {}
    for item, annotator, label in observations:
        latest[(item, annotator)] = label
    if not latest:
        return Model(classes=[], observations=0)
    classes = sorted(set(latest.values()) | set(classes))
    model = Model(classes=classes, observations=len(latest))
    if len(classes) < 2:
        return model
    k = len(classes)
    by_item: dict[Hashable, dict[Hashable, str]] = {}
    for (item, annotator), label in latest.items():
        by_item.setdefault(item, {})[annotator] = label
    # start from the vote shares
    q = {
        item: [(1 + sum(v == c for v in labels.values())) / (k + len(labels)) for c in classes]
        for item, labels in by_item.items()
    }
    annotators = {a for labels in by_item.values() for a in labels}
    for _ in range(MAX_ITERS):
        hits = dict.fromkeys(annotators, PRIOR_HITS)
        seen = dict.fromkeys(annotators, PRIOR_HITS + PRIOR_MISSES)
        for item, labels in by_item.items():
            for annotator, label in labels.items():
                hits[annotator] += q[item][classes.index(label)]
                seen[annotator] += 1
        model.accuracy = {a: min(S_MAX, max(S_MIN, hits[a] / seen[a])) for a in annotators}
        counts = [1 + sum(post[c] for post in q.values()) for c in range(k)]
        model.prior = [n / sum(counts) for n in counts]
        new_q = {item: model.posterior(labels) for item, labels in by_item.items()}
        change = max(abs(a - b) for item in q for a, b in zip(q[item], new_q[item], strict=True))
        q = new_q
        if change < TOLERANCE:
            break
    return model


@dataclass(frozen=True)
class Settings:
    """Potato's `psychometrics` block (config/psychometrics.py reads it)."""

    schema: str
    refit_interval: int = 5
    min_observations: int = 20
    min_annotators_per_item: int = 2
    confidence_threshold: float = 0.95
    cost_per_judgment: float | None = None


def queue_key(model: Model, labels: Mapping[Hashable, str], settings: Settings) -> int:
    """An item's place in the queue (lower first) from its labels under the model."""
    if not model.fitted:
        return 0
    q = model.posterior(labels)
    if max(q) >= settings.confidence_threshold and len(labels) >= (
        settings.min_annotators_per_item
    ):
        return RESOLVED_KEY
    return -round(model.gain(q) * SCALE)
