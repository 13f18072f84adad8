"""`python run.py import-traces FORMAT FILE... --out data.jsonl [--dry-run]`: agent traces
to items, one JSON object per line. FORMAT is a registered trace format or `auto` (each
file's format is told from its first record). The first bad record stops the import with
file and line; nothing is written then."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .registry import TraceError, format_names, import_files


def add_parser(sub) -> None:
    p = sub.add_parser(
        "import-traces",
        help="turn agent traces (OpenAI, Anthropic, Claude Code, OpenTelemetry, LangSmith, MCP, "
        "ReAct, SWE-agent, SWE-bench, Aider, ATIF, multi-agent, ...) into items",
    )
    p.add_argument("format", help=f"one of: auto, {', '.join(format_names())}")
    p.add_argument(
        "files", nargs="+", help="JSON or JSON Lines trace files (ReAct and Aider: text)"
    )
    p.add_argument("--out", help="the JSON Lines data file to write (needed unless --dry-run)")
    p.add_argument("--dry-run", action="store_true", help="read and convert, report, write nothing")


def run(args) -> int:
    if args.format != "auto" and args.format not in format_names() + _aliases():
        print(
            f"unknown trace format {args.format!r}; known: auto, {', '.join(format_names())}",
            file=sys.stderr,
        )
        return 2
    if not args.dry_run and not args.out:
        print("--out is needed (or --dry-run)", file=sys.stderr)
        return 2
    items, used = [], {}
    try:
        for path, fmt, item in import_files(args.format, [Path(f) for f in args.files]):
            items.append(item)
            used.setdefault(str(path), fmt)
    except TraceError as err:
        print(str(err), file=sys.stderr)
        return 1
    for path, fmt in used.items():
        print(f"{path}: {fmt}", file=sys.stderr)
    steps = sum(len(i.get("conversation") or i.get("steps") or []) for i in items)
    if args.dry_run:
        print(f"{len(items)} traces, {steps} turns (dry run: nothing written)", file=sys.stderr)
        return 0
    out = Path(args.out)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    print(f"wrote {len(items)} traces ({steps} turns) to {out}", file=sys.stderr)
    return 0


def _aliases() -> list[str]:
    from .registry import formats

    return list(formats())
