"""Run-time settings (persisted in the meta table) and the submit stream behind the suspicious
activity report. Statements are built once, with bind parameters."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from .tables import events, users

if TYPE_CHECKING:
    from . import Store

E, U = events.c, users.c
RUNTIME_KEY = "runtime_settings"
STREAM_BATCH = 2000

# One query over the window, grouped by user. Sorting by `user_id + 0` keeps SQLite (without
# ANALYZE statistics) from walking the whole (user_id, ts) index in order to skip the sort:
# it seeks each user's `ts >= since` range instead, so the cost follows the window's rows,
# not the table's. PostgreSQL plans the same query from the ts index.
SUBMITS_SINCE = (
    select(E.user_id, U.username, E.ts, E.data)
    .select_from(events.join(users, U.id == E.user_id))
    .where(E.ts >= bindparam("since"), E.kind == "submit")
    .order_by(E.user_id + 0, E.ts, E.id)
)

# Submit times of the users named (one annotators page), by the (user_id, ts) index.
SUBMIT_TIMES = (
    select(U.username, E.ts)
    .select_from(events.join(users, U.id == E.user_id))
    .where(U.username.in_(bindparam("names", expanding=True)), E.kind == "submit")
    .order_by(E.user_id, E.ts, E.id)
)


@dataclass(frozen=True)
class Submit:
    user_id: int
    username: str
    ts: float
    changes: dict[str, Any]


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


class Activity:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- run-time settings ---------------------------------------------------------------
    def runtime_settings_raw(self) -> str | None:
        """The persisted settings as stored (one key lookup): what processes compare to
        notice a change made by another process."""
        return self.store.get_meta(RUNTIME_KEY)

    def _stored(self, conn=None) -> dict[str, Any]:
        raw = self.store.get_meta(RUNTIME_KEY, conn)
        try:
            stored = json.loads(raw) if raw else {}
        except ValueError:
            stored = {}
        return stored if isinstance(stored, dict) else {}

    def runtime_settings(self, file_values: Mapping[str, Any]) -> dict[str, Any]:
        """The settings changed over the API that still apply: a setting whose value in the
        config file was edited since it was changed follows the file again."""
        stored = self._stored()
        values = stored.get("values") or {}
        seen = stored.get("file_values") or {}
        return {
            key: value
            for key, value in values.items()
            if _fingerprint(file_values.get(key)) == _fingerprint(seen.get(key))
        }

    def save_runtime_settings(
        self, changes: Mapping[str, Any], file_values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Merge `changes` into the persisted settings and log a config_change event, in one
        transaction; returns every setting now in force."""
        with self.store.write() as conn:
            stored = self._stored(conn)
            values = stored.get("values") or {}
            seen = stored.get("file_values") or {}
            # Drop settings the config file has overridden since (see runtime_settings).
            values = {
                k: v
                for k, v in values.items()
                if _fingerprint(file_values.get(k)) == _fingerprint(seen.get(k))
            }
            values.update(changes)
            seen = {k: file_values.get(k) for k in values}
            blob = {"values": values, "file_values": seen}
            self.store.set_meta(conn, RUNTIME_KEY, json.dumps(blob, default=str))
            self.store.events.append(conn, "config_change", data=dict(changes))
        return values

    # -- suspicious activity ---------------------------------------------------------------
    def submit_times(self, usernames: list[str]) -> dict[str, list[float]]:
        """username -> the times of their submits, oldest first (every name given is a key)."""
        out: dict[str, list[float]] = {name: [] for name in usernames}
        if not usernames:
            return out
        with self.store.read() as conn:
            for row in conn.execute(SUBMIT_TIMES, {"names": list(usernames)}):
                out[row.username].append(row.ts)
        return out

    def submits_since(self, since: float) -> Iterator[Submit]:
        """Every submit since `since`, ordered by user then time, streamed in batches."""
        with self.store.read() as conn:
            result = conn.execution_options(yield_per=STREAM_BATCH).execute(
                SUBMITS_SINCE, {"since": since}
            )
            for row in result:
                try:
                    data = json.loads(row.data) if row.data else {}
                except ValueError:
                    data = {}
                changes = data.get("changes") if isinstance(data, dict) else None
                yield Submit(
                    row.user_id,
                    row.username,
                    row.ts,
                    changes if isinstance(changes, dict) else {},
                )
