"""Potato's `active_learning` and `icl_labeling` blocks, read as Potato writes them. The
settings used here are typed (assign/active_learning.py, ai/icl.py); Potato's keys for
classifiers, databases, LLM ensembles and routing are accepted with a warning saying they
are not used (the builtin model and the configured `ai_support` provider do that work)."""

from __future__ import annotations

from typing import Any

from ..ai.icl import IclConfig
from ..assign.active_learning import ActiveLearningConfig
from .reader import ConfigReader

AL_KEYS = (
    "enabled",
    "schema_names",
    "min_instances_for_training",
    "update_frequency",
    "max_instances_to_reorder",
    "random_sample_percent",
    "query_strategy",
    "hybrid_weights",
    "cold_start_strategy",
    "pool_size",
    "bald_params",
)
# Potato's keys we accept and do not use (the builtin model is fixed: TF-IDF + calibrated
# linear SVM; persistence is the store's).
AL_IGNORED = (
    "classifier_name",
    "classifier_kwargs",
    "classifier_params",
    "vectorizer_name",
    "vectorizer_kwargs",
    "vectorizer_params",
    "calibrate_probabilities",
    "min_annotations_per_instance",
    "resolution_strategy",
    "cold_start_batch_size",
    "use_icl_ensemble",
    "icl_ensemble_params",
    "annotation_routing",
    "routing_thresholds",
    "verification_sample_rate",
    "database_enabled",
    "database_config",
    "model_persistence_enabled",
    "model_save_directory",
    "model_retention_count",
    "llm_enabled",
    "llm_config",
    "llm",
    "schema_configs",
)
SELECTION_STRATEGIES = ("low_confidence", "random", "mixed")
QUERY_STRATEGIES = ("uncertainty", "hybrid", "diversity", "badge", "bald")
COLD_START = ("random", "fixed_order", "least_annotated")
ORDERING = ("active_learning", "llm_confidence")

ICL_SECTIONS = {
    "example_selection": (
        "min_agreement_threshold",
        "min_annotators_per_instance",
        "max_examples_per_schema",
        "refresh_interval_seconds",
    ),
    "llm_labeling": (
        "batch_size",
        "trigger_threshold",
        "confidence_threshold",
        "batch_interval_seconds",
        "max_total_labels",
        "max_unlabeled_ratio",
        "pause_on_low_accuracy",
        "min_accuracy_threshold",
    ),
    "verification": (
        "enabled",
        "sample_rate",
        "selection_strategy",
        "mix_with_regular_assignments",
        "assignment_mix_rate",
    ),
    "persistence": ("predictions_file",),
}


def _learnable(schemes: list[Any]) -> list[str]:
    return [s.name for s in schemes if getattr(s, "learned_as", None)]


def _scheme(schemes: list[Any], name: str) -> Any:
    return next((s for s in schemes if getattr(s, "name", None) == name), None)


def read_active_learning(
    r: ConfigReader, schemes: list[Any], strategy: str
) -> ActiveLearningConfig | None:
    used = strategy in ORDERING
    if not r.has("active_learning") and not used:
        return None
    sub = r.child("active_learning")
    sub.warn_unknown(AL_KEYS + AL_IGNORED)
    ignored = [k for k in AL_IGNORED if k in sub.raw]
    if ignored:
        sub.warn(
            ignored[0],
            f"accepted and not used here: {', '.join(ignored)} (the builtin model is TF-IDF "
            "with a calibrated linear SVM, stored in the project's database)",
        )
    if not used:
        sub.warn("enabled", f"used only with assignment_strategy {' or '.join(ORDERING)}")
        return None
    learnable = _learnable(schemes)
    names = tuple(sub.string_list("schema_names")) or tuple(learnable)
    for name in names:
        if name not in learnable:
            sub.problem(
                "schema_names",
                f"{name!r} is not a scheme the builtin model learns; choose from "
                f"{', '.join(learnable) or '(none)'}",
            )
    if not names:
        r.problem(
            "assignment_strategy",
            f"{strategy!r} needs a scheme the builtin model learns (radio, multiselect, "
            "likert, select or span)",
        )
    query = sub.str("query_strategy", "uncertainty", choices=QUERY_STRATEGIES)
    single = [n for n in names if getattr(_scheme(schemes, n), "learned_as", "") == "classes"]
    if query in ("badge", "bald") and not single:
        sub.warn(
            "query_strategy",
            f"{query!r} needs a single-label scheme (radio, likert, select) among "
            "schema_names; served as uncertainty with diversity mixing",
        )
    bald = sub.child("bald_params")
    bald.warn_unknown(("n_estimators", "bootstrap_fraction"))
    percent = float(sub.number("random_sample_percent", 0.2, minimum=0, maximum=100))
    weights = sub.raw.get("hybrid_weights") or {}
    diversity = weights.get("diversity", 0.3) if isinstance(weights, dict) else 0.3
    if query == "uncertainty" and not isinstance(sub.raw.get("hybrid_weights"), dict):
        diversity = 0.3
    cold = sub.str("cold_start_strategy", "random")
    if cold not in COLD_START:
        sub.warn("cold_start_strategy", f"{cold!r} is not served here; using random order")
        cold = "random"
    reorder = sub.number("max_instances_to_reorder", 100, integer=True, minimum=1)
    return ActiveLearningConfig(
        schema_names=names,
        min_instances_for_training=sub.number(
            "min_instances_for_training", 10, integer=True, minimum=1
        ),
        update_frequency=sub.number("update_frequency", 5, integer=True, minimum=1),
        max_instances_to_reorder=reorder,
        random_share=percent / 100 if percent > 1 else percent,
        diversity_weight=float(diversity) if isinstance(diversity, (int, float)) else 0.3,
        query_strategy=query,
        cold_start_strategy=cold,
        pool_size=sub.number("pool_size", 5000, integer=True, minimum=1),
        bald_estimators=bald.number("n_estimators", 5, integer=True, minimum=2, maximum=50),
        bald_fraction=float(bald.number("bootstrap_fraction", 0.8, minimum=0.1, maximum=1)),
    )


def read_icl(r: ConfigReader, schemes: list[Any]) -> IclConfig | None:
    if not r.has("icl_labeling"):
        return None
    sub = r.child("icl_labeling")
    sub.warn_unknown(("enabled", *ICL_SECTIONS))
    parts = {}
    for section, keys in ICL_SECTIONS.items():
        parts[section] = part = sub.child(section)
        part.warn_unknown(keys)
    ex, lab, ver = parts["example_selection"], parts["llm_labeling"], parts["verification"]
    if "predictions_file" in parts["persistence"].raw:
        parts["persistence"].warn(
            "predictions_file", "accepted; predictions are kept in the project's database"
        )
    strategy = ver.str("selection_strategy", "low_confidence", choices=SELECTION_STRATEGIES)
    max_total = lab.number("max_total_labels", None, integer=True, minimum=0)
    return IclConfig(
        enabled=sub.bool("enabled", False),  # as in Potato: the block alone does nothing
        schemas=tuple(
            s.name for s in schemes if getattr(s, "learned_as", None) in ("classes", "label_set")
        ),
        min_agreement=float(ex.number("min_agreement_threshold", 0.8, minimum=0, maximum=1)),
        min_annotators=ex.number("min_annotators_per_instance", 2, integer=True, minimum=1),
        max_examples=ex.number("max_examples_per_schema", 10, integer=True, minimum=1),
        refresh_seconds=float(ex.number("refresh_interval_seconds", 300, minimum=0)),
        batch_size=lab.number("batch_size", 20, integer=True, minimum=1),
        trigger_threshold=lab.number("trigger_threshold", 5, integer=True, minimum=0),
        confidence_threshold=float(lab.number("confidence_threshold", 0.7, minimum=0, maximum=1)),
        batch_seconds=float(lab.number("batch_interval_seconds", 600, minimum=0)),
        max_total_labels=max_total,
        max_unlabeled_ratio=float(lab.number("max_unlabeled_ratio", 0.5, minimum=0, maximum=1)),
        pause_on_low_accuracy=lab.bool("pause_on_low_accuracy", True),
        min_accuracy=float(lab.number("min_accuracy_threshold", 0.7, minimum=0, maximum=1)),
        verification=ver.bool("enabled", True),
        sample_rate=float(ver.number("sample_rate", 0.2, minimum=0, maximum=1)),
        selection_strategy=strategy,
        mix_with_regular=ver.bool("mix_with_regular_assignments", True),
        mix_rate=float(ver.number("assignment_mix_rate", 0.2, minimum=0, maximum=1)),
    )
