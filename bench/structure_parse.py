"""Time viewer_selection's structure parser on a generated structure at its residue limit and
measure the C-alpha coordinates the page gets.

    python bench/structure_parse.py [--residues 19999] [--atoms 8] [--repeat 3]

Writes a PDB of `--residues` lysines with `--atoms` atoms each (N, CA, C, O, side chain) over
four chains, parses it `--repeat` times and prints one JSON object: the text size, the median
parse time and the size of the per-chain C-alpha traces as JSON (what the 3-D view receives).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from potato_like.media.structures import parse

NAMES = ("N", "CA", "C", "O", "CB", "CG", "CD", "CE", "NZ")


def pdb(residues: int, atoms: int) -> str:
    lines, n = [], 1
    per_chain = -(-residues // 4)
    for r in range(residues):
        chain, resi = "ABCD"[r // per_chain], r % per_chain + 1
        for name in NAMES[:atoms]:
            x, y, z = r * 0.1, (n % 7) * 1.0, 2.0
            lines.append(
                f"ATOM  {n % 99999:5d} {name:<4} LYS {chain}{resi:4d}    "
                f"{x:8.3f}{y:8.3f}{z:8.3f}  1.00 20.00"
            )
            n += 1
    return "\n".join(lines) + "\nEND\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--residues", type=int, default=19_999)
    ap.add_argument("--atoms", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    text = pdb(args.residues, args.atoms)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        chains = parse(text)
        times.append(time.perf_counter() - start)
    traces = json.dumps([c["trace"] for c in chains])
    print(json.dumps({
        "residues": args.residues, "atoms_per_residue": args.atoms,
        "text_mb": round(len(text) / 1e6, 2), "parse_s_median": round(statistics.median(times), 2),
        "trace_json_kb": round(len(traces) / 1e3, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
