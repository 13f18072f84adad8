"""Every DESIGN.md §5 load figure in one command, each with the client, the settings and the
machine load it ran under.

    python bench/all.py                       # workers 1 and 2 side by side, 1k items
    python bench/all.py --workers 1,2,4 --items 100000 --repeat 2
    python bench/all.py --only throughput     # one scenario (throughput, paced8, paced200,
                                              # register8)

Each scenario is one `bench/load.py` run (the real server over loopback HTTP; see
bench/README.md) per `--workers` value, the values run back to back so that a comparison is
taken in the same minute of a shared machine. The JSON of every run is kept in
`bench/out/all-<time>/`; the table at the end is what docs/performance.md quotes.

Scenarios (DESIGN.md §5; docs/performance.md says why latencies are judged with pauses):
- throughput: 8 pause-free annotators (req/s, the ">= 400 req/s" figure);
- paced8: 8 annotators pausing ~0.5 s (`/updateinstance` p50/p99 targets);
- paced200: 200 annotators pausing ~2 s, arriving over 10 s (zero errors, p99 <= 300 ms);
- register8: 8 people registering with a password in the same instant (the server hashes
  each password; registration + first page).

The load generator runs on the same CPUs as the server; on a 2-core machine shared with
other work, only figures taken back to back compare. The load average (1 min) before and
after each run is printed next to its figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

SCENARIOS = {
    "throughput": ["--annotators", "8", "--requests-per-annotator", "200"],
    "paced8": ["--annotators", "8", "--requests-per-annotator", "90", "--think-ms", "500"],
    "paced200": [
        "--annotators",
        "200",
        "--requests-per-annotator",
        "20",
        "--think-ms",
        "2000",
        "--arrive-over",
        "10",
    ],
    "register8": [
        "--annotators",
        "8",
        "--requests-per-annotator",
        "3",
        "--password",
        "correct horse battery staple",
    ],
}


def ensure_project(items: int) -> Path:
    project = HERE / "projects" / str(items)
    if not (project / "data.jsonl").is_file():
        subprocess.run(
            [sys.executable, str(HERE / "make_project.py"), str(items)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return project


def run(project: Path, scenario: str, workers: int, out: Path, extra: list[str]) -> dict:
    cmd = [
        sys.executable,
        str(HERE / "load.py"),
        "--project",
        str(project),
        "--reset",
        "--probe-users",
        "5",
        "--max-seconds",
        "60",
        "--workers",
        str(workers),
        *SCENARIOS[scenario],
        *extra,
    ]
    print(f"== {scenario}, --workers {workers}: {' '.join(cmd[2:])}", file=sys.stderr)
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stderr[-2000:], file=sys.stderr)
        return {"scenario": scenario, "workers": workers, "failed": done.returncode}
    result = json.loads(done.stdout)
    result["scenario"] = scenario
    (out / f"{scenario}-w{workers}-{time.strftime('%H%M%S')}.json").write_text(
        json.dumps(result, indent=2)
    )
    return result


def _g(d, *path):
    for key in path:
        try:
            d = d[key]
        except (KeyError, IndexError, TypeError):
            return None
    return d


def _f(value, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def row(r: dict) -> str:
    if "failed" in r:
        return f"| {r['scenario']} | {r['workers']} | failed (exit {r['failed']}) |" + " |" * 8
    settings = (
        f"{r.get('annotators')} ann., think {_f(r.get('think_ms'), 0)} ms, "
        f"arrive over {_f(r.get('arrive_over_s'), 0)} s, "
        f"{'password' if r.get('password') else 'passwordless'}, "
        f"{r.get('server_threads')} threads, client {r.get('client')}"
    )
    load = f"{_f(_g(r, 'loadavg_before', 0), 2)} → {_f(_g(r, 'loadavg_after', 0), 2)}"
    cpu = r.get("server_cpu_seconds")
    per_req = cpu * 1000 / r["total_requests"] if cpu and r.get("total_requests") else None
    cells = [
        r["scenario"],
        str(r.get("workers")),
        f"{r.get('items'):,}" if r.get("items") else "-",
        settings,
        _f(r.get("req_per_s")),
        "/".join(_f(_g(r, "updateinstance_ms", k)) for k in ("p50", "p99")),
        _f(_g(r, "all_requests_ms", "p99")),
        "/".join(_f(_g(r, "registration_ms", k)) for k in ("p50", "max")),
        _f(per_req, 2),
        _f(_g(r, "errors", "count")),
        load,
    ]
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "| scenario | workers | items | settings | req/s | update p50/p99 ms | all p99 ms "
    "| registration p50/max ms | server CPU ms/req | errors | load avg 1 min before → after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--workers", default="1,2", help="comma-separated --workers values")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", choices=sorted(SCENARIOS), action="append")
    parser.add_argument(
        "--load-arg", action="append", default=[], help="an extra argument for load.py"
    )
    args = parser.parse_args(argv)
    project = ensure_project(args.items)
    out = OUT / f"all-{time.strftime('%Y%m%d-%H%M%S')}"
    out.mkdir(parents=True, exist_ok=True)
    workers = [int(w) for w in args.workers.split(",")]
    print(
        f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start",
        file=sys.stderr,
    )
    results = []
    for scenario in args.only or list(SCENARIOS):
        for _ in range(args.repeat):
            for n in workers:  # back to back: a comparison taken in the same minute
                results.append(run(project, scenario, n, out, args.load_arg))
    print(f"\n{os.cpu_count()} CPUs; JSON in {out}\n")
    print(HEADER)
    for r in results:
        print(row(r))
    print(potato_note())
    return 0


def potato_note() -> str:
    """The side-by-side against Potato's release needs a driver for Potato's own login and
    save flow; it is not part of this harness yet (docs/performance.md)."""
    return (
        "\nPotato side by side: not measured by this harness (see docs/performance.md, "
        "'Not measured yet')."
    )


if __name__ == "__main__":
    sys.exit(main())
