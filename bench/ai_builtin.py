"""The builtin AI model: suggestion latency at 100,000 items, background training on 10,000
answers, the active-learning re-ranking, and the active-learning learning curve.

    python bench/ai_builtin.py [--items 100000] [--answers 10000] [--curve-only | --no-curve]
                               [--out DIR]

Timing part: a project made by bench/make_project.py (pseudo-random word texts) seeded with
bench/seed_annotations.py (1,000 answers per annotator, labels by item number: the texts do
not predict them, so this part measures time, not accuracy). One training run of the
`sentiment` scheme (TF-IDF and hashing features), then `--suggestions` suggestions for
random items: the item read from the store by id plus the model's prediction with evidence,
as a suggestion endpoint does (p50/p99 in ms), then one active-learning re-ranking.

Learning curve: two synthetic labelled text sets, "hard" and "easier" (no data set can be
downloaded here and no installed package ships a labelled text corpus; see docs/ai.md): 3
classes, each with its own cue words, items with a few cues among shared filler words, some
with a cue of another class, 10% label noise (`SETS` below). From the same
first 20 random labels, "active" adds the items the model is least sure about (the server's
ranking: assign/active_learning.py `rank`, diversity 0.3) and "random" adds random items,
40 at a time, retraining the builtin ClassModel each step; accuracy on 1,000 held-out items,
mean of 3 seeds. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

from potato_like.ai.builtin.text_model import ClassModel  # noqa: E402
from potato_like.assign.active_learning import rank  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    return round(float(np.percentile(values, q)), 2)


def timing(items: int, answers: int, suggestions: int, out: Path) -> dict:
    from potato_like.ai.builtin.runner import Trainer, models
    from potato_like.ai.builtin.settings import BuiltinSettings
    from potato_like.ai.builtin.training import train_scheme
    from potato_like.ai.providers.builtin import Builtin
    from potato_like.ai.suggestion import SuggestionRequest
    from potato_like.assign.active_learning import ActiveLearningConfig, rerank
    from potato_like.config import load_config
    from potato_like.project import Project

    py = sys.executable
    if not (out / "config.yaml").exists():
        subprocess.run([py, str(HERE / "make_project.py"), str(items), "--out", str(out)],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([py, str(HERE / "seed_annotations.py"), str(out), "--users",
                        str(answers // 1000), "--per-user", "1000"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    project = Project.open(load_config(out / "config.yaml"))
    report: dict = {"items": items}
    try:
        scheme = project.config.scheme("sentiment")
        for features in ("hashing", "tfidf"):  # tfidf last: its model serves the suggestions
            settings = BuiltinSettings(features=features)
            started, cpu = time.perf_counter(), time.process_time()
            _model, _version, info = train_scheme(project, scheme, settings)
            report[f"training_{features}"] = {
                "answers": int(sum(info["label_counts"].values())),
                "seconds": round(time.perf_counter() - started, 3),
                "cpu_seconds": round(time.process_time() - cpu, 3),
                "held_out_score": project.store.ai_models.latest("sentiment").score,
            }
        started = time.perf_counter()
        models(project).get("sentiment")  # the first suggestion of a process loads the model
        report["model_load_seconds"] = round(time.perf_counter() - started, 3)
        provider = Builtin(project, {})
        rng = random.Random(3)
        ids = [f"item_{rng.randint(1, items):07d}" for _ in range(suggestions)]
        latencies = []
        for item_id in ids:
            started = time.perf_counter()
            item = project.store.items.by_id(item_id)
            request = SuggestionRequest(
                item_id=item_id, text=item.text, schema="sentiment", annotation_type="radio"
            )
            s = provider.suggest(request)
            latencies.append((time.perf_counter() - started) * 1000)
            assert s.label in scheme.label_names
        report["suggestion_ms"] = {
            "n": len(latencies),
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "max": round(max(latencies), 2),
        }
        al = ActiveLearningConfig(schema_names=("sentiment",), pool_size=5000)
        project.config = dataclasses.replace(
            project.config, active_learning=al, assignment_strategy="active_learning"
        )
        started, cpu = time.perf_counter(), time.process_time()
        changed = rerank(project)
        report["rerank_pool_5000"] = {
            "seconds": round(time.perf_counter() - started, 3),
            "cpu_seconds": round(time.process_time() - cpu, 3),
            "keys_changed": changed,
        }
        trainer = Trainer(project)
        started = time.perf_counter()
        trainer.run_once()
        report["background_run_with_rerank_seconds"] = round(time.perf_counter() - started, 3)
    finally:
        project.close()
    return report


# -- the learning curve ------------------------------------------------------------------
FILLER = [f"w{i}" for i in range(300)]
CUES = {c: [f"{c}{i}" for i in range(30)] for c in ("alpha", "beta", "gamma")}
LABELS = list(CUES)


# name -> (filler words per item, choices of the number of cue words, share of ambiguous items)
SETS = {"hard": (10, (0, 1, 1, 2), 0.3), "easier": (5, (1, 1, 2), 0.2)}


def synthetic(n: int, seed: int, kind: str = "hard") -> tuple[list[str], list[str]]:
    fillers, cues, ambiguous = SETS[kind]
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.choice(LABELS)
        words = rng.sample(FILLER, fillers) + rng.sample(CUES[label], rng.choice(cues))
        if rng.random() < ambiguous:  # a cue of another class: an ambiguous item
            words.append(rng.choice(CUES[rng.choice(LABELS)]))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(rng.choice(LABELS) if rng.random() < 0.1 else label)
    return texts, labels


def curve(kind: str, seeds: int = 3, pool: int = 3000, step: int = 40, budget: int = 420) -> dict:
    points = list(range(20 + step, budget + 1, step))
    results = {"active": np.zeros(len(points)), "random": np.zeros(len(points))}
    for seed in range(seeds):
        texts, labels = synthetic(pool + 1000, seed, kind)
        test_t, test_l = texts[pool:], labels[pool:]
        texts, labels = texts[:pool], labels[:pool]
        rng = random.Random(seed)
        start = rng.sample(range(pool), 20)
        for how in ("active", "random"):
            chosen = list(start)
            model = ClassModel("tfidf").fit([texts[i] for i in chosen],
                                            [labels[i] for i in chosen])  # fmt: skip
            for k, size in enumerate(points):
                taken = set(chosen)
                rest = [i for i in range(pool) if i not in taken]
                if how == "random":
                    add = random.Random(seed * 1000 + k).sample(rest, size - len(chosen))
                else:
                    rest_texts = [texts[i] for i in rest]
                    unsure = 1 - model.confidences(rest_texts)
                    vectors = model.vectorizer.transform(rest_texts)
                    order = rank(unsure, vectors, size - len(chosen), 0.3, 0.0, random.Random(k))
                    add = [rest[i] for i in order]
                chosen += add
                model = ClassModel("tfidf").fit([texts[i] for i in chosen],
                                                [labels[i] for i in chosen])  # fmt: skip
                results[how][k] += model.score(test_t, test_l) / seeds
    fillers, cues, ambiguous = SETS[kind]
    return {
        "data": f"synthetic ({kind}): 3 classes, 30 cue words each, {fillers} of 300 shared "
        f"filler words per item, {min(cues)}-{max(cues)} cues per item, {ambiguous:.0%} with "
        "a cue of a random class, 10% label noise",
        "pool": pool,
        "seeds": seeds,
        "labels": points,
        "active_accuracy": [round(float(x), 3) for x in results["active"]],
        "random_accuracy": [round(float(x), 3) for x in results["random"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--suggestions", type=int, default=1000)
    parser.add_argument("--curve-only", action="store_true")
    parser.add_argument("--no-curve", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    report: dict = {}
    if not args.curve_only:
        with tempfile.TemporaryDirectory() as tmp:
            out = args.out or Path(tmp) / "ai-project"
            report["timing"] = timing(args.items, args.answers, args.suggestions, out)
    if not args.no_curve:
        report["learning_curve"] = {kind: curve(kind) for kind in SETS}
    report["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
