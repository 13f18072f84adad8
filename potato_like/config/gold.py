"""Gold labels: `mace` (annotator competence and predicted labels, quality/mace.py) and
`adjudication` (experts resolve disagreements, web/adjudicate.py), Potato's keys."""

from __future__ import annotations

from dataclasses import dataclass

from .reader import ConfigReader

MACE_KEYS = (
    "enabled",
    "trigger_every_n",
    "min_annotations_per_item",
    "min_items",
    "num_restarts",
    "num_iters",
    "alpha",
    "beta",
    "output_subdir",
    "cache_results",
)

ADJUDICATION_KEYS = (
    "enabled",
    "adjudicator_users",
    "min_annotations",
    "require_fully_annotated",
    "agreement_threshold",
    "show_all_items",
    "show_annotator_names",
    "show_timing_data",
    "show_agreement_scores",
    "fast_decision_warning_ms",
    "require_confidence",
    "require_notes_on_override",
    "error_taxonomy",
    "similarity_enabled",
    "similarity_top_k",
    "similarity",
    "output_subdir",
)
# Potato's sentence-embedding options; the embedder is the `embeddings` block's.
ADJUDICATION_SIMILARITY_KEYS = ("enabled", "model", "top_k", "precompute_on_start")

DEFAULT_ERROR_TAXONOMY = (
    "ambiguous_text",
    "guideline_gap",
    "annotator_error",
    "edge_case",
    "subjective_disagreement",
)
CONFIDENCE_LEVELS = ("high", "medium", "low")


@dataclass(frozen=True)
class MaceConfig:
    enabled: bool = False
    trigger_every_n: int = 10  # a run after every N newly finished items (0: only by hand)
    min_annotations_per_item: int = 3
    min_items: int = 5
    num_restarts: int = 10
    num_iters: int = 50
    alpha: float = 0.5  # Beta(alpha, beta) prior: the guessing side
    beta: float = 0.5  # ... the knowing side (as in the reference MACE)


@dataclass(frozen=True)
class AdjudicationConfig:
    enabled: bool = False
    adjudicator_users: tuple[str, ...] = ()
    min_annotations: int = 2
    require_fully_annotated: bool = False
    agreement_threshold: float = 0.75
    show_all_items: bool = False
    show_annotator_names: bool = True
    show_timing_data: bool = True
    show_agreement_scores: bool = True
    fast_decision_warning_ms: int = 2000
    require_confidence: bool = True
    require_notes_on_override: bool = False
    error_taxonomy: tuple[str, ...] = DEFAULT_ERROR_TAXONOMY
    similarity_enabled: bool = False
    similarity_top_k: int = 5


def read_mace(r: ConfigReader) -> MaceConfig:
    if not r.has("mace"):
        return MaceConfig()
    sub = r.child("mace")
    sub.warn_unknown(MACE_KEYS)
    sub.str("output_subdir", "mace")  # results live in the database; accepted for Potato
    sub.bool("cache_results", True)
    return MaceConfig(
        enabled=sub.bool("enabled", False),
        trigger_every_n=int(sub.number("trigger_every_n", 10, integer=True, minimum=0)),
        min_annotations_per_item=int(
            sub.number("min_annotations_per_item", 3, integer=True, minimum=1)
        ),
        min_items=int(sub.number("min_items", 5, integer=True, minimum=1)),
        num_restarts=int(sub.number("num_restarts", 10, integer=True, minimum=1, maximum=1000)),
        num_iters=int(sub.number("num_iters", 50, integer=True, minimum=1, maximum=10_000)),
        alpha=_positive(sub, "alpha", 0.5),
        beta=_positive(sub, "beta", 0.5),
    )


def read_adjudication(r: ConfigReader) -> AdjudicationConfig:
    if not r.has("adjudication"):
        return AdjudicationConfig()
    sub = r.child("adjudication")
    sub.warn_unknown(ADJUDICATION_KEYS)
    sub.str("output_subdir", "adjudication")  # decisions live in the database
    enabled = sub.bool("enabled", False)
    adjudicators = tuple(sub.string_list("adjudicator_users"))
    if enabled and not adjudicators:
        sub.problem("adjudicator_users", "list at least one adjudicator when enabled is true")
    taxonomy = tuple(sub.string_list("error_taxonomy")) if sub.has("error_taxonomy") else None
    similarity = sub.child("similarity") if sub.has("similarity") else None
    sim_enabled = sub.bool("similarity_enabled", False)
    top_k = sub.number("similarity_top_k", 5, integer=True, minimum=1, maximum=50)
    if similarity is not None:
        similarity.warn_unknown(ADJUDICATION_SIMILARITY_KEYS)
        sim_enabled = similarity.bool("enabled", sim_enabled)
        top_k = similarity.number("top_k", top_k, integer=True, minimum=1, maximum=50)
        if similarity.has("model"):
            similarity.str("model", None)
            similarity.warn(
                "model", "ignored: the `embeddings` block chooses the embedder (embeddings.model)"
            )
        similarity.bool("precompute_on_start", True)
    return AdjudicationConfig(
        enabled=enabled,
        adjudicator_users=adjudicators,
        min_annotations=int(sub.number("min_annotations", 2, integer=True, minimum=1)),
        require_fully_annotated=sub.bool("require_fully_annotated", False),
        agreement_threshold=float(
            sub.number("agreement_threshold", 0.75, minimum=0.0, maximum=1.0)
        ),
        show_all_items=sub.bool("show_all_items", False),
        show_annotator_names=sub.bool("show_annotator_names", True),
        show_timing_data=sub.bool("show_timing_data", True),
        show_agreement_scores=sub.bool("show_agreement_scores", True),
        fast_decision_warning_ms=int(
            sub.number("fast_decision_warning_ms", 2000, integer=True, minimum=0)
        ),
        require_confidence=sub.bool("require_confidence", True),
        require_notes_on_override=sub.bool("require_notes_on_override", False),
        error_taxonomy=DEFAULT_ERROR_TAXONOMY if taxonomy is None else taxonomy,
        similarity_enabled=sim_enabled,
        similarity_top_k=int(top_k),
    )


def _positive(r: ConfigReader, key: str, default: float) -> float:
    value = r.number(key, default, minimum=0.0)
    if value is not None and value <= 0:
        r.problem(key, f"must be greater than 0, got {value}")
        return default
    return float(value if value is not None else default)
