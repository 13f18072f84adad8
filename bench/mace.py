"""Time MACE over 100,000 annotations: the algorithm alone on a simulated crowd, and a whole
background run (read every finished answer from a SQLite project, fit, store the results).

    python bench/mace.py [--annotations 100000] [--out DIR]

The project is made with bench/make_project.py and seeded with bench/seed_annotations.py
(5 annotators per item, 100 annotators, 1,000 answers each). Prints one JSON object with the
wall-clock and CPU seconds of each part (CPU time is the fairer figure on a shared machine;
the load average is printed too); target (issue 17): under 5 s for 100,000 annotations.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

from potato_like.quality.mace import fit_mace, majority_vote  # noqa: E402


def simulated(annotations: int, per_item: int = 5, annotators: int = 100, labels: int = 3):
    """A crowd where every tenth annotator answers at random; the others are right 75% of
    the time and guess otherwise."""
    rng = np.random.default_rng(1)
    n_items = annotations // per_item
    truth = rng.integers(0, labels, n_items)
    item = np.repeat(np.arange(n_items), per_item)
    annotator = rng.integers(0, annotators, item.size)
    spam = annotator % 10 == 0
    knows = (rng.random(item.size) < 0.75) & ~spam
    label = np.where(knows, truth[item], rng.integers(0, labels, item.size))
    return item, annotator, label, truth, annotators, labels


def time_algorithm(annotations: int) -> dict:
    item, annotator, label, truth, annotators, labels = simulated(annotations)
    started, cpu = time.perf_counter(), time.process_time()
    fit = fit_mace(
        item, annotator, label,
        num_items=len(truth), num_annotators=annotators, num_labels=labels,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    spam = np.arange(annotators) % 10 == 0
    return {
        "annotations": int(item.size),
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "restarts_x_iterations": "10 x 50",
        "mace_accuracy": round(float((fit.predicted == truth).mean()), 4),
        "majority_accuracy": round(
            float((majority_vote(item, label, len(truth), labels) == truth).mean()), 4
        ),
        "spammers_ranked_lowest": bool(fit.competence[spam].max() < fit.competence[~spam].min()),
    }


def time_project_run(annotations: int, out: Path) -> dict:
    from potato_like.config import load_config
    from potato_like.project import Project
    from potato_like.quality.mace_runs import run_all

    per_user, overlap = 1000, 5
    users = annotations // per_user
    n_items = annotations // overlap
    py = sys.executable
    subprocess.run([py, str(HERE / "make_project.py"), str(n_items), "--out", str(out)], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    config = out / "config.yaml"
    text = config.read_text() + "mace:\n  enabled: true\n  trigger_every_n: 0\n"
    config.write_text(text)
    subprocess.run(
        [py, str(HERE / "seed_annotations.py"), str(out), "--users", str(users),
         "--per-user", str(per_user), "--overlap", str(overlap)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    project = Project.open(load_config(config))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        results = run_all(project)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        project.close()
    return {
        "annotations": results[0]["num_annotations"] if results else 0,
        "items": results[0]["num_instances"] if results else 0,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report = {"algorithm": time_algorithm(args.annotations)}
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "mace-project"
        report["project_run"] = time_project_run(args.annotations, out)
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
