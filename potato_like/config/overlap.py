"""How many annotators each item gets: `max_annotations_per_item` / `num_annotators_per_item`.

Potato accepts a number (-1, 0 or absent: no limit) or, under `num_annotators_per_item`, a
mapping: `default` (the number every item gets), `min`, `overlap_sample` (a sample of items,
`fraction` of them optionally stratified by a field, gets `count` annotators) and `adaptive`
(more annotators when the first ones disagree). `default` is the project's limit; the
sample and the boost become per-item caps kept in the database (store/item_caps.py), so
leasing enforces them as it enforces the default. `min` is checked and kept, and as in
Potato it does not change assignment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .reader import ConfigReader


@dataclass(frozen=True)
class OverlapSample:
    fraction: float
    count: int
    stratify_by: str | None = None
    seed: int | None = None

    def fingerprint(self) -> str:
        return f"{self.fraction}:{self.count}:{self.stratify_by}:{self.seed}"


@dataclass(frozen=True)
class AdaptiveBoost:
    disagreement_threshold: float = 0.5
    boost_to: int = 2


@dataclass(frozen=True)
class OverlapPlan:
    """The mapping form of `num_annotators_per_item` beyond its `default`."""

    minimum: int | None = None
    sample: OverlapSample | None = None
    adaptive: AdaptiveBoost | None = None


OVERLAP_KEYS = ("default", "min", "overlap_sample", "adaptive")
OVERLAP_SAMPLE_KEYS = ("fraction", "count", "stratify_by", "seed")
ADAPTIVE_KEYS = ("enabled", "disagreement_threshold", "boost_to")


def read_overlap(r: ConfigReader) -> int | None:
    """The per-item annotator limit (None: no limit)."""
    return read_overlap_plan(r)[0]


def read_overlap_plan(r: ConfigReader) -> tuple[int | None, OverlapPlan | None]:
    """The project's per-item annotator limit (None: no limit) and, for the mapping form,
    its sample and adaptive boost."""
    key = "max_annotations_per_item"
    value = r.raw.get(key)
    if not isinstance(value, Mapping):
        return r.limit(key), None
    # A mapping only comes from num_annotators_per_item (copied by the alias): name it.
    written = "num_annotators_per_item" if "num_annotators_per_item" in r.raw else key
    sub = ConfigReader(value, r.key_path(written), r.problems, r.warnings)
    sub.warn_unknown(OVERLAP_KEYS)
    default = sub.number("default", 1, integer=True, minimum=1)
    minimum = sub.number("min", None, integer=True, minimum=1)
    if minimum is not None and minimum > default:
        sub.problem("min", f"must not exceed default ({minimum} > {default})")
    plan = OverlapPlan(minimum, _overlap_sample(sub, default), _adaptive(sub, default))
    return default, plan


def _overlap_sample(r: ConfigReader, default: int) -> OverlapSample | None:
    if not r.has("overlap_sample"):
        return None
    sub = r.child("overlap_sample")
    sub.warn_unknown(OVERLAP_SAMPLE_KEYS)
    fraction = sub.number("fraction", None, minimum=0.0, maximum=1.0)
    if fraction is None or fraction <= 0:
        sub.problem("fraction", "is required: a number in (0, 1]")
    count = sub.number("count", None, integer=True, minimum=2)
    if count is None:
        sub.problem("count", "is required: a whole number of at least 2")
    elif count <= default:
        sub.problem("count", f"must be greater than default ({count} <= {default})")
    stratify_by = sub.str("stratify_by", None)
    seed = sub.number("seed", None, integer=True)
    if fraction is None or fraction <= 0 or count is None or count <= default:
        return None
    return OverlapSample(float(fraction), count, stratify_by, seed)


def _adaptive(r: ConfigReader, default: int) -> AdaptiveBoost | None:
    if not r.has("adaptive"):
        return None
    sub = r.child("adaptive")
    sub.warn_unknown(ADAPTIVE_KEYS)
    enabled = sub.bool("enabled", False)
    threshold = sub.number("disagreement_threshold", 0.5, minimum=0.0, maximum=1.0)
    boost = sub.number("boost_to", None, integer=True, minimum=2)
    if boost is not None and boost <= default:
        sub.problem("boost_to", f"must be greater than default ({boost} <= {default})")
        return None
    if not enabled:
        return None
    if boost is None:
        sub.warn("boost_to", "not given, so adaptive has nothing to raise the cap to; ignored")
        return None
    return AdaptiveBoost(float(threshold), boost)
