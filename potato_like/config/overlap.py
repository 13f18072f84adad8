"""How many annotators each item gets: `max_annotations_per_item` / `num_annotators_per_item`.

Potato accepts a number (-1, 0 or absent: no limit) or, under `num_annotators_per_item`, a
mapping: `default` (the number every item gets), `min`, `overlap_sample` (a sample of items,
`fraction` of them optionally stratified by a field, gets `count` annotators) and `adaptive`
(more annotators when the first ones disagree). Here `default` is the limit; the other keys
are checked as Potato checks them and reported as not implemented yet.
"""

from __future__ import annotations

from collections.abc import Mapping

from .reader import ConfigReader

OVERLAP_KEYS = ("default", "min", "overlap_sample", "adaptive")
OVERLAP_SAMPLE_KEYS = ("fraction", "count", "stratify_by", "seed")
ADAPTIVE_KEYS = ("enabled", "disagreement_threshold", "boost_to")


def read_overlap(r: ConfigReader) -> int | None:
    """The per-item annotator limit (None: no limit)."""
    key = "max_annotations_per_item"
    value = r.raw.get(key)
    if not isinstance(value, Mapping):
        return r.limit(key)
    # A mapping only comes from num_annotators_per_item (copied by the alias): name it.
    written = "num_annotators_per_item" if "num_annotators_per_item" in r.raw else key
    sub = ConfigReader(value, r.key_path(written), r.problems, r.warnings)
    sub.warn_unknown(OVERLAP_KEYS)
    default = sub.number("default", 1, integer=True, minimum=1)
    minimum = sub.number("min", None, integer=True, minimum=1)
    if minimum is not None and minimum > default:
        sub.problem("min", f"must not exceed default ({minimum} > {default})")
    elif minimum is not None:
        sub.warn("min", "accepted but not implemented yet; every item gets `default` annotators")
    _overlap_sample(sub, default)
    _adaptive(sub, default)
    return default


def _overlap_sample(r: ConfigReader, default: int) -> None:
    if not r.has("overlap_sample"):
        return
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
    sub.str("stratify_by", None)
    sub.number("seed", None, integer=True)
    r.warn(
        "overlap_sample",
        f"accepted but not implemented yet; every item gets {default} annotator(s)",
    )


def _adaptive(r: ConfigReader, default: int) -> None:
    if not r.has("adaptive"):
        return
    sub = r.child("adaptive")
    sub.warn_unknown(ADAPTIVE_KEYS)
    enabled = sub.bool("enabled", False)
    sub.number("disagreement_threshold", None, minimum=0.0, maximum=1.0)
    boost = sub.number("boost_to", None, integer=True, minimum=2)
    if boost is not None and boost <= default:
        sub.problem("boost_to", f"must be greater than default ({boost} <= {default})")
    if enabled:
        r.warn("adaptive", "accepted but not implemented yet; the number of annotators is fixed")
