"""How many of Potato's example configs pass `run.py check` here.

    git clone --depth 1 https://github.com/davidjurgens/potato /tmp/potato
    python bench/potato_examples.py /tmp/potato [--list] [--json]

An example config is a YAML or JSON file under `examples/` whose top level is a mapping with
`annotation_schemes` or `annotation_task_name`. The examples directory is copied to a temporary
directory first, because `check` opens the project (it creates the store in the output
directory). An example that ships a `seed_db.py` beside its config (the live database
example, whose instructions say to seed its database before starting) is seeded first by
running that script, as its README says. Each config is checked in a fresh `run.py check`
process, two at a time. Prints the figure, the commit of the Potato checkout when it is a git
checkout, and the most common first problems of the failures (`--list`: every config with its
result).
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def example_configs(examples: Path) -> list[Path]:
    found = []
    for path in sorted(examples.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and {"annotation_schemes", "annotation_task_name"} & set(data):
            found.append(path)
    return found


def check(config: Path) -> tuple[bool, str]:
    """(passed, the first problem or crash line)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "check", str(config)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=300,
    )
    if proc.returncode == 0:
        return True, ""
    lines = [line.strip() for line in proc.stderr.splitlines() if line.strip()]
    problems = [line[2:] for line in lines if line.startswith("- ")]
    return False, (problems or lines[-1:] or ["(no output)"])[0]


def problem_kind(problem: str) -> str:
    """'annotation_schemes[0].annotation_type: 'video' is not ...' -> a short, groupable kind."""
    head = problem.split(" (", 1)[0]
    return head[:110]


def git_commit(path: Path) -> str | None:
    proc = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("potato", type=Path, help="a Potato checkout (holding examples/)")
    parser.add_argument("--list", action="store_true", help="print every config's result")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        examples = Path(tmp) / "examples"
        shutil.copytree(args.potato / "examples", examples)
        configs = example_configs(examples)
        for seed in sorted(examples.rglob("seed_db.py")):
            subprocess.run([sys.executable, str(seed)], cwd=seed.parent, check=False,
                           capture_output=True, timeout=120)  # fmt: skip
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(check, configs))
        names = [str(c.relative_to(examples)) for c in configs]
    passed = sum(ok for ok, _ in results)
    failures = collections.Counter(problem_kind(p) for ok, p in results if not ok)
    summary = {
        "passed": passed,
        "total": len(configs),
        "potato_commit": git_commit(args.potato),
        "top_failures": failures.most_common(15),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    if args.list:
        for name, (ok, problem) in zip(names, results, strict=True):
            print(f"{'pass' if ok else 'FAIL'}  {name}  {problem}")
    print(f"{passed} of {len(configs)} Potato example configs pass `run.py check`")
    if summary["potato_commit"]:
        print(f"Potato commit {summary['potato_commit']}")
    print("most common first problems:")
    for kind, count in summary["top_failures"]:
        print(f"  {count:4d}  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
