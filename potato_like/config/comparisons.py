"""`bws_config` and `ibws_config`: best-worst scaling tuples made from a pool of items.

With either key the data files are a *pool*: the items annotators see are tuples of
`tuple_size` pool items (comparisons/tuples.py), written to a file in the output directory
and imported like any data file.
"""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigReader

SCORING_METHODS = ("counting", "bradley_terry", "plackett_luce")
BWS_KEYS = ("tuple_size", "num_tuples", "seed", "min_item_appearances", "scoring")
IBWS_KEYS = ("tuple_size", "max_rounds", "seed", "scoring_method", "tuples_per_item_per_round")


@dataclass(frozen=True)
class BwsConfig:
    tuple_size: int = 4
    num_tuples: int | None = None  # None: enough for min_item_appearances
    seed: int = 42
    min_item_appearances: int | None = None  # None: 2 x tuple_size (Louviere's guideline)
    scoring_method: str = "counting"


@dataclass(frozen=True)
class IbwsConfig:
    tuple_size: int = 4
    max_rounds: int | None = None  # None: until every bucket is smaller than a tuple
    seed: int = 42
    scoring_method: str = "counting"
    tuples_per_item_per_round: int = 2


def read_bws(r: ConfigReader) -> BwsConfig | None:
    if not r.has("bws_config"):
        return None
    c = r.child("bws_config")
    c.warn_unknown(BWS_KEYS)
    scoring = c.child("scoring")
    scoring.warn_unknown(("method",))
    return BwsConfig(
        tuple_size=c.number("tuple_size", 4, integer=True, minimum=2, maximum=26),
        num_tuples=c.number("num_tuples", None, integer=True, minimum=1),
        seed=c.number("seed", 42, integer=True),
        min_item_appearances=c.number("min_item_appearances", None, integer=True, minimum=1),
        scoring_method=scoring.str("method", "counting", choices=SCORING_METHODS),
    )


def read_ibws(r: ConfigReader) -> IbwsConfig | None:
    if not r.has("ibws_config"):
        return None
    if r.has("bws_config"):
        r.problem("ibws_config", "use either bws_config or ibws_config, not both")
    c = r.child("ibws_config")
    c.warn_unknown(IBWS_KEYS)
    return IbwsConfig(
        tuple_size=c.number("tuple_size", 4, integer=True, minimum=2, maximum=26),
        max_rounds=c.number("max_rounds", None, integer=True, minimum=1),
        seed=c.number("seed", 42, integer=True),
        scoring_method=c.str("scoring_method", "counting", choices=SCORING_METHODS),
        tuples_per_item_per_round=c.number(
            "tuples_per_item_per_round", 2, integer=True, minimum=1, maximum=50
        ),
    )


def check_tuple_schemes(
    r: ConfigReader, schemes: list, tuples: BwsConfig | IbwsConfig | None
) -> None:
    """A best-worst scheme offers the positions of the tuples (`tuple_size` must match), and
    needs tuples: without `bws_config`/`ibws_config` the items must carry `_bws_items`."""
    for i, scheme in enumerate(schemes):
        if not getattr(scheme, "compares_tuples", False):
            continue
        if tuples is None:
            r.warn(
                f"annotation_schemes[{i}]",
                f"{scheme.name!r} picks best and worst in tuples, but neither bws_config nor "
                "ibws_config makes them: each item needs its own _bws_items list",
            )
        elif scheme.tuple_size != tuples.tuple_size:
            key = "bws_config" if isinstance(tuples, BwsConfig) else "ibws_config"
            r.problem(
                f"annotation_schemes[{i}]",
                f"tuple_size {scheme.tuple_size} differs from the tuples' tuple_size "
                f"{tuples.tuple_size} ({key})",
            )


def note_displayed_items(schemes: list, instance_display) -> None:
    """Schemes that show the items they compare (`items_key`) leave that to an
    `instance_display` field showing the same key (the pairwise display, say)."""
    shown = {f.key for f in instance_display.fields} if instance_display is not None else set()
    for scheme in schemes:
        if hasattr(scheme, "items_key"):
            scheme.items_displayed = scheme.items_key in shown
