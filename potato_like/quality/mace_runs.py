"""MACE over a project's answers, per scheme, in a background thread.

Which schemes take part is the scheme's business (no type is named here): schemes whose
agreement is nominal or ordinal give one categorical task over their scale; schemes whose
answers are sets (MASI agreement) give one yes/no task per option, keyed "schema::option"
as in Potato. Results are stored (store/gold.py) and served by web/admin_mace.py.

`MaceRunner` (one per project, `Project.cache`) starts a run on demand (`trigger`) or after
every `trigger_every_n` newly finished items (`maybe_trigger`, called after write requests);
a run never happens inside a request, and one run at a time per process."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..background_runs import BackgroundRuns
from .mace import fit_mace

if TYPE_CHECKING:
    from ..config.gold import MaceConfig
    from ..project import Project

log = logging.getLogger("potato_like.mace")

CATEGORICAL_METRICS = ("nominal", "ordinal")
SET_METRICS = ("masi",)
CHECK_SECONDS = 2.0  # how often (at most) a process looks at the finished-items counter
YES, NO = "1", "0"


def mace_tasks(scheme: Any) -> list[tuple[str, str | None, Callable[[dict], str | None]]]:
    """(key, option, label map -> the answer as a label string or None) for each MACE task
    of one scheme; empty when MACE does not apply to it."""
    metric = getattr(scheme, "agreement_metric", None)
    if metric in CATEGORICAL_METRICS:
        known = {str(v) for v in scheme.scale_values()}

        def category(label_map: dict) -> str | None:
            value = scheme.answer(label_map)
            text = None if value is None else str(value)
            return text if text in known else None  # free text in "Other": no category

        return [(scheme.name, None, category)]
    if metric in SET_METRICS:
        tasks = []
        for option in scheme.label_names:

            def chosen(label_map: dict, option: str = option) -> str | None:
                picked = scheme.answer(label_map) or []
                return YES if option in picked else NO

            tasks.append((f"{scheme.name}::{option}", option, chosen))
        return tasks
    return []


def run_task(
    key: str,
    schema: str,
    option: str | None,
    answers: tuple[np.ndarray, np.ndarray, list[str | None]],
    names: Callable[[list[int], list[int]], tuple[dict[int, str], dict[int, str]]],
    cfg: MaceConfig,
) -> dict[str, Any] | None:
    """One task's result from its answers (item seqs, user ids, the answer as a label
    string or None per answer), or None when too few items have `min_annotations_per_item`
    answers or fewer than two labels occur. `names(item_seqs, user_ids)` gives item ids and
    usernames."""
    seq_all, user_all, label_all = answers
    given = np.fromiter((a is not None for a in label_all), dtype=bool, count=len(label_all))
    if not given.any():
        return None
    seq_arr, user_arr = seq_all[given], user_all[given]
    labels = np.asarray([a for a in label_all if a is not None], dtype=object)
    item_keys, item_idx, per_item = np.unique(seq_arr, return_inverse=True, return_counts=True)
    keep_item = per_item >= cfg.min_annotations_per_item
    if int(keep_item.sum()) < cfg.min_items:
        return None
    mask = keep_item[item_idx]
    user_keys, user_idx = np.unique(user_arr[mask], return_inverse=True)
    if option is not None:
        label_keys = np.asarray([NO, YES], dtype=object)
        label_idx = (labels[mask] == YES).astype(np.int64)
    else:
        label_keys, label_idx = np.unique(labels[mask], return_inverse=True)
    if len(np.unique(label_idx)) < 2 and option is None:
        return None
    kept_items, item_idx = np.unique(item_idx[mask], return_inverse=True)
    fit = fit_mace(
        item_idx,
        user_idx,
        label_idx,
        num_items=len(kept_items),
        num_annotators=len(user_keys),
        num_labels=len(label_keys),
        num_restarts=cfg.num_restarts,
        num_iters=cfg.num_iters,
        alpha=cfg.alpha,
        beta=cfg.beta,
    )
    item_seqs = [int(s) for s in item_keys[kept_items]]
    ids, usernames = names(item_seqs, [int(u) for u in user_keys])
    return {
        "key": key,
        "schema_name": schema,
        "option_name": option,
        "competence_scores": {
            usernames[int(u)]: round(float(c), 6)
            for u, c in zip(user_keys, fit.competence, strict=True)
        },
        "predicted_labels": {
            ids[s]: str(label_keys[p]) for s, p in zip(item_seqs, fit.predicted, strict=True)
        },
        "label_entropy": {
            ids[s]: round(float(e), 6) for s, e in zip(item_seqs, fit.entropy, strict=True)
        },
        "label_mapping": {str(i): str(v) for i, v in enumerate(label_keys)},
        "num_annotators": len(user_keys),
        "num_instances": len(item_seqs),
        "num_annotations": int(mask.sum()),
        "log_likelihood": round(fit.log_likelihood, 6),
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
    }


def run_all(project: Project) -> list[dict[str, Any]]:
    """Every applicable scheme's MACE results, stored (replacing the previous run's)."""
    config, gold = project.config, project.store.gold

    def names(item_seqs: list[int], user_ids: list[int]):
        return gold.item_ids(item_seqs), gold.usernames(user_ids)

    results = []
    for scheme in config.schemes:
        tasks = mace_tasks(scheme)
        if not tasks:
            continue
        seqs: list[int] = []
        users: list[int] = []
        raws: list[str] = []
        for batch in gold.schema_answers(scheme.name):
            for seq, user, raw in batch:
                seqs.append(seq)
                users.append(user)
                raws.append(raw)
        seq_arr = np.asarray(seqs, dtype=np.int64)
        user_arr = np.asarray(users, dtype=np.int64)
        for key, option, read in tasks:
            decoded: dict[str, str | None] = {}  # few distinct answers: decode each once
            for raw in raws:
                if raw not in decoded:
                    decoded[raw] = read(json.loads(raw))
            labels = [decoded[raw] for raw in raws]
            result = run_task(key, scheme.name, option, (seq_arr, user_arr, labels), names,
                              config.mace)  # fmt: skip
            if result is not None:
                results.append(result)
    gold.replace_mace_results(results)
    return results


class MaceRunner(BackgroundRuns):
    """Starts MACE runs in a daemon thread, one at a time; a trigger during a run asks for
    one more run after it."""

    thread_name = "mace"
    what = "MACE run"

    def __init__(self, project: Project) -> None:
        super().__init__(project)
        self._checked = 0.0
        self.check_seconds = CHECK_SECONDS
        self._seen_done = 0
        self.last_keys: list[str] = []

    def maybe_trigger(self) -> None:
        """Start a run when `trigger_every_n` more items were finished since the last one
        this process started (a counter read at most every CHECK_SECONDS)."""
        cfg = self.project.config.mace
        if not cfg.enabled or cfg.trigger_every_n <= 0 or not self.project.leader:
            return  # with several processes only the leader starts runs (project.leader)
        now = time.monotonic()
        if now - self._checked < self.check_seconds:
            return
        self._checked = now
        store = self.project.store
        with store.read() as conn:
            done = store.counter(conn, "done_assignments")
        if done - self._seen_done >= cfg.trigger_every_n:
            self._seen_done = done
            self.trigger()

    def run_once(self) -> list[dict]:
        results = run_all(self.project)
        self.last_keys = [r["key"] for r in results]
        return results


def runner(project: Project) -> MaceRunner:
    return project.cache("mace_runner", lambda: MaceRunner(project))
