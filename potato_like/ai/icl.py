"""ICL labelling (Potato's `icl_labeling`): items on which annotators agree become examples;
a model labels items nobody answered yet (the configured `ai_support` provider with those
examples in its prompt, or the builtin model trained on all answers when no LLM is
configured); a human answer to a predicted item verifies it; accuracy is measured from
the verifications. Every step runs in a background thread (`IclWorker`), never in a
request; predictions and verifications live in the store (store/icl.py)."""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .suggestion import ProviderUnavailable, SuggestionRequest

if TYPE_CHECKING:
    from ..project import Project

log = logging.getLogger("potato_like.ai")

ICL_KINDS = ("classes", "label_set")
MIN_VERIFIED_TO_PAUSE = 5  # verifications before low accuracy can pause labelling
# The few-shot examples a page's LLM suggestion carries (ai/service.py): the best
# `SUGGESTION_EXAMPLES` ICL examples, each text cut to `EXAMPLE_CHARS`, all of them together
# within `EXAMPLES_CHARS` (a prompt stays small whatever the items' length).
SUGGESTION_EXAMPLES = 5
EXAMPLE_CHARS = 1000
EXAMPLES_CHARS = 4000


@dataclass(frozen=True)
class IclConfig:
    enabled: bool = True
    schemas: tuple[str, ...] = ()
    min_agreement: float = 0.8
    min_annotators: int = 2
    max_examples: int = 10
    refresh_seconds: float = 300.0
    batch_size: int = 20
    trigger_threshold: int = 5
    confidence_threshold: float = 0.7
    batch_seconds: float = 600.0
    max_total_labels: int | None = None
    max_unlabeled_ratio: float = 0.5
    pause_on_low_accuracy: bool = True
    min_accuracy: float = 0.7
    verification: bool = True
    # verification routing (Potato's keys): share of predictions sampled to be handed to
    # annotators; in which order; mixed into normal assignments, and how often
    sample_rate: float = 0.2
    selection_strategy: str = "low_confidence"  # or "random", "mixed"
    mix_with_regular: bool = True
    mix_rate: float = 0.2

    @property
    def routing(self) -> bool:
        """Whether leasing mixes sampled predictions into annotators' items."""
        return self.enabled and self.verification and self.mix_with_regular and self.mix_rate > 0


def canonical(scheme, answer: Any) -> Any:
    """An answer as ICL compares it: a label, or a sorted list of labels."""
    if scheme.learned_as == "label_set":
        items = answer if isinstance(answer, (list, tuple)) else [answer]
        return sorted(str(a) for a in items)
    return None if answer is None else str(answer)


def _decode(scheme, raw: str) -> Any:
    from .builtin.training import decode

    return decode(scheme, raw)


def find_examples(scheme, rows, cfg: IclConfig) -> list[dict[str, Any]]:
    """High-agreement items: at least `min_annotators` answers, the commonest answer given
    by at least `min_agreement` of them; best agreement (then most annotators) first."""
    by_item: dict[int, list] = defaultdict(list)
    meta: dict[int, tuple[str, str]] = {}
    for seq, item_id, text, _user, raw in rows:
        answer = _decode(scheme, raw)
        if answer is None or answer == []:
            continue
        by_item[seq].append(json.dumps(canonical(scheme, answer)))
        meta[seq] = (item_id, text)
    out = []
    for seq, answers in by_item.items():
        if len(answers) < cfg.min_annotators:
            continue
        top, count = Counter(answers).most_common(1)[0]
        share = count / len(answers)
        if share >= cfg.min_agreement:
            item_id, text = meta[seq]
            out.append(
                {
                    "instance_id": item_id,
                    "text": text,
                    "schema_name": scheme.name,
                    "label": json.loads(top),
                    "agreement_score": round(share, 4),
                    "annotator_count": len(answers),
                }
            )
    out.sort(key=lambda e: (-e["agreement_score"], -e["annotator_count"], e["instance_id"]))
    return out[: cfg.max_examples]


class IclWorker:
    def __init__(self, project: Project) -> None:
        self.project = project
        self._lock = threading.Lock()
        self._active = False
        self._pending: list[tuple[str, str | None]] = []
        self.examples: dict[str, list[dict]] = {}
        self.last_refresh: float | None = None
        self.last_batch: float | None = None
        self._last_batch_mono = time.monotonic()
        self._last_refresh_mono = time.monotonic()
        self.capacity: dict[str, int] = {}
        self.paused: tuple[bool, str] = (False, "")
        self.last_error: str | None = None
        self.notes: dict[str, str] = {}  # schema -> why nothing was labelled last time
        self._sampler = random.Random(project.config.random_seed)

    def routed(self) -> bool:
        """Whether a new prediction is sampled for verification (`sample_rate`)."""
        cfg = self.cfg
        return cfg.verification and self._sampler.random() < cfg.sample_rate

    @property
    def cfg(self) -> IclConfig:
        return self.project.config.icl

    @property
    def running(self) -> bool:
        return self._active

    def trigger(self, action: str, schema: str | None = None) -> str:
        """Queue `action` ("refresh_examples" or "batch_label") for the worker thread."""
        with self._lock:
            self._pending.append((action, schema))
            if self._active:
                return "queued"
            self._active = True
            threading.Thread(target=self._work, name="icl", daemon=True).start()
            return "started"

    def maybe_run(self) -> None:
        """After write requests: a labelling round every `batch_interval_seconds`, and an
        example refresh (which also records verifications) every `refresh_interval_seconds`."""
        cfg = self.cfg
        if cfg is None or not cfg.enabled or self._active:
            return
        now = time.monotonic()
        if now - self._last_batch_mono >= cfg.batch_seconds:
            self._last_batch_mono = self._last_refresh_mono = now
            self.trigger("batch_label")  # a round refreshes first
        elif now - self._last_refresh_mono >= cfg.refresh_seconds:
            self._last_refresh_mono = now
            self.trigger("refresh_examples")

    def wait(self, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while self._active and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._active

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._active = False
                    return
                action, schema = self._pending.pop(0)
            try:
                if action == "refresh_examples":
                    self.refresh()
                else:
                    self.label_round(schema)
                self.last_error = None
            except Exception as exc:  # reported in the status; the server goes on
                log.exception("ICL %s failed", action)
                self.last_error = f"{type(exc).__name__}: {exc}"

    # -- the steps ------------------------------------------------------------------------
    def _schemes(self, only: str | None = None) -> list:
        config = self.project.config
        names = [only] if only else list(self.cfg.schemas)
        return [s for s in (config.scheme(n) for n in names) if s is not None]

    def refresh(self) -> dict[str, list[dict]]:
        """Examples per scheme, and every human answer to a predicted item recorded as its
        verification."""
        store = self.project.store
        for scheme in self._schemes():
            rows = store.icl.answers(scheme.name)
            self.examples[scheme.name] = find_examples(scheme, rows, self.cfg)
            if self.cfg.verification:
                self._verify_from_answers(scheme, rows)
        self.last_refresh = time.time()
        return self.examples

    def _verify_from_answers(self, scheme, rows) -> None:
        icl = self.project.store.icl
        pending = {p["instance_id"]: p for p in icl.pending(scheme.name)}
        for _seq, item_id, _text, user, raw in rows:
            prediction = pending.pop(item_id, None)
            if prediction is None:
                continue
            human = canonical(scheme, _decode(scheme, raw))
            predicted = canonical(scheme, prediction["predicted_label"])
            icl.verify(item_id, scheme.name, human, human == predicted, user)

    def paused_now(self) -> tuple[bool, str]:
        cfg = self.cfg
        metrics = self.project.store.icl.metrics(None)
        if (
            cfg.pause_on_low_accuracy
            and metrics["total_verified"] >= MIN_VERIFIED_TO_PAUSE
            and metrics["accuracy"] < cfg.min_accuracy
        ):
            return True, (
                f"accuracy {metrics['accuracy']:.2f} is below min_accuracy_threshold "
                f"{cfg.min_accuracy:.2f}"
            )
        if (
            cfg.max_total_labels is not None
            and metrics["total_predictions"] >= cfg.max_total_labels
        ):
            return True, f"max_total_labels ({cfg.max_total_labels}) reached"
        return False, ""

    def label_round(self, only: str | None = None) -> int:
        """Refresh, then label up to `batch_size` unanswered items per scheme that has
        `trigger_threshold` examples. Returns how many predictions were stored."""
        self.refresh()
        cfg, store = self.cfg, self.project.store
        self.paused = self.paused_now()
        self.last_batch = time.time()
        if self.paused[0]:
            return 0
        stored = 0
        for scheme in self._schemes(only):
            examples = self.examples.get(scheme.name, [])
            if len(examples) < cfg.trigger_threshold:
                self.notes[scheme.name] = (
                    f"{len(examples)} examples; trigger_threshold is {cfg.trigger_threshold}"
                )
                continue
            metrics = store.icl.metrics(scheme.name)
            unlabeled = store.ai_models.count_unanswered(scheme.name)
            room = int(cfg.max_unlabeled_ratio * unlabeled) - metrics["pending_verification"]
            if cfg.max_total_labels is not None:
                total = store.icl.metrics(None)["total_predictions"]
                room = min(room, cfg.max_total_labels - total)
            self.capacity[scheme.name] = max(0, room)
            if room <= 0:
                self.notes[scheme.name] = "labelling limit reached"
                continue
            done = store.icl.predicted_seqs(scheme.name)
            want = min(room, cfg.batch_size)
            todo = [
                row
                for row in store.ai_models.unanswered_items(scheme.name, want + len(done))
                if row[0] not in done
            ][:want]
            rows = self._predict(scheme, examples, todo)
            stored += store.icl.add(scheme.name, rows)
            self.capacity[scheme.name] = max(0, room - len(rows))
        return stored

    def _predict(self, scheme, examples, todo) -> list[dict[str, Any]]:
        from .builtin.runner import models, trainer
        from .providers.registry import for_project

        provider = for_project(self.project)
        use_llm = provider is not None and provider.name != "builtin"
        held = None if use_llm else models(self.project).get(scheme.name)
        if not use_llm and held is None:
            trainer(self.project).trigger()
            self.notes[scheme.name] = "waiting for the builtin model (cold start)"
            return []
        shots = tuple((e["text"], e["label"]) for e in examples)
        example_ids = [e["instance_id"] for e in examples]
        rows = []
        for seq, item_id, text in todo:
            if use_llm:
                request = SuggestionRequest(
                    item_id=item_id,
                    text=text,
                    schema=scheme.name,
                    annotation_type=scheme.type_name,
                    options=tuple(scheme.label_names),
                    multiple=scheme.learned_as == "label_set",
                    description=getattr(scheme, "description", "") or "",
                    examples=shots,
                )
                try:
                    s = provider.suggest(request)
                except ProviderUnavailable as exc:
                    self.notes[scheme.name] = str(exc)
                    continue
                label, conf, reason = s.label, s.confidence or 0.0, s.explanation
                name, version = provider.name, s.model_version
            else:
                label, conf, _scores, evidence = held[1].predict(text)
                reason = "builtin model; words that weigh most: " + ", ".join(evidence)
                name, version = "builtin", f"{scheme.name}@{held[0]}"
            if conf < self.cfg.confidence_threshold:
                continue
            rows.append(
                {
                    "seq": seq,
                    "label": canonical(scheme, label),
                    "confidence": round(float(conf), 4),
                    "provider": name,
                    "model_version": version,
                    "reasoning": reason,
                    "examples": example_ids if use_llm else [],
                    "routed": self.routed(),
                }
            )
        self.notes.pop(scheme.name, None)
        return rows

    def status(self) -> dict[str, Any]:
        cfg = self.cfg
        metrics = self.project.store.icl.metrics(None)
        return {
            "enabled": cfg.enabled,
            "schemas": list(cfg.schemas),
            "total_examples": sum(len(v) for v in self.examples.values()),
            "examples_by_schema": {k: len(v) for k, v in self.examples.items()},
            "total_predictions": metrics["total_predictions"],
            "labeled_instances": metrics["total_predictions"],
            "verification_queue_size": metrics["pending_verification"],
            "routed_for_verification": metrics["routed_pending"],
            "verification_routing": {
                "sample_rate": cfg.sample_rate,
                "selection_strategy": cfg.selection_strategy,
                "mix_with_regular_assignments": cfg.mix_with_regular,
                "assignment_mix_rate": cfg.mix_rate,
            },
            "last_example_refresh": self.last_refresh,
            "last_batch_run": self.last_batch,
            "worker_running": self.running,
            "accuracy_metrics": metrics,
            "labeling_paused": self.paused[0],
            "pause_reason": self.paused[1],
            "remaining_label_capacity": dict(self.capacity),
            "max_total_labels": cfg.max_total_labels,
            "max_unlabeled_ratio": cfg.max_unlabeled_ratio,
            "notes": dict(self.notes),
            "last_error": self.last_error,
        }


def bounded_examples(
    examples: list[dict],
    item_id: str,
    *,
    count: int = SUGGESTION_EXAMPLES,
    each: int = EXAMPLE_CHARS,
    total: int = EXAMPLES_CHARS,
) -> tuple[tuple[str, Any], ...]:
    """(text, label) few-shot pairs from ICL examples (best first), leaving out the item
    asked about, at most `count` of them, each text cut to `each` characters, stopping
    before the texts together pass `total` characters."""
    out: list[tuple[str, Any]] = []
    used = 0
    for example in examples:
        if len(out) >= count:
            break
        if example["instance_id"] == item_id:
            continue
        text = str(example["text"])[:each]
        if used + len(text) > total:
            break
        used += len(text)
        out.append((text, example["label"]))
    return tuple(out)


def suggestion_examples(project: Project, schema: str, item_id: str) -> tuple:
    """The few-shot examples for an LLM suggestion of `schema` on `item_id`: empty unless
    `icl_labeling.enabled`. The examples are the worker's last refresh; before the first
    one a refresh is started in the background (the request does not wait for it)."""
    cfg = project.config.icl
    if cfg is None or not cfg.enabled or schema not in cfg.schemas:
        return ()
    held = worker(project)
    if held.last_refresh is None and not held.running:
        held.trigger("refresh_examples")
    return bounded_examples(held.examples.get(schema, []), item_id)


def worker(project: Project) -> IclWorker:
    return project.cache("icl_worker", lambda: IclWorker(project))
