"""Dashboard aggregates, kept by the transaction that saves an annotation.

A full scan of a million annotations takes the best part of a second (answer distributions)
or more (agreement), so the dashboard reads small tables instead:

- `answer_tallies`: how many annotations of a schema hold exactly each stored value.
- `agreement_cells`: for items that two or more annotators finished, every ordered pair of
  two different annotators' values, by the number of finished annotators of the item (the
  unit size). Krippendorff's coincidence matrix, Fleiss' kappa and the confusion view are
  sums over these cells (quality/agreement.py).
- `annotator_pairs` / `annotator_pair_values`: per pair of annotators, items both finished
  and identical answers, and the contingency table for Cohen's kappa.

Values are the stored label-map JSON, never interpreted here: the web layer reads them
through the current schemes. Free-text schemas (the `untallied` set the project configures)
only count answers, under the value ''. `rebuild` recomputes everything in SQL;
importer.recount() calls it, and Project.open when the aggregates were never built or were
built for a different set of free-text schemas.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)

from .annotations import BREAK_SECONDS
from .assignments import DONE
from .pair_folds import PairFolder, fold, log_change
from .tables import (
    agreement_cells,
    annotations,
    annotator_pair_values,
    annotator_pairs,
    answer_tallies,
    assignments,
    pair_pending,
    users,
)

if TYPE_CHECKING:
    from . import Store

RawValues = dict[str, str]  # schema -> stored label-map JSON
META_KEY = "aggregates"  # meta: the untallied schemas the aggregates were built with

N, A, P, V = annotations.c, assignments.c, annotator_pairs.c, annotator_pair_values.c
OTHERS_FINISHED = (
    select(N.user_id, N.schema, N.value)
    .join(assignments, (A.item_seq == N.item_seq) & (A.user_id == N.user_id))
    .where(N.item_seq == bindparam("i"), N.user_id != bindparam("u"), A.status == DONE)
)
SET_SPEED = (
    update(users)
    .where(users.c.id == bindparam("uid"))
    .values(
        timed_items=bindparam("items"),
        timed_seconds=bindparam("seconds"),
        last_done_at=bindparam("last"),
    )
)
CELLS_OF = select(
    agreement_cells.c.unit_size,
    agreement_cells.c.value_a,
    agreement_cells.c.value_b,
    agreement_cells.c.n,
).where(agreement_cells.c.schema == bindparam("schema"), agreement_cells.c.n != 0)
TALLIES_OF = select(answer_tallies.c.schema, answer_tallies.c.value, answer_tallies.c.n).where(
    answer_tallies.c.schema.in_(bindparam("schemas", expanding=True)), answer_tallies.c.n > 0
)
ELIGIBLE_PAIRS = (
    select(func.count())
    .select_from(annotator_pairs)
    .where(P.schema == bindparam("schema"), P.shared >= bindparam("least"))
)
NTH_LARGEST_SHARED = (
    select(P.shared)
    .where(P.schema == bindparam("schema"), P.shared >= bindparam("least"))
    .order_by(P.shared.desc())
    .limit(1)
    .offset(bindparam("nth"))
)
_UA, _UB = users.alias("ua"), users.alias("ub")
PAIRS_FROM = (
    select(P.user_a, P.user_b, _UA.c.username.label("name_a"), _UB.c.username.label("name_b"))
    .add_columns(P.shared)
    .join(_UA, _UA.c.id == P.user_a)
    .join(_UB, _UB.c.id == P.user_b)
    .where(P.schema == bindparam("schema"), P.shared >= bindparam("least"))
)
PAIR_TABLE = select(V.value_a, V.value_b, V.n).where(
    V.user_a == bindparam("a"), V.user_b == bindparam("b"), V.schema == bindparam("schema")
)
_SIDE_A = select(P.user_a.label("user_id"), P.schema, P.shared, P.agreed).where(
    P.user_a.in_(bindparam("ids_a", expanding=True))
)
_SIDE_B = select(P.user_b.label("user_id"), P.schema, P.shared, P.agreed).where(
    P.user_b.in_(bindparam("ids_b", expanding=True))
)
_SIDES = _SIDE_A.union_all(_SIDE_B).subquery()
AGREEMENT_OF_USERS = (
    select(
        _SIDES.c.user_id,
        _SIDES.c.schema,
        func.sum(_SIDES.c.shared).label("shared"),
        func.sum(_SIDES.c.agreed).label("agreed"),
    )
    .where(_SIDES.c.shared > 0)
    .group_by(_SIDES.c.user_id, _SIDES.c.schema)
)


@dataclass(frozen=True)
class Cell:
    unit_size: int
    value_a: str
    value_b: str
    n: int


@dataclass(frozen=True)
class PairTable:
    name_a: str
    name_b: str
    shared: int
    table: dict[tuple[str, str], int]  # (value of name_a, value of name_b) -> items


class Aggregates:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.untallied: frozenset[str] = frozenset()

        def adder(table, keys: list[str], sets: dict) -> object:
            values = {k: bindparam(k) for k in keys} | {c: bindparam(c) for c in sets}
            stmt = store.insert(table).values(**values)
            return stmt.on_conflict_do_update(
                index_elements=keys,
                set_={c: getattr(table.c, c) + bindparam(c) for c in sets},
            )

        self._add_tally = adder(answer_tallies, ["schema", "value"], {"n": 1})
        self._add_cell = adder(
            agreement_cells, ["schema", "unit_size", "value_a", "value_b"], {"n": 1}
        )
        self._add_pair = adder(
            annotator_pairs, ["user_a", "user_b", "schema"], {"shared": 1, "agreed": 1}
        )
        self._add_pair_value = adder(
            annotator_pair_values,
            ["user_a", "user_b", "schema", "value_a", "value_b"],
            {"n": 1},
        )
        self.folder = PairFolder(store)

    # -- kept by the save ----------------------------------------------------------------
    def on_save(
        self,
        conn: Connection,
        user_id: int,
        item_seq: int,
        before: RawValues,
        after: RawValues,
        was_done: bool,
        is_done: bool,
        alone: bool = False,
    ) -> None:
        """Inside the save transaction: this user's stored values of the item went from
        `before` to `after` (schema -> JSON; absent = no annotation) and its assignment from
        finished (`was_done`) or not to `is_done`. `alone`: the caller knows that no other
        annotator has finished the item."""
        tallies: Counter[tuple[str, str]] = Counter()
        for schema in before.keys() | after.keys():
            old, new = before.get(schema), after.get(schema)
            if old != new:
                if old is not None:
                    tallies[(schema, self._tally_key(schema, old))] -= 1
                if new is not None:
                    tallies[(schema, self._tally_key(schema, new))] += 1
        _run(
            conn,
            self._add_tally,
            [{"schema": s, "value": v, "n": d} for (s, v), d in tallies.items() if d],
        )
        finished_before = before if was_done else {}
        finished_after = after if is_done else {}
        changed = [
            s
            for s in finished_before.keys() | finished_after.keys()
            if s not in self.untallied and finished_before.get(s) != finished_after.get(s)
        ]
        if not changed:
            return
        for schema in changed:  # the pair tables get these later (store/pair_folds.py)
            log_change(
                conn,
                item_seq,
                schema,
                user_id,
                finished_before.get(schema),
                finished_after.get(schema),
            )
        self.folder.wake()
        if alone:
            return
        others: dict[str, list[tuple[int, str]]] = {}
        for row in conn.execute(OTHERS_FINISHED, {"i": item_seq, "u": user_id}):
            others.setdefault(row.schema, []).append((row.user_id, row.value))
        cells: Counter[tuple[str, int, str, str]] = Counter()
        for schema in changed:
            rest = others.get(schema)
            if not rest:
                continue
            old, new = finished_before.get(schema), finished_after.get(schema)
            values = [value for _user, value in rest]
            for sign, mine in ((-1, old), (1, new)):
                # The whole unit changes size, so all of its pairs move, not only ours.
                unit = values if mine is None else [*values, mine]
                for (size, a, b), count in unit_pairs(unit).items():
                    cells[(schema, size, a, b)] += sign * count
        _run(
            conn,
            self._add_cell,
            [
                {"schema": s, "unit_size": m, "value_a": a, "value_b": b, "n": d}
                for (s, m, a, b), d in cells.items()
                if d
            ],
        )

    def _tally_key(self, schema: str, value: str) -> str:
        return "" if schema in self.untallied else value

    # -- rebuilt by recount ----------------------------------------------------------------
    def needs_rebuild(self) -> bool:
        return self.store.get_meta(META_KEY) != self._fingerprint()

    def _fingerprint(self) -> str:
        return json.dumps(sorted(self.untallied))

    def rebuild(self, conn: Connection) -> None:
        """Recompute every aggregate from the annotations and assignments (SQL only)."""
        for table in (
            answer_tallies,
            agreement_cells,
            annotator_pairs,
            annotator_pair_values,
            pair_pending,  # the rebuild below accounts for every answer
        ):
            conn.execute(delete(table))
        free_text = list(self.untallied) or [""]
        key = case((N.schema.in_(free_text), literal("")), else_=N.value)
        conn.execute(
            insert(answer_tallies).from_select(
                ["schema", "value", "n"],
                select(N.schema, key, func.count()).group_by(N.schema, key),
            )
        )
        done = (
            select(N.item_seq, N.user_id, N.schema, N.value)
            .join(assignments, (A.item_seq == N.item_seq) & (A.user_id == N.user_id))
            .where(A.status == DONE, N.schema.not_in(free_text))
            .cte("done")
        )
        x, y = done.alias("x"), done.alias("y")
        size = (
            select(done.c.item_seq, done.c.schema, func.count().label("m"))
            .group_by(done.c.item_seq, done.c.schema)
            .having(func.count() >= 2)
            .cte("size")
        )
        same_unit = (x.c.item_seq == y.c.item_seq) & (x.c.schema == y.c.schema)
        conn.execute(
            insert(agreement_cells).from_select(
                ["schema", "unit_size", "value_a", "value_b", "n"],
                select(x.c.schema, size.c.m, x.c.value, y.c.value, func.count())
                .select_from(
                    x.join(y, same_unit & (x.c.user_id != y.c.user_id)).join(
                        size, (size.c.item_seq == x.c.item_seq) & (size.c.schema == x.c.schema)
                    )
                )
                .group_by(x.c.schema, size.c.m, x.c.value, y.c.value),
            )
        )
        ordered = x.join(y, same_unit & (x.c.user_id < y.c.user_id))
        agreed = func.sum(case((x.c.value == y.c.value, 1), else_=0))
        conn.execute(
            insert(annotator_pairs).from_select(
                ["user_a", "user_b", "schema", "shared", "agreed"],
                select(x.c.user_id, y.c.user_id, x.c.schema, func.count(), agreed)
                .select_from(ordered)
                .group_by(x.c.user_id, y.c.user_id, x.c.schema),
            )
        )
        conn.execute(
            insert(annotator_pair_values).from_select(
                ["user_a", "user_b", "schema", "value_a", "value_b", "n"],
                select(x.c.user_id, y.c.user_id, x.c.schema, x.c.value, y.c.value, func.count())
                .select_from(ordered)
                .group_by(x.c.user_id, y.c.user_id, x.c.schema, x.c.value, y.c.value),
            )
        )
        self._rebuild_speed(conn)
        self.store.set_meta(conn, META_KEY, self._fingerprint())

    @staticmethod
    def _rebuild_speed(conn: Connection) -> None:
        """users.timed_items / timed_seconds / last_done_at from the completion times, the
        way the save keeps them (gaps between a user's completions, breaks left out)."""
        previous = func.lag(A.completed_at).over(partition_by=A.user_id, order_by=A.completed_at)
        gaps = (
            select(A.user_id, A.completed_at, (A.completed_at - previous).label("gap"))
            .where(A.status == DONE, A.completed_at.is_not(None))
            .subquery()
        )
        timed = gaps.c.gap <= BREAK_SECONDS
        per_user = select(
            gaps.c.user_id,
            func.sum(case((timed, 1), else_=0)).label("items"),
            func.sum(case((timed, gaps.c.gap), else_=0.0)).label("seconds"),
            func.max(gaps.c.completed_at).label("last"),
        ).group_by(gaps.c.user_id)
        conn.execute(update(users).values(timed_items=0, timed_seconds=0.0, last_done_at=None))
        rows = [
            {"uid": r.user_id, "items": r.items, "seconds": r.seconds, "last": r.last}
            for r in conn.execute(per_user)
        ]
        _run(conn, SET_SPEED, rows)

    # -- read by the dashboard -------------------------------------------------------------
    def tallies(self, schemas: list[str]) -> dict[str, list[tuple[str, int]]]:
        """schema -> [(stored value JSON, or '' for free text; annotations holding it)]."""
        out: dict[str, list[tuple[str, int]]] = {name: [] for name in schemas}
        if schemas:
            with self.store.read() as conn:
                for row in conn.execute(TALLIES_OF, {"schemas": schemas}):
                    out[row.schema].append((row.value, row.n))
        return out

    def cells(self, schema: str) -> list[Cell]:
        with self.store.read() as conn:
            return [Cell(*row) for row in conn.execute(CELLS_OF, {"schema": schema})]

    def top_pairs(self, schema: str, least: int, limit: int) -> tuple[list[PairTable], int]:
        """The `limit` annotator pairs sharing the most finished items (at least `least`;
        ties by name), with their contingency tables, and how many pairs share `least`."""
        params = {"schema": schema, "least": least}
        fold(self.store)  # every committed save is counted
        with self.store.read() as conn:
            eligible = conn.execute(ELIGIBLE_PAIRS, params).scalar_one()
            if not eligible or limit <= 0:
                return [], eligible
            # Only the pairs at or above the limit-th largest count (plus its ties) are read.
            floor = conn.execute(NTH_LARGEST_SHARED, {**params, "nth": limit - 1}).scalar()
            rows = conn.execute(PAIRS_FROM, {**params, "least": floor or least}).all()
            ranked = sorted(rows, key=lambda r: (-r.shared, *sorted((r.name_a, r.name_b))))
            out = []
            for r in ranked[:limit]:
                table = {
                    (t.value_a, t.value_b): t.n
                    for t in conn.execute(PAIR_TABLE, {"a": r.user_a, "b": r.user_b, **params})
                    if t.n
                }
                if r.name_a > r.name_b:
                    out.append(PairTable(r.name_b, r.name_a, r.shared, _swap(table)))
                else:
                    out.append(PairTable(r.name_a, r.name_b, r.shared, table))
        return out, eligible

    def agreement_of(self, user_ids: Iterable[int]) -> dict[int, dict[str, tuple[int, int]]]:
        """user id -> schema -> (finished items shared with another annotator, summed over
        the others; how many of those carry the identical answer)."""
        ids = list(user_ids)
        out: dict[int, dict[str, tuple[int, int]]] = {}
        if not ids:
            return out
        fold(self.store)  # every committed save is counted
        with self.store.read() as conn:
            for row in conn.execute(AGREEMENT_OF_USERS, {"ids_a": ids, "ids_b": ids}):
                out.setdefault(row.user_id, {})[row.schema] = (int(row.shared), int(row.agreed))
        return out


def unit_pairs(values: list[str]) -> Counter[tuple[int, str, str]]:
    """(unit size, value_a, value_b) -> ordered pairs of two different annotators holding
    those values in one unit; empty below two values."""
    size = len(values)
    out: Counter[tuple[int, str, str]] = Counter()
    if size < 2:
        return out
    counts = Counter(values)
    for a, n_a in counts.items():
        for b, n_b in counts.items():
            out[(size, a, b)] = n_a * (n_a - 1) if a == b else n_a * n_b
    return +out


def _swap(table: Mapping[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    return {(b, a): n for (a, b), n in table.items()}


def _run(conn: Connection, stmt, rows: list[dict]) -> None:
    # One row as a plain execute: executemany's batching costs more than it saves here.
    if len(rows) == 1:
        conn.execute(stmt, rows[0])
    elif rows:
        conn.execute(stmt, rows)


__all__ = ["Aggregates", "Cell", "PairTable", "unit_pairs"]
