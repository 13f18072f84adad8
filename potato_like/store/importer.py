"""Import data files into the items table, once, and again only when a file changed.

A change is noticed by size and mtime and confirmed by SHA-256 (a `touch` alone does not
re-import). The import runs in one transaction through a staging table, so a failed import
(bad rows, duplicate ids) leaves the store exactly as it was. Items that disappear from the
files are deleted when nobody worked on them, otherwise retired (kept with their annotations,
no longer assigned) and reported.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from ..data.readers import FileOptions, RowProblem, detect_encoding, read_rows
from ..errors import DataError
from .engine import exclusive
from .tables import assignments, completions_by_hour, data_sources, items

if TYPE_CHECKING:
    from ..config.model import ItemProperties
    from . import Store

BATCH = 5000
MAX_LISTED_PROBLEMS = 50
Progress = Callable[[int, int, int], None]  # rows so far, bytes so far, total bytes


@dataclass
class ImportReport:
    changed: bool
    rows: int = 0
    added: int = 0
    updated: int = 0
    retired: int = 0
    deleted: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def fingerprint(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sync_items(
    store: Store,
    files: tuple[Path, ...],
    props: ItemProperties,
    overlap: int | None,
    progress: Progress | None = None,
    seed: int | None = None,
    options: Mapping[str, FileOptions] | None = None,
    transform: Any = None,
) -> ImportReport:
    """Import the data files into the items table when they changed. `options` (by path):
    a file's declared encoding and prior-annotation filter (data/readers.FileOptions).
    `transform` (`apply(row) -> row`, `signature`) changes each row before it is stored
    (cot_segmentation); its signature is part of each file's recorded hash, so changed
    settings import the files again (the files are hashed at each start then)."""
    started = time.perf_counter()
    with store.read() as conn:
        known = {r.path: r for r in conn.execute(select(data_sources))}
    current = {str(p): fingerprint(p) for p in files}
    if (
        transform is None
        and not props.trace_format
        and set(known) == set(current)
        and all((known[p].size, known[p].mtime_ns) == current[p] for p in current)
    ):
        return ImportReport(changed=False)
    hashes = {p: _with(sha256_of(Path(p)), transform, props) for p in current}
    if set(known) == set(current) and all(known[p].sha256 == hashes[p] for p in current):
        with store.write() as conn:  # touched, not changed: remember the new mtimes
            for p, (size, mtime) in current.items():
                conn.execute(
                    update(data_sources)
                    .where(data_sources.c.path == p)
                    .values(size=size, mtime_ns=mtime)
                )
        return ImportReport(changed=False)

    report = ImportReport(changed=True)
    with store.write() as conn:
        # Another process starting at the same time may have imported these very files
        # while we hashed them: take the import lock and look again.
        exclusive(conn, "import")
        done = {r.path: r.sha256 for r in conn.execute(select(data_sources))}
        if done == hashes:
            return ImportReport(changed=False)
        staging = _staging_table()
        # On failure the transaction rolls back, and with it the staging table (DDL is
        # transactional on SQLite and PostgreSQL), leaving the store as it was.
        staging.create(conn)
        per_file = _load_staging(
            conn, staging, files, props, progress, seed, report.warnings, options or {}, transform
        )
        _check_duplicates(conn, staging)
        _merge(store, conn, staging, report)
        recount(store, conn, overlap)
        conn.execute(delete(data_sources))
        now = time.time()
        for p, (size, mtime) in current.items():
            conn.execute(
                insert(data_sources).values(
                    path=p,
                    size=size,
                    mtime_ns=mtime,
                    sha256=hashes[p],
                    rows=per_file.get(p, 0),
                    imported_at=now,
                )
            )
        report.rows = sum(per_file.values())
        staging.drop(conn)
    report.seconds = time.perf_counter() - started
    return report


def _with(digest: str, transform: Any, props: ItemProperties | None = None) -> str:
    """A file's recorded hash: its content's, mixed with the row transform's settings (and
    the trace format the files are read as)."""
    if props is not None and props.trace_format:
        digest = hashlib.sha256(f"{digest}:trace:{props.trace_format}".encode()).hexdigest()
    if transform is None:
        return digest
    return hashlib.sha256(f"{digest}:{transform.signature}".encode()).hexdigest()


def _staging_table() -> Table:
    return Table(
        "import_staging",
        MetaData(),
        Column("n", Integer, primary_key=True),
        Column("id", String(512), nullable=False),
        Column("text", Text, nullable=False),
        Column("data", Text, nullable=False),
        Column("source", Text, nullable=False),
        Column("line", Integer, nullable=False),
        Column("rand", Integer, nullable=False),
        prefixes=["TEMPORARY"],
    )


def _load_staging(
    conn: Connection,
    staging: Table,
    files: tuple[Path, ...],
    props: ItemProperties,
    progress: Progress | None,
    seed: int | None,
    warnings: list[str] | None = None,
    options: Mapping[str, FileOptions] | None = None,
    transform: Any = None,
) -> dict[str, int]:
    problems: list[str] = []
    counted = 0
    total_bytes = sum(p.stat().st_size for p in files) or 1
    done_bytes = 0
    per_file: dict[str, int] = {}
    rng = random.Random(seed)
    without_text, first_without_text = 0, ""  # rows without the text_key field
    batch: list[dict[str, Any]] = []
    n = 0
    for path in files:
        rows_in_file = 0
        seen_bytes = 0
        opts = (options or {}).get(str(path), FileOptions())
        encoding, note = detect_encoding(path, opts.encoding)
        if note and warnings is not None:
            warnings.append(f"{path.name}: {note}")
        filtered_out = 0
        for line, row in _rows(path, encoding, props):
            if isinstance(row, RowProblem):
                counted += _add_problem(problems, f"{path.name}:{line}: {row}")
                continue
            if transform is not None:
                row = transform.apply(row)
            parsed = _parse_row(row, props)
            if isinstance(parsed, str):
                counted += _add_problem(problems, f"{path.name}:{line}: {parsed}")
                continue
            item_id, item_text, data, has_text = parsed
            if not opts.keep(item_id):
                filtered_out += 1
                continue
            if not has_text:
                without_text += 1
                first_without_text = first_without_text or f"{path.name}:{line}"
            n += 1
            seen_bytes += len(item_text) + len(data) + 8  # close enough for a progress bar
            rows_in_file += 1
            batch.append(
                {
                    "n": n,
                    "id": item_id,
                    "text": item_text,
                    "data": data,
                    "source": path.name,
                    "line": line,
                    "rand": rng.getrandbits(31),
                }
            )
            if len(batch) >= BATCH:
                conn.execute(insert(staging), batch)
                batch.clear()
                if progress:
                    progress(n, min(done_bytes + seen_bytes, total_bytes), total_bytes)
        if filtered_out and warnings is not None:
            warnings.append(
                f"{path.name}: filter_by_prior_annotation left out {filtered_out} item(s), "
                f"kept {rows_in_file}"
            )
        if rows_in_file == 0 and not problems and not filtered_out and not opts.may_be_empty:
            counted += _add_problem(problems, f"{path.name}: no items found")
        per_file[str(path)] = rows_in_file
        done_bytes += path.stat().st_size
    if batch:
        conn.execute(insert(staging), batch)
    if progress:
        progress(n, total_bytes, total_bytes)
    if problems:
        raise DataError(_summarise(problems, counted))
    if without_text and warnings is not None:
        warnings.append(
            f"{without_text} item(s) have no {props.text_key!r} field (item_properties."
            f"text_key; first at {first_without_text}); they are shown with their other fields"
        )
    return per_file


def _rows(path: Path, encoding: str, props: ItemProperties):
    """The rows of one data file; with `item_properties.trace_format`, its traces as items."""
    if not props.trace_format:
        return read_rows(path, encoding)
    from ..traces.registry import trace_rows

    return trace_rows(path, props.trace_format)


def _parse_row(row: dict[str, Any], props: ItemProperties) -> tuple[str, str, str, bool] | str:
    """(id, text, the other fields as JSON, whether the row had the text field) or a problem."""
    if props.id_key not in row or row[props.id_key] is None:
        return f"missing id (no {props.id_key!r} field)"
    raw_id = row[props.id_key]
    if isinstance(raw_id, bool) or not isinstance(raw_id, (str, int, float)):
        return f"id {props.id_key!r} must be a string or number, got {type(raw_id).__name__}"
    item_id = str(raw_id).strip()
    if not item_id:
        return f"missing id (empty {props.id_key!r})"
    if len(item_id) > 512:
        return "id longer than 512 characters"
    rest = {k: v for k, v in row.items() if k != props.text_key}
    raw_text = row.get(props.text_key)
    if raw_text is None:
        # Potato loads such items with a warning; annotators see what the item has.
        shown = {k: v for k, v in rest.items() if k != props.id_key}
        item_text = json.dumps(shown, ensure_ascii=False, indent=2)
    elif isinstance(raw_text, str):
        item_text = raw_text
    else:
        item_text = json.dumps(raw_text, ensure_ascii=False)
    return item_id, item_text, json.dumps(rest, ensure_ascii=False), raw_text is not None


def _add_problem(problems: list[str], message: str) -> int:
    if len(problems) < MAX_LISTED_PROBLEMS:
        problems.append(message)
    return 1


def _summarise(problems: list[str], counted: int) -> list[str]:
    if counted > len(problems):
        return [*problems, f"... and {counted - len(problems)} more problems"]
    return problems


def _check_duplicates(conn: Connection, staging: Table) -> None:
    conn.execute(text("CREATE INDEX import_staging_id ON import_staging (id)"))
    dupes = select(staging.c.id).group_by(staging.c.id).having(func.count() > 1)
    rows = conn.execute(
        select(staging.c.id, staging.c.source, staging.c.line)
        .where(staging.c.id.in_(dupes.limit(MAX_LISTED_PROBLEMS)))
        .order_by(staging.c.id, staging.c.n)
    ).all()
    if not rows:
        return
    total = conn.execute(select(func.count()).select_from(dupes.subquery())).scalar_one()
    problems, first = [], {}
    for r in rows:
        if r.id in first:
            problems.append(f"{r.source}:{r.line}: duplicate id {r.id!r} (first at {first[r.id]})")
        else:
            first[r.id] = f"{r.source}:{r.line}"
    if total > MAX_LISTED_PROBLEMS:
        problems.append(f"... and more duplicates ({total} ids are duplicated)")
    raise DataError(problems)


def _merge(store: Store, conn: Connection, staging: Table, report: ImportReport) -> None:
    existing = conn.execute(select(func.count()).select_from(items)).scalar_one()
    if existing:
        # Changed text or fields of items that stay.
        report.updated = conn.execute(
            update(items)
            .values(
                text=select(staging.c.text).where(staging.c.id == items.c.id).scalar_subquery(),
                data=select(staging.c.data).where(staging.c.id == items.c.id).scalar_subquery(),
                retired=0,
            )
            .where(
                select(staging.c.n)
                .where(
                    staging.c.id == items.c.id,
                    (staging.c.text != items.c.text)
                    | (staging.c.data != items.c.data)
                    | (items.c.retired == 1),
                )
                .exists()
            )
        ).rowcount
        gone = ~select(staging.c.n).where(staging.c.id == items.c.id).exists()
        worked = select(assignments.c.item_seq).where(assignments.c.item_seq == items.c.seq)
        report.deleted = conn.execute(delete(items).where(gone, ~worked.exists())).rowcount
        report.retired = conn.execute(
            update(items).where(gone, items.c.retired == 0).values(retired=1, is_open=0)
        ).rowcount
        if report.retired:
            report.warnings.append(
                f"{report.retired} items were removed from the data files but have annotations;"
                " they are kept (retired) and no longer assigned"
            )
    new_rows = (
        select(
            staging.c.id,
            staging.c.text,
            staging.c.data,
            staging.c.source,
            staging.c.line,
            staging.c.rand,
        )
        .where(~select(items.c.seq).where(items.c.id == staging.c.id).exists())
        .order_by(staging.c.n)
    )
    count_all = select(func.count()).select_from(items)
    before = conn.execute(count_all).scalar_one()
    conn.execute(
        insert(items).from_select(["id", "text", "data", "source", "line", "rand"], new_rows)
    )
    # rowcount of INSERT ... SELECT is not reported by every driver: count instead.
    report.added = conn.execute(count_all).scalar_one() - before
    live = conn.execute(
        select(func.count()).select_from(items).where(items.c.retired == 0)
    ).scalar_one()
    store.set_counter(conn, "items", live)


def recount(store: Store, conn: Connection, overlap: int | None) -> None:
    """Recompute everything kept incrementally from the rows themselves: open flags
    (is_open = live and below the overlap), item status, the counters, the hourly
    completions and the dashboard aggregates (store/aggregates.py). Runs after an import and
    when the overlap setting changed."""
    if overlap is None:
        conn.execute(
            update(items).where(items.c.retired == 0, items.c.is_open == 0).values(is_open=1)
        )
    else:
        conn.execute(
            update(items)
            .where(items.c.retired == 0)
            .where(
                (items.c.holders < func.coalesce(items.c.max_holders, overlap))
                != (items.c.is_open == 1)
            )
            .values(is_open=1 - items.c.is_open)
        )
    target = func.coalesce(items.c.max_holders, overlap or 1)
    status = case((items.c.done_count >= target, 2), (items.c.holders > 0, 1), else_=0)
    conn.execute(update(items).where(items.c.status != status).values(status=status))
    count = select(func.count()).select_from(items)
    for name, where in (
        ("open_items", items.c.is_open == 1),
        ("items_held", items.c.holders > 0),
        ("items_completed", items.c.status == 2),
    ):
        store.set_counter(conn, name, conn.execute(count.where(where)).scalar_one())
    done = select(func.count()).select_from(assignments).where(assignments.c.status == "done")
    store.set_counter(conn, "done_assignments", conn.execute(done).scalar_one())
    seconds = assignments.c.leased_at / 3600  # done rows carry their completion time here
    hour = cast(func.floor(seconds) if conn.dialect.name == "postgresql" else seconds, Integer)
    conn.execute(delete(completions_by_hour))
    conn.execute(
        insert(completions_by_hour).from_select(
            ["hour", "done"],
            select(hour, func.count()).where(assignments.c.status == "done").group_by(hour),
        )
    )
    store.aggregates.rebuild(conn)
    store.set_meta(conn, "overlap", "none" if overlap is None else str(overlap))
