"""AI assistance records: the suggestion shown to each annotator per item and scheme and what
became of it (accepted, overridden, rejected), and chat messages per annotator and item."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, select, update

from .tables import ai_chat_messages, ai_suggestions, items, users

if TYPE_CHECKING:
    from . import Store

S = ai_suggestions.c
C = ai_chat_messages.c
OUTCOMES = ("accepted", "overridden", "rejected")


class AiRecords:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- suggestions ----------------------------------------------------------------------
    def shown(self, user_id: int, item_seq: int, suggestion: dict[str, Any]) -> None:
        """Record that `suggestion` (Suggestion.as_json()) was shown; a different one for the
        same item and scheme replaces the last and its outcome."""
        values = {
            "user_id": user_id,
            "item_seq": item_seq,
            "schema": suggestion["schema"],
            "provider": str(suggestion.get("provider") or "")[:80],
            "model": str(suggestion.get("model_version") or "")[:200],
            "label": json.dumps(suggestion.get("label")),
            "confidence": suggestion.get("confidence"),
            "shown_at": time.time(),
        }
        stmt = self.store.insert(ai_suggestions).values(**values)
        new = stmt.excluded
        # Shown again (a reload): the same suggestion keeps its outcome; another resets it.
        changed = new.label != S.label
        stmt = stmt.on_conflict_do_update(
            index_elements=["user_id", "item_seq", "schema"],
            set_={
                "provider": new.provider,
                "model": new.model,
                "label": new.label,
                "confidence": new.confidence,
                "shown_at": new.shown_at,
                "outcome": case((changed, None), else_=S.outcome),
                "decided_at": case((changed, None), else_=S.decided_at),
            },
        )
        with self.store.write() as conn:
            conn.execute(stmt)

    def shown_for(self, user_id: int, item_seq: int) -> dict[str, dict[str, Any]]:
        """{schema: {label, outcome}} of the suggestions this user was shown on this item."""
        query = select(S.schema, S.label, S.outcome).where(
            S.user_id == user_id, S.item_seq == item_seq
        )
        with self.store.read() as conn:
            return {
                r.schema: {"label": json.loads(r.label), "outcome": r.outcome}
                for r in conn.execute(query)
            }

    def decide(self, user_id: int, item_seq: int, schema: str, outcome: str) -> int:
        """Set the outcome of the suggestion shown for (user, item, schema); rows changed."""
        stmt = (
            update(ai_suggestions)
            .where(S.user_id == user_id, S.item_seq == item_seq, S.schema == schema)
            .values(outcome=outcome, decided_at=time.time())
        )
        with self.store.write() as conn:
            return conn.execute(stmt).rowcount or 0

    def influence(self) -> list[dict[str, Any]]:
        """Per annotator: suggestions shown, accepted, overridden, rejected, undecided."""
        counts = [
            func.sum(case((S.outcome == outcome, 1), else_=0)).label(outcome)
            for outcome in OUTCOMES
        ]
        query = (
            select(users.c.username, func.count().label("shown"), *counts)
            .select_from(ai_suggestions.join(users, users.c.id == S.user_id))
            .group_by(users.c.username)
            .order_by(users.c.username)
        )
        with self.store.read() as conn:
            rows = conn.execute(query).all()
        out = []
        for r in rows:
            decided = sum(int(getattr(r, o) or 0) for o in OUTCOMES)
            entry = {"annotator": r.username, "shown": int(r.shown)}
            entry.update({o: int(getattr(r, o) or 0) for o in OUTCOMES})
            entry["undecided"] = int(r.shown) - decided
            entry["acceptance_rate"] = round(entry["accepted"] / decided, 4) if decided else None
            out.append(entry)
        return out

    def accepted(self) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
        """{(item id, username): {schema: {provider, model, label, confidence}}} of accepted
        suggestions, for the exports' marks (one row per accepted answer)."""
        query = (
            select(
                items.c.id.label("item_id"),
                users.c.username,
                S.schema,
                S.provider,
                S.model,
                S.label,
                S.confidence,
            )
            .select_from(
                ai_suggestions.join(users, users.c.id == S.user_id).join(
                    items, items.c.seq == S.item_seq
                )
            )
            .where(S.outcome == "accepted")
        )
        out: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
        with self.store.read() as conn:
            for r in conn.execute(query):
                out.setdefault((r.item_id, r.username), {})[r.schema] = {
                    "provider": r.provider,
                    "model": r.model,
                    "label": json.loads(r.label),
                    "confidence": r.confidence,
                }
        return out

    # -- chat -----------------------------------------------------------------------------
    def add_messages(
        self, user_id: int, item_seq: int, channel: str, messages: Iterable[dict[str, str]]
    ) -> None:
        now = time.time()
        rows = [
            {
                "user_id": user_id,
                "item_seq": item_seq,
                "channel": channel,
                "role": m["role"],
                "content": m["content"],
                "ts": now,
            }
            for m in messages
        ]
        if rows:
            with self.store.write() as conn:
                conn.execute(ai_chat_messages.insert(), rows)

    def history(
        self, user_id: int, item_seq: int, channel: str, limit: int = 200
    ) -> list[dict[str, Any]]:
        """The last `limit` messages, oldest first."""
        query = (
            select(C.role, C.content, C.ts, C.finished_at)
            .where(C.user_id == user_id, C.item_seq == item_seq, C.channel == channel)
            .order_by(C.id.desc())
            .limit(limit)
        )
        with self.store.read() as conn:
            rows = list(conn.execute(query))
        return [
            {"role": r.role, "content": r.content, "timestamp": r.ts, "finished_at": r.finished_at}
            for r in reversed(rows)
        ]

    def finish(self, user_id: int, item_seq: int, channel: str) -> int:
        """Mark the conversation finished (kept with the item); messages marked."""
        stmt = (
            update(ai_chat_messages)
            .where(
                C.user_id == user_id,
                C.item_seq == item_seq,
                C.channel == channel,
                C.finished_at.is_(None),
            )
            .values(finished_at=time.time())
        )
        with self.store.write() as conn:
            return conn.execute(stmt).rowcount or 0

    def conversations(self, item_seq: int, channel: str) -> Iterator[dict[str, Any]]:
        """Finished conversations of an item, per annotator (admin and export readers)."""
        query = (
            select(users.c.username, C.role, C.content, C.ts)
            .select_from(ai_chat_messages.join(users, users.c.id == C.user_id))
            .where(and_(C.item_seq == item_seq, C.channel == channel, C.finished_at.isnot(None)))
            .order_by(users.c.username, C.id)
        )
        with self.store.read() as conn:
            current, talk = None, []
            for r in conn.execute(query):
                if r.username != current and talk:
                    yield {"annotator": current, "messages": talk}
                    talk = []
                current = r.username
                talk.append({"role": r.role, "content": r.content, "timestamp": r.ts})
            if talk:
                yield {"annotator": current, "messages": talk}


def items_after(store: Store, seq: int, count: int) -> list[tuple[int, str, str]]:
    """(seq, id, text) of the next `count` live items after `seq` (prefetch), in data order."""
    query = (
        select(items.c.seq, items.c.id, items.c.text)
        .where(items.c.seq > seq, items.c.retired == 0)
        .order_by(items.c.seq)
        .limit(count)
    )
    with store.read() as conn:
        return [(r.seq, r.id, r.text) for r in conn.execute(query)]
