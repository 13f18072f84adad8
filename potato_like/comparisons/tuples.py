"""Best-worst scaling tuples made from a pool of items.

With `bws_config` the data files are the pool; the annotated items are tuples of
`tuple_size` pool items, written to `<output dir>/bws_tuples.jsonl` (config.tuples_file) and
imported like a data file. The same config and pool always give the same tuples (the seed),
so restarts keep every tuple id and its answers.

Design: each "pass" shuffles the whole pool once and cuts it into tuples, so after `m`
passes every item has appeared `m` times (Louviere's balanced-incidence idea; the default
`min_item_appearances` is 2 x tuple_size). A tuple never holds an item twice.
"""

from __future__ import annotations

import json
import math
import os
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.readers import RowProblem, read_rows
from ..errors import DataError

POSITIONS = string.ascii_uppercase


@dataclass(frozen=True)
class PoolItem:
    id: str
    text: str


def read_pool(files: Sequence[Path], id_key: str, text_key: str) -> list[PoolItem]:
    """The pool's items, in file order; every bad row named (file:line)."""
    problems: list[str] = []
    pool: list[PoolItem] = []
    seen: set[str] = set()
    for path in files:
        for line, row in read_rows(path):
            if isinstance(row, RowProblem):
                problems.append(f"{path.name}:{line}: {row}")
                continue
            raw_id = row.get(id_key)
            if raw_id is None or isinstance(raw_id, (bool, dict, list)) or not str(raw_id).strip():
                problems.append(f"{path.name}:{line}: missing id (no {id_key!r} field)")
                continue
            item_id = str(raw_id).strip()
            if item_id in seen:
                problems.append(f"{path.name}:{line}: duplicate id {item_id!r}")
                continue
            seen.add(item_id)
            text = row.get(text_key, "")
            pool.append(PoolItem(item_id, text if isinstance(text, str) else json.dumps(text)))
    if problems:
        raise DataError(problems[:20])
    return pool


def tuple_count(pool_size: int, tuple_size: int, min_appearances: int | None) -> int:
    appearances = min_appearances or 2 * tuple_size
    return max(1, math.ceil(pool_size * appearances / tuple_size))


def make_tuples(
    pool: Sequence[PoolItem],
    tuple_size: int,
    seed: int,
    *,
    num_tuples: int | None = None,
    min_appearances: int | None = None,
) -> list[list[PoolItem]]:
    """Tuples of distinct pool items, each pool item as evenly often as the count allows."""
    if tuple_size < 2:
        raise DataError([f"bws tuple_size must be at least 2, got {tuple_size}"])
    if tuple_size > len(pool):
        raise DataError(
            [f"bws tuple_size ({tuple_size}) is larger than the pool ({len(pool)} items)"]
        )
    wanted = num_tuples or tuple_count(len(pool), tuple_size, min_appearances)
    rng = random.Random(seed)
    stream: list[PoolItem] = []
    tuples: list[list[PoolItem]] = []
    while len(tuples) < wanted:
        order = list(pool)
        rng.shuffle(order)
        stream.extend(order)
        while len(stream) >= tuple_size and len(tuples) < wanted:
            tuples.append(_take_distinct(stream, tuple_size))
    return tuples


def _take_distinct(stream: list[PoolItem], size: int) -> list[PoolItem]:
    """Pop `size` distinct items from the front of `stream` (skipping repeats, which stay
    queued for the next tuple)."""
    chosen: list[PoolItem] = []
    ids: set[str] = set()
    i = 0
    while len(chosen) < size and i < len(stream):
        if stream[i].id not in ids:
            ids.add(stream[i].id)
            chosen.append(stream.pop(i))
        else:
            i += 1
    return chosen


def tuple_rows(
    tuples: Sequence[Sequence[PoolItem]], id_key: str, text_key: str, prefix: str, **extra: Any
) -> list[dict[str, Any]]:
    """Item rows for the tuples: `_bws_items` as `{source_id, text, position}`."""
    return [
        {
            id_key: f"{prefix}_{n:04d}",
            text_key: "",
            "_bws_items": [
                {"source_id": item.id, "text": item.text, "position": POSITIONS[i]}
                for i, item in enumerate(members)
            ],
            "_bws_tuple_size": len(members),
            **extra,
        }
        for n, members in enumerate(tuples, start=1)
    ]


def write_rows(path: Path, rows: Sequence[dict[str, Any]]) -> bool:
    """Write JSON Lines atomically; untouched (same bytes) when nothing changed, so the
    importer sees no change. True when written."""
    body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    if path.exists() and path.read_text(encoding="utf-8") == body:
        return False
    tmp = path.with_suffix(".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)
    return True


def prepare_bws_items(config: Any) -> None:
    """Write the tuples file a `bws_config` / `ibws_config` project imports (before import)."""
    if config.bws is None and config.ibws is None:
        return
    files = config.data_files
    if config.data_directory is not None:
        files = (*files, *config.data_directory.files())
    props = config.item_properties
    pool = read_pool(files, props.id_key, props.text_key)
    if config.bws is not None:
        bws = config.bws
        tuples = make_tuples(
            pool,
            bws.tuple_size,
            bws.seed,
            num_tuples=bws.num_tuples,
            min_appearances=bws.min_item_appearances,
        )
        write_rows(
            config.tuples_file, tuple_rows(tuples, props.id_key, props.text_key, "bws_tuple")
        )
        return
    from .ibws import IbwsRounds

    IbwsRounds(config).start(pool)


def pool_texts(config: Any) -> dict[str, str]:
    """Pool item id -> text, read back from the tuples file (what scoring shows)."""
    out: dict[str, str] = {}
    path = config.tuples_file
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            for entry in json.loads(line).get("_bws_items", []):
                out.setdefault(entry["source_id"], entry.get("text", ""))
    return out
