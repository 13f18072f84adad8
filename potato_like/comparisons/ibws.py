"""Iterative best-worst scaling (`ibws_config`): rounds that re-tuple items by their scores.

Round 1 tuples the whole pool (one bucket). When every tuple of a round has a complete
answer, each bucket is scored from its round's answers and split into thirds by score
(upper, middle, lower); buckets smaller than a tuple are final. Rounds go on until every
bucket is final (the ranking no longer changes) or `max_rounds`. The final ranking is the
buckets in order, each ordered by its last scores.

State lives in `<output dir>/ibws_state.json`; every round's tuples are appended to the
tuples file the project imports (config.tuples_file), so tuple ids and answers survive
restarts. Advancing runs in a background thread (`IbwsAdvancer`), under a store lock so
several server processes on one database never advance the same round twice.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from . import scoring
from .tuples import PoolItem, make_tuples, tuple_rows, write_rows

STATE_FILE = "ibws_state.json"


class IbwsRounds:
    def __init__(self, config: Any) -> None:
        self.config = config
        self.settings = config.ibws
        self.path = config.output_dir / STATE_FILE

    # -- state ------------------------------------------------------------------------------
    def load(self) -> dict | None:
        if not self.path.exists():
            return None
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _save(self, state: dict) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.path)

    def start(self, pool: list[PoolItem]) -> None:
        """Round 1 on a first start; later starts keep the rounds as they are."""
        if self.load() is not None and self.config.tuples_file.exists():
            return
        texts = {p.id: p.text for p in pool}
        state = {
            "round": 0,
            "texts": texts,
            # ordered best to worst; each {"items": [...], "final": bool, "scores": {...}}
            "buckets": [{"items": [p.id for p in pool], "final": False, "scores": {}}],
            "rounds": {},
            "completed": False,
        }
        self._next_round(state, [])

    def _next_round(self, state: dict, rows: list[dict]) -> None:
        """Tuple every open bucket that can still be split; close the others."""
        size = self.settings.tuple_size
        number = state["round"] + 1
        new_rows: list[dict] = []
        for b, bucket in enumerate(state["buckets"]):
            if bucket["final"]:
                continue
            if len(bucket["items"]) < size:
                bucket["final"] = True
                continue
            pool = [PoolItem(i, state["texts"].get(i, "")) for i in bucket["items"]]
            tuples = make_tuples(
                pool,
                size,
                self.settings.seed + number * 1000 + b,
                min_appearances=self.settings.tuples_per_item_per_round,
            )
            props = self.config.item_properties
            made = tuple_rows(
                tuples,
                props.id_key,
                props.text_key,
                f"ibws_r{number}_b{b}",
                _ibws_round=number,
                _ibws_bucket=b,
            )
            bucket["tuples"] = [r[props.id_key] for r in made]
            new_rows.extend(made)
        if not new_rows:
            state["completed"] = True
            for bucket in state["buckets"]:
                bucket["final"] = True
        else:
            state["round"] = number
            state["rounds"][str(number)] = [r[self.config.item_properties.id_key] for r in new_rows]
        write_rows(self.config.tuples_file, rows + new_rows)
        self._save(state)

    # -- advancing --------------------------------------------------------------------------
    def advance(self, project: Any) -> bool:
        """Score the finished round and tuple the next one; True when a round was added or
        the process completed. Nothing happens while the round has unanswered tuples."""
        from .service import bws_judgements, tuple_scheme

        state = self.load()
        if state is None or state["completed"]:
            return False
        scheme = tuple_scheme(self.config)
        current = set(state["rounds"].get(str(state["round"]), []))
        answered: dict[str, list[scoring.Judgement]] = {}
        for j, tuple_id in _judgements_by_tuple(
            project.store, scheme.name, current, bws_judgements
        ):
            answered.setdefault(tuple_id, []).append(j)
        if set(answered) != current:
            return False
        buckets = []
        for bucket in state["buckets"]:
            if bucket["final"]:
                buckets.append(bucket)
                continue
            judged = [j for t in bucket.get("tuples", []) for j in answered.get(t, [])]
            scores = scoring.score(judged, self.settings.scoring_method)
            order = sorted(bucket["items"], key=lambda i: (-scores.get(i, {}).get("score", 0.0), i))
            ranked = {i: round(scores.get(i, {}).get("score", 0.0), 6) for i in order}
            third = len(order) // 3
            parts = (
                [order[:third], order[third : len(order) - third], order[len(order) - third :]]
                if third
                else [order]
            )
            for part in parts:
                if part:
                    buckets.append(
                        {
                            "items": part,
                            "final": len(part) < self.settings.tuple_size,
                            "scores": {i: ranked[i] for i in part},
                        }
                    )
        state["buckets"] = buckets
        rows = _read_rows(self.config.tuples_file)
        max_rounds = self.settings.max_rounds
        if max_rounds is not None and state["round"] >= max_rounds:
            state["completed"] = True
            for bucket in buckets:
                bucket["final"] = True
            self._save(state)
            return True
        self._next_round(state, rows)
        return True

    # -- reports ----------------------------------------------------------------------------
    def status(self) -> dict:
        state = self.load() or {"round": 0, "buckets": [], "rounds": {}, "completed": False}
        active = [b for b in state["buckets"] if not b["final"]]
        final = [b for b in state["buckets"] if b["final"]]
        return {
            "current_round": state["round"],
            "max_rounds": self.settings.max_rounds,
            "total_tuples_this_round": len(state["rounds"].get(str(state["round"]), [])),
            "active_buckets": len(active),
            "terminal_buckets": len(final),
            "total_items": sum(len(b["items"]) for b in state["buckets"]),
            "terminal_items": sum(len(b["items"]) for b in final),
            "completed": state["completed"],
        }

    def ranking(self) -> dict:
        state = self.load() or {"round": 0, "buckets": [], "completed": False, "texts": {}}
        out = []
        rank = 0
        for b, bucket in enumerate(state["buckets"]):
            for i in bucket["items"]:
                rank += 1
                out.append(
                    {
                        "item_id": i,
                        "rank": rank,
                        "bucket_position": b,
                        "text": state["texts"].get(i, ""),
                        "score": bucket.get("scores", {}).get(i),
                    }
                )
        return {"completed": state["completed"], "current_round": state["round"], "ranking": out}


def _judgements_by_tuple(store, scheme_name, tuple_ids, _reader=None):
    """(judgement, tuple id) for the answers of the given tuples."""
    from ..store.comparison_rows import schema_answers

    for item_id, _text, fields, _user, value in schema_answers(store, scheme_name):
        if item_id not in tuple_ids:
            continue
        ids = [str(e.get("source_id")) for e in fields.get("_bws_items") or []]
        j = scoring.judgement(ids, value.get("best"), value.get("worst"))
        if j is not None:
            yield j, item_id


def _read_rows(path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ROUND_LOCK = "ibws_round"
ROUND_LOCK_SECONDS = 600.0  # a process that died while advancing frees the lock after this


class IbwsAdvancer:
    """One background advance at a time: per project by the thread, and across the server
    processes sharing the database (SQLite file or PostgreSQL) by a store lock held while
    the round is scored, the next one written and its tuples imported. A process that finds
    the lock taken skips its turn; the next poll sees the new round."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def poke(self, project: Any, after) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(
                target=self._run, args=(project, after), name="ibws-advance", daemon=True
            )
            self.thread.start()

    def _run(self, project: Any, after) -> None:
        try:
            with project.store.locks.held(ROUND_LOCK, ROUND_LOCK_SECONDS) as got:
                if got and IbwsRounds(project.config).advance(project):
                    after()
        except Exception:
            import logging

            logging.getLogger("potato_like").exception("IBWS: advancing the round failed")
