"""Attention checks and gold-standard items mixed into annotation.

A check is never an item of the user's list: after a completion, when one is due, it is set
as the user's *pending* check (users.qc_pending). While a check is pending the user sees it
instead of their current item and cannot navigate away; answering it records a row in
qc_responses (never in annotations), so checks never count as progress nor enter agreement.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..config.study_model import QcItem
from ..errors import Blocked, Conflict
from ..store.study import FlowState

if TYPE_CHECKING:
    from ..project import Project
    from ..submission import Update

ATTENTION, GOLD = "attention_check", "gold_standard"


@dataclass(frozen=True)
class CheckItem:
    """What the annotation page and the session API show for a pending check."""

    id: str
    text: str
    fields: dict[str, Any]
    kind: str
    expected: dict[str, dict[str, str]]
    explanation: str | None = None
    seq: int | None = None  # set for auto-promoted items (regular items of the project)

    @property
    def promoted(self) -> bool:
        return self.seq is not None


def _from_config(item: QcItem) -> CheckItem:
    return CheckItem(item.id, item.text, item.fields, item.kind, item.answer_maps, item.explanation)


class QualityChecks:
    def __init__(self, project: Project) -> None:
        self.project = project

    @property
    def study(self):
        return self.project.config.study

    # -- scheduling -----------------------------------------------------------------------
    def after_completion(self, user_id: int, done_count: int) -> None:
        """Called after a user finished one more item: make a check pending when one is due
        (attention checks first; a gold item that was due stays due)."""
        study = self.study
        if not study.qc_enabled:
            return
        store = self.project.store
        with store.write() as conn:
            state = store.study.state(user_id, conn)
            if state is None or state.pending or state.status != "active":
                return
            for kind, cfg in ((ATTENTION, study.attention), (GOLD, study.gold)):
                if not cfg.enabled:
                    continue
                if cfg.frequency:
                    due = store.study.qc_count(user_id, kind, conn) < done_count // cfg.frequency
                else:
                    due = random.random() < (cfg.probability or 0.0)
                if not due:
                    continue
                item = self._choose(user_id, kind, conn)
                if item is not None:
                    pending = {"kind": kind, "id": item.id, "promoted": item.promoted}
                    store.study.set_pending(user_id, pending, conn)
                    return

    def _choose(self, user_id: int, kind: str, conn) -> CheckItem | None:
        """The first pool item (file order) this user has not answered: a check never
        repeats for one annotator (a repeat gives it away); none left, no check."""
        pool = [_from_config(i) for i in self._config_items(kind)]
        if kind == GOLD and self.study.promotion.enabled:
            pool += self._promoted(user_id=user_id)
        seen = set(self.project.store.study.qc_items_seen(user_id, kind, conn))
        return next((c for c in pool if c.id not in seen), None)

    # -- what the annotator sees ------------------------------------------------------------
    def progress(self, user_id: int, index: int, total: int, pending: bool) -> tuple[int, int]:
        """(position, total) to show, counting checks like items so the counter moves on a
        check and does not repeat after it: checks answered so far are added to the
        position, and the checks a fixed frequency will bring to the total."""
        study = self.study
        if not study.qc_enabled:
            return index + 1, total
        answered = 0
        expected = 0
        with self.project.store.read() as conn:
            for kind, cfg in ((ATTENTION, study.attention), (GOLD, study.gold)):
                if not cfg.enabled:
                    continue
                answered += self.project.store.study.qc_count(user_id, kind, conn)
                if cfg.frequency:
                    planned = total // cfg.frequency
                    if not (kind == GOLD and study.promotion.enabled):
                        planned = min(planned, len(self._config_items(kind)))
                    expected += planned
        # A pending check is shown while the user still stands on the item they finished.
        position = index + answered + 1 + int(pending)
        return position, max(total + max(expected, answered + int(pending)), position)

    def display_id(self, user_id: int, item: CheckItem) -> str:
        """A neutral id for the page's header, so a check does not announce itself
        ("attn_1"): a short code that stays the same for this annotator and check."""
        key = self.project.secret_key
        key = key.encode() if isinstance(key, str) else key
        digest = hmac.new(key, f"{user_id}\x00{item.id}".encode(), hashlib.sha256)
        return digest.hexdigest()[:8]

    def _config_items(self, kind: str) -> tuple[QcItem, ...]:
        return self.study.attention.items if kind == ATTENTION else self.study.gold.items

    def _promoted(self, user_id: int | None = None, item_id: str | None = None):
        scheme = self.project.config.scheme
        return [
            CheckItem(
                id_,
                text,
                fields,
                GOLD,
                {s: m for s, m in consensus.items() if scheme(s) is not None},
                seq=seq,
            )
            for seq, id_, text, fields, consensus in self.project.store.study.promoted_for(
                user_id, item_id=item_id
            )
        ]

    # -- showing ------------------------------------------------------------------------------
    def pending_item(self, user_id: int, state: FlowState) -> CheckItem | None:
        """The pending check, marking when it was first shown (for min_response_time)."""
        pending = state.pending
        if not pending:
            return None
        item = self.resolve(pending)
        if item is None:  # the config changed under a pending check: drop it
            self.project.store.study.set_pending(user_id, None)
            return None
        if pending.get("shown_at") is None:
            self.project.store.study.set_pending(user_id, {**pending, "shown_at": time.time()})
        return item

    def is_check_item(self, item_id: str) -> bool:
        """Is this the id of a configured attention check or gold item?"""
        return any(
            item.id == item_id for kind in (ATTENTION, GOLD) for item in self._config_items(kind)
        )

    def resolve(self, pending: dict) -> CheckItem | None:
        if pending.get("promoted"):
            found = self._promoted(item_id=pending["id"])
            return found[0] if found else None
        for item in self._config_items(pending.get("kind", "")):
            if item.id == pending["id"]:
                return _from_config(item)
        return None

    # -- answering ------------------------------------------------------------------------------
    def answer(self, user_id: int, state: FlowState, update: Update) -> dict[str, Any]:
        """Evaluate a submitted answer to the pending check; the seed's response fields."""
        from ..submission import compute_for

        item = self.resolve(state.pending)
        if item is None:
            raise Conflict("this check is no longer available; reload the page")
        given, _submit = compute_for(update, self.project.config)({})
        given = {s: m for s, m in given.items() if m}
        correct = all(
            self.project.config.scheme(schema).same_answer(given.get(schema), expected)
            for schema, expected in item.expected.items()
        )
        shown_at = state.pending.get("shown_at")
        seconds = round(time.time() - shown_at, 3) if shown_at else None
        flags = ""
        attention = self.study.attention
        if (
            item.kind == ATTENTION
            and attention.min_response_time
            and seconds is not None
            and seconds < attention.min_response_time
        ):
            correct, flags = False, "too_fast"
        store = self.project.store
        with store.write() as conn:
            now_state = store.study.state(user_id, conn)
            if not now_state.pending or now_state.pending.get("id") != item.id:
                raise Conflict("this check was already answered; go on to the next item")
            store.study.record_qc(conn, user_id, item.kind, item.id, correct, given, seconds, flags)
            answered, right = store.study.qc_tally(user_id, item.kind, conn)
            outcome = self._outcome(item, correct, answered, right)
            blocked = outcome.get("status") == "blocked"
            if blocked:
                store.study.set_status(user_id, "blocked", f"{item.kind}s", conn)
            if item.kind == ATTENTION and not correct and self.project.config.webhooks:
                from ..webhooks import events

                user = store.users.get(user_id)
                message = outcome.get("message") or outcome.get("warning_message")
                name = user.username if user else str(user_id)
                events.attention_failed(self.project, conn, name, item.id, message, blocked)
        return outcome

    def _outcome(self, item: CheckItem, correct: bool, answered: int, right: int) -> dict:
        scheme = self.project.config.scheme
        if item.kind == ATTENTION:
            cfg = self.study.attention
            failed = answered - right
            if not correct and cfg.block_threshold and failed >= cfg.block_threshold:
                return {"status": "blocked", "message": cfg.block_message}
            if not correct and failed >= cfg.warn_threshold:
                return {
                    "warning": True,
                    "warning_message": cfg.warn_message,
                    "qc_result": {"type": ATTENTION, "passed": False, "warning": True},
                }
            return {}
        gold = self.study.gold
        out: dict[str, Any] = {}
        accuracy = right / answered if answered else 1.0
        low = (
            gold.min_threshold is not None
            and answered >= gold.evaluation_count
            and accuracy < gold.min_threshold
        )
        if low and gold.block_below_threshold:
            return {"status": "blocked", "message": gold.block_message}
        if gold.feedback:
            result: dict[str, Any] = {"type": GOLD, "correct": correct}
            if gold.show_correct_answer:
                result["gold_label"] = {s: scheme(s).answer(m) for s, m in item.expected.items()}
            if gold.show_explanation and item.explanation:
                result["explanation"] = item.explanation
            out["qc_result"] = result
        if low:
            out["warning"] = True
            out["warning_message"] = (
                f"Your accuracy on check items is {accuracy:.0%}, below the "
                f"{gold.min_threshold:.0%} this study needs. Please read each item carefully."
            )
        return out

    def refuse_if_blocked(self, state: FlowState) -> None:
        if state.status == "blocked":
            raise Blocked(self.block_message(state))

    def block_message(self, state: FlowState) -> str:
        if state.reason == f"{GOLD}s":
            return self.study.gold.block_message
        return self.study.attention.block_message
