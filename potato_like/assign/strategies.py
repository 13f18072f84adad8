"""Assignment strategies: in which order a user is offered open items.

A strategy never precomputes an ordering of all items for a user; it asks the store for a few
candidates at the moment the user needs their next item (lazy leasing), so registering a user
costs the same at 50 items and at 1,000,000. The store owns the SQL (`CandidateQuery`); a
strategy only decides which of its orderings to use.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Iterable
from typing import Protocol

from .batches import BatchConfig
from .categories import UNCATEGORIZED, CategoryConfig, members_for
from .disagreement import disagreement
from .disagreement import queue_key as disagreement_key
from .diversity import MEMBER_CLUSTER, DiversityConfig
from .diversity import member as cluster_member
from .triage import TriageConfig

log = logging.getLogger("potato_like")
_STRATEGIES: dict[str, type[Strategy]] = {}


class CandidateQuery(Protocol):
    """What the store offers a strategy: open items this user does not hold yet."""

    def in_order(self, after_seq: int, limit: int) -> list[int]: ...
    def least_held(self, limit: int) -> list[int]: ...
    def by_queue_key(self, limit: int) -> list[int]: ...  # lowest queue key first, then seq
    def in_cohorts(self, limit: int) -> list[int]: ...  # batch cohorts, in cohort order
    def in_members(self, members: list[str], limit: int) -> list[int]: ...  # category cohorts
    def members_have_items(self, members: list[str]) -> bool: ...  # open or not
    def training_record(self) -> list[tuple[str, bool]]: ...  # (question, correct) attempts
    def in_member_range(self, low: str, high: str, limit: int) -> list[int]: ...  # clusters
    def seq_bounds(self) -> tuple[int, int] | None: ...  # lowest and highest item seq
    def open_among(self, seqs: list[int]) -> set[int]: ...  # which of these are open to me
    def count_open(self) -> int: ...  # how many items are open to me (a scan)
    def open_at(self, offset: int) -> int | None: ...  # the offset-th of them, in seq order


class Strategy:
    name = ""

    def __init__(self, seed: int | None = None) -> None:
        self.seed = seed

    def candidates(
        self, query: CandidateQuery, user_id: int, cursor: int, position: int
    ) -> Iterable[int]:
        raise NotImplementedError

    # False when the strategy offers each user only some items (cohorts, categories): the
    # queue front (store/queue_front.py, the embedding map's reorder) is then not used.
    offers_every_item = True

    # True when saves keep the items' queue keys (max_diversity): any other strategy marks
    # those keys stale at start, since its saves do not keep them.
    keeps_keys_on_save = False

    def start(self, store, config) -> None:
        """Called once by Project.open, before serving."""
        if not self.keeps_keys_on_save:
            from ..store.queue_keys import forget_disagreement_keys

            forget_disagreement_keys(store)
        self.prepare(store, config)

    def prepare(self, store, config) -> None:
        """At start, before serving: bring whatever the strategy keeps in the store up to
        date with the items and the config (most keep nothing)."""

    def on_save(self, conn, item_seq: int) -> None:
        """Inside the transaction of a save of this item (most strategies need nothing)."""


def register(name: str):
    def add(cls: type[Strategy]) -> type[Strategy]:
        cls.name = name
        _STRATEGIES[name] = cls
        return cls

    return add


def strategy(name: str, seed: int | None = None) -> Strategy:
    return _STRATEGIES[name](seed)


def names() -> list[str]:
    return sorted(_STRATEGIES)


@register("fixed_order")
class FixedOrder(Strategy):
    """Data-file order. Starts after the last item this user leased, then wraps around to pick
    up items that reopened (expired leases) earlier in the file."""

    def candidates(self, query, user_id, cursor, position):
        yield from query.in_order(cursor, 8)
        if cursor:
            yield from query.in_order(0, 8)


# Seqs drawn per round of the uniform choice, and rounds before counting the open items.
DRAWS_PER_ROUND = 32
DRAW_ROUNDS = 2


@register("random")
class RandomOrder(Strategy):
    """Each time, one item drawn uniformly at random from the items open to this user: every
    eligible item is equally likely, so each user sees the items in their own random order.
    With `random_seed` the sequence is reproducible per user.

    How, without an ordering of all items: seqs are drawn uniformly from the range of item
    seqs and the first drawn seq that is open to the user is taken (rejection sampling: a
    uniform draw that lands on an eligible item is uniform over the eligible items; holes and
    closed items only cost another draw). One query checks a round of draws. When two rounds
    miss (few items left open), the open items are counted and the k-th one, for k uniform,
    is taken: also uniform, and cheap then because few items are open."""

    def candidates(self, query, user_id, cursor, position):
        rng = random.Random(None if self.seed is None else f"{self.seed}:{user_id}:{position}")
        bounds = query.seq_bounds()
        if bounds is None:
            return
        low, high = bounds
        for _ in range(DRAW_ROUNDS):
            draws = list(dict.fromkeys(rng.randint(low, high) for _ in range(DRAWS_PER_ROUND)))
            eligible = query.open_among(draws)
            yield from (seq for seq in draws if seq in eligible)
        remaining = query.count_open()
        while remaining > 0:
            seq = query.open_at(rng.randrange(remaining))
            if seq is None:
                break
            yield seq
            remaining -= 1  # only reached when another writer took it first (PostgreSQL)
        yield from query.in_order(0, 8)  # the pool changed under us: anything open


@register("least_annotated")
class LeastAnnotated(Strategy):
    """Items with the fewest annotators (completed or in progress) first, then file order."""

    def candidates(self, query, user_id, cursor, position):
        yield from query.least_held(8)


@register("priority")
class Priority(Strategy):
    """Potato's triage queue: the open items with the highest priority first (`triage`;
    `order: asc` turns it round), equal priorities in data-file order. The priorities are
    computed from the items' fields once, at import (assign/triage.py), into an indexed
    queue key, so each lease reads the first few open items of that index."""

    def candidates(self, query, user_id, cursor, position):
        yield from query.by_queue_key(8)

    def prepare(self, store, config) -> None:
        from ..store.queue_keys import refresh_queue_keys

        triage = config.triage or TriageConfig()
        text_key = config.item_properties.text_key

        def key_of(fields, text):
            return triage.queue_key({**fields, text_key: text})

        changed = refresh_queue_keys(store, key_of, triage.fingerprint())
        if changed:
            log.info("priority strategy: %d item priorities computed", changed)


@register("batch")
class Batch(Strategy):
    """Potato's `batch_assignment`: each user is offered only the items of their cohorts
    (groups listing them, an auto-assigned group, items whose annotator field names them),
    in cohort order (assign/batches.py)."""

    offers_every_item = False

    def candidates(self, query, user_id, cursor, position):
        yield from query.in_cohorts(8)

    def prepare(self, store, config) -> None:
        from ..store.cohorts import sync_batches

        batch = config.batch_assignment or BatchConfig()
        sync_batches(store, batch, config.max_annotations_per_item)


@register("category_based")
class CategoryBased(Strategy):
    """Potato's category assignment: the items of the categories this annotator qualified
    for in training, else the `fallback` (assign/categories.py)."""

    offers_every_item = False

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self.config = None  # the CategoryConfig, set by prepare()

    def candidates(self, query, user_id, cursor, position):
        config = self.config or CategoryConfig()
        members = members_for(config.qualified(query.training_record()))
        if query.members_have_items(members):
            yield from query.in_members(members, 8)
        elif config.fallback == "uncategorized":
            yield from query.in_members([UNCATEGORIZED], 8)
        elif config.fallback == "random":
            yield from RandomOrder(self.seed).candidates(query, user_id, cursor, position)

    def prepare(self, store, config) -> None:
        from ..store.cohorts import sync_categories

        self.config = config.category_assignment or CategoryConfig(
            category_key=config.item_properties.category_key
        )
        sync_categories(store, self.config)


@register("diversity_clustering")
class DiversityClustering(Strategy):
    """Potato's diversity ordering: items are clustered by their text (assign/diversity.py)
    and each annotator takes them from the clusters in turn: their n-th item comes from
    cluster n mod k, or the next cluster that still has an item open to them."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self.clusters = 1  # set by prepare()

    def candidates(self, query, user_id, cursor, position):
        start = cluster_member(position % max(1, self.clusters))
        yield from query.in_member_range(start, MEMBER_CLUSTER + "~", 8)
        yield from query.in_member_range(MEMBER_CLUSTER, start, 8)

    def prepare(self, store, config) -> None:
        from ..store.cohorts import sync_clusters
        from .diversity import fit

        settings = config.diversity_ordering or DiversityConfig()
        seed = self.seed or 0
        self.clusters = sync_clusters(
            store,
            lambda texts, k: fit(texts, k, seed),
            settings.clusters_for,
            f"{settings.fingerprint()}:{seed}",
        )


@register("max_diversity")
class MaxDiversity(Strategy):
    """Potato's maximum diversity: the open items on which annotators disagree most come
    first (assign/disagreement.py), then file order. Each save recomputes its item's score
    in its own transaction, into the indexed queue key that leasing reads."""

    keeps_keys_on_save = True

    def candidates(self, query, user_id, cursor, position):
        yield from query.by_queue_key(8)

    def prepare(self, store, config) -> None:
        from ..store.queue_keys import refresh_all_disagreement

        changed = refresh_all_disagreement(store, disagreement, disagreement_key)
        if changed:
            log.info("max_diversity: %d item disagreement scores computed", changed)

    def on_save(self, conn, item_seq: int) -> None:
        from ..store.queue_keys import refresh_disagreement

        refresh_disagreement(conn, item_seq, disagreement, disagreement_key)


@register("psychometric")
class Psychometric(Strategy):
    """Potato's adaptive routing (`psychometrics` block): a model of annotator accuracy fitted
    to one single-choice scheme ranks the open items by how much one more label would settle
    them; settled items come last (assign/psychometric.py). Before `min_observations` labels
    exist, items are drawn at random. Each save re-keys its item; every `refit_interval`
    saves the model is refitted (in that save's transaction, from the stored answers)."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self.settings = None  # psychometric.Settings, set by prepare()
        self.scheme = None
        self.model = None
        self.saves_since_fit = 0
        self.lock = threading.Lock()

    def candidates(self, query, user_id, cursor, position):
        model, settings = self.model, self.settings
        if model is None or not model.fitted or model.observations < settings.min_observations:
            yield from RandomOrder(self.seed).candidates(query, user_id, cursor, position)
            return
        yield from query.by_queue_key(8)
        yield from query.in_order(0, 8)

    def prepare(self, store, config) -> None:
        from ..store.queue_keys import schema_answers, set_all_keys
        from .psychometric import Settings, queue_key

        self.settings = config.psychometrics or Settings(schema=_first_single_choice(config))
        self.scheme = config.scheme(self.settings.schema)
        with store.read() as conn:
            answers = schema_answers(conn, self.settings.schema)
        by_item = self._fit(answers)
        keys = {
            seq: queue_key(self.model, labels, self.settings) for seq, labels in by_item.items()
        }
        changed = set_all_keys(store, keys)
        if changed:
            log.info("psychometric: %d item keys computed", changed)

    def on_save(self, conn, item_seq: int) -> None:
        from ..store.queue_keys import item_schema_answers, schema_answers, set_item_key
        from .psychometric import queue_key

        with self.lock:
            self.saves_since_fit += 1
            if self.saves_since_fit >= self.settings.refit_interval:
                # A new model changes every answered item's key, not only this one's: keys
                # left from the old model would rank settled items before open ones.
                by_item = self._fit(schema_answers(conn, self.settings.schema))
                for seq, item_labels in by_item.items():
                    set_item_key(conn, seq, queue_key(self.model, item_labels, self.settings))
            labels = self._labels(item_schema_answers(conn, item_seq, self.settings.schema))
            set_item_key(conn, item_seq, queue_key(self.model, labels, self.settings))

    def _fit(self, answers):
        from .psychometric import fit

        by_item: dict[int, dict[int, str]] = {}
        for seq, user_id, value in answers:
            label = self._label(value)
            if label is not None:
                by_item.setdefault(seq, {})[user_id] = label
        self.model = fit(
            [
                (seq, user, label)
                for seq, labels in by_item.items()
                for user, label in labels.items()
            ],
            classes=self.scheme.label_names if self.scheme is not None else (),
        )
        self.saves_since_fit = 0
        return by_item

    def _labels(self, rows) -> dict[int, str]:
        out = {}
        for user_id, value in rows:
            label = self._label(value)
            if label is not None:
                out[user_id] = label
        return out

    def _label(self, value: str) -> str | None:
        try:
            answer = self.scheme.answer(json.loads(value) or {})
        except (ValueError, TypeError, AttributeError):
            return None
        return answer if isinstance(answer, str) and answer else None


def _first_single_choice(config) -> str:
    for scheme in config.schemes:
        if scheme.single_choice:
            return scheme.name
    return config.schemes[0].name


# How often (at most) a process looks whether an active-learning ranking is stored.
RANKING_CHECK_SECONDS = 2.0


@register("active_learning")
class ActiveLearning(Strategy):
    """Uncertainty sampling with the builtin model (assign/active_learning.py): the open
    items the model is least sure about first, mixed for diversity and with a share of
    random items; re-ranked in the background after every `update_frequency` finished
    items. Cold start (no ranking stored yet): the `cold_start_strategy` order."""

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(seed)
        self.store = None
        self.base: Strategy = RandomOrder(seed)
        self._ranked = False
        self._checked = -1e9

    def prepare(self, store, config) -> None:
        self.store = store
        cfg = config.active_learning
        if cfg is not None and cfg.cold_start_strategy in _STRATEGIES:
            self.base = strategy(cfg.cold_start_strategy, self.seed)

    def ranked(self) -> bool:
        import time

        from ..store.queue_keys import META_KEY
        from .active_learning import STAMP

        now = time.monotonic()
        if self.store is not None and now - self._checked >= RANKING_CHECK_SECONDS:
            self._checked = now
            self._ranked = (self.store.get_meta(META_KEY) or "").startswith(STAMP)
        return self._ranked

    def candidates(self, query, user_id, cursor, position):
        if self.ranked():
            yield from query.by_queue_key(8)
        else:
            yield from self.base.candidates(query, user_id, cursor, position)


@register("llm_confidence")
class LlmConfidence(ActiveLearning):
    """Like active_learning, ranked by the configured AI provider's confidence in its own
    suggestion (lowest first); the builtin model's when no other provider is configured."""
