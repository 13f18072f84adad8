"""Active learning: after each background training run, a pool of open items is scored by
the builtin model (or, for `llm_confidence`, by the configured AI provider) and the least
certain ones get the lowest queue keys, so the `active_learning` and `llm_confidence`
strategies offer them first (one indexed read per lease, as for `priority`).

Ranking: uncertainty (1 - the model's confidence), mixed for diversity (a greedy pick that
trades uncertainty against similarity to the items already picked, `diversity_weight`),
with a share of random items from the pool (`random_share`). Until the first ranking
is stored the strategies use their cold-start order (random by default)."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from ..project import Project

log = logging.getLogger("potato_like.ai")

STAMP = "active_learning"
CANDIDATES_PER_SLOT = 3  # the diversity pick chooses among 3x as many uncertain items


@dataclass(frozen=True)
class ActiveLearningConfig:
    schema_names: tuple[str, ...] = ()
    min_instances_for_training: int = 10
    update_frequency: int = 5
    max_instances_to_reorder: int = 100
    random_share: float = 0.2
    diversity_weight: float = 0.3
    query_strategy: str = "uncertainty"
    cold_start_strategy: str = "random"
    pool_size: int = 5000
    bald_estimators: int = 5  # bald_params.n_estimators
    bald_fraction: float = 0.8  # bald_params.bootstrap_fraction


def rank(uncertainty: np.ndarray, vectors, head: int, diversity: float, random_share: float,
         rng: random.Random) -> list[int]:  # fmt: skip
    """Pool indexes in the order to offer them (the first `head` of the pool).

    `vectors` are L2-normalised rows (sparse or dense) for the cosine similarity of the
    diversity term; None skips it."""
    import numpy as np  # imported when ranking, not when the server starts

    n = len(uncertainty)
    head = min(head, n)
    top = np.argsort(-uncertainty, kind="stable")[: head * CANDIDATES_PER_SLOT]
    picked: list[int] = []
    if vectors is not None and diversity > 0 and len(top) > 1:
        sub = vectors[top]
        sims = sub @ sub.T
        sims = sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)
        closest = np.zeros(len(top))
        free = np.ones(len(top), dtype=bool)
        for _ in range(min(head, len(top))):
            score = (1 - diversity) * uncertainty[top] - diversity * closest
            score[~free] = -np.inf
            j = int(np.argmax(score))
            free[j] = False
            picked.append(int(top[j]))
            closest = np.maximum(closest, sims[j])
    else:
        picked = [int(i) for i in top[:head]]
    return mix_random(picked, n, random_share, rng)


def mix_random(picked: list[int], n: int, random_share: float, rng: random.Random) -> list[int]:
    """Each place goes to a random other pool item with probability `random_share`."""
    if random_share <= 0:
        return picked
    chosen = set(picked)
    rest = [i for i in range(n) if i not in chosen]
    rng.shuffle(rest)
    return [rest.pop() if rest and rng.random() < random_share else i for i in picked]


def _held_models(project: Project) -> list:
    """(version, model, meta) of the active-learning schemes' newest models."""
    from ..ai.builtin.runner import models

    held = [models(project).get(name) for name in project.config.active_learning.schema_names]
    return [h for h in held if h is not None]


def _provider_confidences(project: Project, pool: list[tuple[int, str]]) -> np.ndarray | None:
    """`llm_confidence` with a configured provider other than builtin: its confidence in
    its own suggestion for each pool item (the first active-learning scheme); items it
    cannot answer count as least certain."""
    import numpy as np

    from ..ai.providers.registry import for_project
    from ..ai.suggestion import ProviderUnavailable, SuggestionRequest

    provider = for_project(project)
    if provider is None or provider.name == "builtin":
        return None
    scheme = project.config.scheme(project.config.active_learning.schema_names[0])
    out = []
    for seq, text in pool:
        request = SuggestionRequest(
            item_id=str(seq),
            text=text,
            schema=scheme.name,
            annotation_type=scheme.type_name,
            options=tuple(scheme.label_names),
            multiple=scheme.learned_as == "label_set",
            description=getattr(scheme, "description", "") or "",
        )
        try:
            out.append(provider.suggest(request).confidence or 0.0)
        except ProviderUnavailable:
            out.append(0.0)
    return np.asarray(out, dtype=float)


def _single_label_model(project: Project):
    """(scheme, model) of the first active-learning scheme with one label per item and a
    trained model, or None (BADGE and BALD use it)."""
    from ..ai.builtin.runner import models

    for name in project.config.active_learning.schema_names:
        scheme = project.config.scheme(name)
        held = models(project).get(name)
        if scheme is not None and scheme.learned_as == "classes" and held is not None:
            return scheme, held[1]
    return None


def _badge_or_bald(project: Project, cfg, texts: list[str], rng: random.Random):
    """The pool order by BADGE or BALD (assign/query_strategies.py), or None to fall back
    to uncertainty (no single-label model; BALD: too few labels to bootstrap)."""
    from ..ai.builtin.training import decode
    from .query_strategies import badge_order, bald_scores

    found = _single_label_model(project)
    if found is None:
        return None
    scheme, model = found
    pool_X = model.vectorizer.transform(texts)
    head = cfg.max_instances_to_reorder
    if cfg.query_strategy == "badge":
        picked = badge_order(model.probabilities(texts), pool_X, head, rng)
        return mix_random(picked, len(texts), cfg.random_share, rng)
    train_texts, train_y = [], []
    for _seq, text, raw in project.store.ai_models.answers_with_text(scheme.name):
        answer = decode(scheme, raw)
        if answer in model.labels:
            train_texts.append(text)
            train_y.append(answer)
    scores = bald_scores(
        model.vectorizer.transform(train_texts), train_y, pool_X,
        n_estimators=cfg.bald_estimators, fraction=cfg.bald_fraction,
        seed=rng.randrange(2**31),
    )  # fmt: skip
    if scores is None:
        return None
    return rank(scores, pool_X, head, cfg.diversity_weight, cfg.random_share, rng)


def rerank(project: Project) -> int:
    """Score a pool of open items and store the new order as queue keys (background only).
    Returns how many keys changed; 0 and nothing stored in a cold start."""
    from ..store.queue_keys import set_ranked_keys

    cfg = project.config.active_learning
    if cfg is None:
        return 0
    store = project.store
    answered = store.ai_models.answered_items(cfg.schema_names)
    if answered < cfg.min_instances_for_training:
        return 0
    import numpy as np

    llm = project.config.assignment_strategy == "llm_confidence"
    size = cfg.max_instances_to_reorder if llm else cfg.pool_size
    pool = store.ai_models.open_items(size, sample=True)
    if not pool:
        return 0
    texts = [text for _, text in pool]
    held = _held_models(project)
    vectorizer = next((h[1].vectorizer for h in held if hasattr(h[1], "vectorizer")), None)
    conf = _provider_confidences(project, pool) if llm else None
    if conf is None:
        if not held:
            return 0
        conf = np.mean([h[1].confidences(texts) for h in held], axis=0)
    vectors = vectorizer.transform(texts) if vectorizer is not None else None
    rng = random.Random(project.config.random_seed)
    order = None
    if not llm and cfg.query_strategy in ("badge", "bald"):
        order = _badge_or_bald(project, cfg, texts, rng)
    if order is None:
        order = rank(1 - conf, vectors, cfg.max_instances_to_reorder, cfg.diversity_weight,
                     cfg.random_share, rng)  # fmt: skip
    wanted = {pool[i][0]: k - len(order) for k, i in enumerate(order)}  # -n .. -1
    changed = set_ranked_keys(store, wanted, STAMP)
    log.info("active learning: %d items ranked (%d keys changed)", len(wanted), changed)
    return changed
