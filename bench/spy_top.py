"""Summarise a py-spy collapsed-stack file (`py-spy record --format raw`, or load.py --py-spy).

    python bench/spy_top.py bench/out/spy.txt [--top 25] [--match potato_like] [--under FUNC]

Prints, for the non-idle samples py-spy took, each frame's inclusive share (the stack contains
it) and self share (it is the innermost frame). --match keeps frames whose text contains the
string (e.g. a package name); --under keeps only stacks passing through a frame containing
FUNC (e.g. `update_instance`), so shares are within that request kind.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

_LINE = re.compile(r"^(.*) (\d+)$")
_LINENO = re.compile(r":\d+\)$")


def frame_name(frame: str) -> str:
    """`func (path/to/file.py:123)` -> `func (file.py)`: merge lines of one function."""
    frame = _LINENO.sub(")", frame)
    m = re.match(r"^(.*) \((.*)\)$", frame)
    if not m:
        return frame
    func, path = m.groups()
    parts = Path(path).parts
    if "potato_like" in parts:  # potato_like/store/items.py, wherever the tree is
        short = "/".join(parts[len(parts) - 1 - parts[::-1].index("potato_like") :])
    else:
        short = parts[-1] if parts else path
    return f"{func} ({short})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default=None)
    parser.add_argument("--under", default=None)
    args = parser.parse_args(argv)

    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for raw in args.file.read_text(errors="replace").splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        stack, count = m.group(1), int(m.group(2))
        frames = [frame_name(f) for f in stack.split(";")]
        if frames and frames[0].startswith(("process ", "thread ")):
            frames = frames[1:]
        if args.under and not any(args.under in f for f in frames):
            continue
        total += count
        for f in set(frames):
            inclusive[f] += count
        if frames:
            leaf[frames[-1]] += count
    if not total:
        print("no samples", file=sys.stderr)
        return 1

    def keep(name: str) -> bool:
        return args.match is None or args.match in name

    print(f"{total} samples" + (f" under {args.under!r}" if args.under else ""))
    print("\ninclusive (stack contains the frame):")
    for name, n in [x for x in inclusive.most_common() if keep(x[0])][: args.top]:
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("\nself (innermost frame):")
    for name, n in [x for x in leaf.most_common() if keep(x[0])][: args.top]:
        print(f"  {100 * n / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
