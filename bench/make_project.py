"""Write a synthetic benchmark project: DIR/config.yaml + DIR/data.jsonl with N items.

    python bench/make_project.py N [--out DIR] [--text-chars 200] [--overlap K] [--seed 1234]

Items are `item_0000001`, `item_0000002`, ... with pseudo-random word texts of about
--text-chars characters. The output is deterministic for a given (N, --text-chars, --seed):
the same arguments always produce byte-identical files, so runs are comparable.

The project has one radio scheme "sentiment" (positive / negative / neutral), passwordless
login (`require_password: false`), a login rate limit high enough for load tests and a fixed
`admin_api_key`. --overlap K sets `max_annotations_per_item: K` (default: unlimited).
The default DIR is bench/projects/N (bench/projects/ is gitignored). The server keeps its
SQLite file and per-user output in DIR/annotation_output/.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ADMIN_API_KEY = "bench-admin-key-0123456789"

# A small fixed vocabulary: texts look like sentences and compress like real text.
_VOCABULARY = (
    "the a an this that service food room staff price quality delivery product order "
    "was were is are very quite really not never always good great bad awful fine okay "
    "slow fast friendly rude clean dirty cheap expensive fresh cold warm loud quiet "
    "and but so because although however overall again maybe definitely would could "
    "recommend return visit buy love hate like enjoyed disappointed happy unhappy "
    "experience time day night week menu table seat screen battery size colour fit"
)
WORDS = _VOCABULARY.split()


def make_text(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    length = 0
    while length < chars:
        word = rng.choice(WORDS)
        out.append(word)
        length += len(word) + 1
    text = " ".join(out)[: max(chars - 1, 1)].rstrip()
    return text[0].upper() + text[1:] + "."


def config_yaml(n: int, overlap: int | None) -> str:
    lines = [
        f"# Synthetic benchmark project ({n:,} items), written by bench/make_project.py.",
        f'annotation_task_name: "Benchmark {n} items"',
        "task_dir: .",
        "output_annotation_dir: annotation_output/",
        "data_files:",
        "  - data.jsonl",
        "item_properties:",
        "  id_key: id",
        "  text_key: text",
        "annotation_schemes:",
        "  - annotation_type: radio",
        "    name: sentiment",
        '    description: "What is the sentiment of this text?"',
        "    labels: [positive, negative, neutral]",
        "user_config:",
        "  allow_all_users: true",
        "require_password: false",
        'login_rate_limit: "100000 per minute"',
        # Every simulated annotator arrives from 127.0.0.1: lift the per-address limit.
        'registration_rate_limit: "100000 per minute"',
        f'admin_api_key: "{ADMIN_API_KEY}"',
        "assignment_strategy: fixed_order",
    ]
    if overlap is not None:
        lines.append(f"max_annotations_per_item: {overlap}")
    lines.append("port: 8000")
    return "\n".join(lines) + "\n"


def write_project(
    n: int, out: Path, text_chars: int = 200, overlap: int | None = None, seed: int = 1234
) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    data = out / "data.jsonl"
    tmp = data.with_name(".data.jsonl.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        chunk: list[str] = []
        for i in range(1, n + 1):
            row = {"id": f"item_{i:07d}", "text": make_text(rng, text_chars)}
            chunk.append(json.dumps(row) + "\n")
            if len(chunk) >= 10_000:
                fh.writelines(chunk)
                chunk.clear()
        fh.writelines(chunk)
    tmp.replace(data)
    config = out / "config.yaml"
    config.write_text(config_yaml(n, overlap), encoding="utf-8")
    return config, data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of items")
    parser.add_argument("--out", type=Path, default=None, help="default: bench/projects/N")
    parser.add_argument("--text-chars", type=int, default=200, help="approximate text length")
    parser.add_argument("--overlap", type=int, default=None, help="max_annotations_per_item")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.overlap is not None and args.overlap < 1:
        parser.error("--overlap must be at least 1")
    out = args.out or HERE / "projects" / str(args.n)
    started = time.perf_counter()
    config, data = write_project(args.n, out, args.text_chars, args.overlap, args.seed)
    size_mb = data.stat().st_size / 1e6
    print(
        f"wrote {config} and {data} ({args.n:,} items, {size_mb:.1f} MB) "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    print(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
