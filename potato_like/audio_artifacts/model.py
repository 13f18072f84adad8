"""The artifact detector: a random forest over frame features (features.py); frames
predicted as an artifact with enough probability are merged into segments.

Training holds out some of the labelled recordings (a quarter, at least one, when there are
two or more; else the last quarter of the frames) to report a score, then fits on
everything. The score: frame-level macro F1 over the artifact labels, and event recall (the
share of held-out labelled segments a detection overlaps)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .features import HOP, SAMPLE_RATE, frame_features, frame_labels, frame_times, load

NONE = "none"
DEFAULT_THRESHOLD = 0.5


@dataclass
class Recording:
    path: Path
    segments: list[tuple[float, float, str]] = field(default_factory=list)


@dataclass
class Detector:
    classifier: object
    labels: list[str]
    threshold: float = DEFAULT_THRESHOLD

    def detect(self, y: np.ndarray) -> list[dict]:
        features = frame_features(y)
        proba = self.classifier.predict_proba(features)
        classes = list(self.classifier.classes_)
        return merge_frames(proba, classes, self.threshold)


def merge_frames(proba: np.ndarray, classes: list[str], threshold: float) -> list[dict]:
    """Runs of frames whose best class is an artifact (probability >= threshold), one frame
    of gap allowed, as segments with the run's highest probability as confidence."""
    best = proba.argmax(axis=1)
    best_p = proba[np.arange(len(best)), best]
    times = frame_times(len(best))
    half_hop = HOP / SAMPLE_RATE / 2
    segments: list[dict] = []
    current: dict | None = None
    last_index = -10
    for i, (k, p) in enumerate(zip(best, best_p, strict=True)):
        label = classes[k]
        if label == NONE or p < threshold:
            continue
        if current is not None and current["label"] == label and i - last_index <= 2:
            current["end"] = i
            current["confidence"] = max(current["confidence"], float(p))
        else:
            current = {"label": label, "start": i, "end": i, "confidence": float(p)}
            segments.append(current)
        last_index = i
    return [
        {
            "start_seconds": round(max(0.0, float(times[s["start"]] - half_hop)), 3),
            "end_seconds": round(float(times[s["end"]] + half_hop), 3),
            "label": s["label"],
            "confidence": round(s["confidence"], 3),
        }
        for s in segments
    ]


def _dataset(recordings: list[Recording]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    xs, ys = [], []
    for rec in recordings:
        features = frame_features(load(rec.path))
        xs.append(features)
        ys.append(frame_labels(len(features), rec.segments, NONE))
    return xs, ys


def _classifier(n_estimators: int):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(
        n_estimators=n_estimators,
        class_weight="balanced_subsample",
        min_samples_leaf=1,
        random_state=0,
        n_jobs=1,
    )


def _event_recall(detections: list[dict], segments: list[tuple[float, float, str]]) -> list[bool]:
    return [
        any(
            d["label"] == label
            and d["start_seconds"] < end + 0.05
            and d["end_seconds"] > start - 0.05
            for d in detections
        )
        for start, end, label in segments
    ]


def train(
    recordings: list[Recording],
    *,
    n_estimators: int = 100,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[float], None] = lambda _f: None,
) -> tuple[Detector, dict]:
    """A detector trained on all recordings, and its held-out score."""
    from sklearn.metrics import f1_score

    xs, ys = _dataset(recordings)
    progress(0.5)
    labels = sorted({str(v) for y in ys for v in y} - {NONE})
    if not labels:
        raise ValueError("the annotation set has no annotations inside its audio files")
    if len(recordings) >= 2:
        held = max(1, len(recordings) // 4)
        train_idx, test_idx = (
            range(len(recordings) - held),
            range(len(recordings) - held, len(recordings)),
        )
        x_train = np.vstack([xs[i] for i in train_idx])
        y_train = np.concatenate([ys[i] for i in train_idx])
        tests = [(xs[i], ys[i], recordings[i].segments) for i in test_idx]
        split = "recordings"
    else:
        cut = int(len(ys[0]) * 0.75)
        x_train, y_train = xs[0][:cut], ys[0][:cut]
        cut_time = cut * HOP / SAMPLE_RATE
        tail = [
            (s - cut_time, e - cut_time, lab)
            for s, e, lab in recordings[0].segments
            if s >= cut_time
        ]
        tests = [(xs[0][cut:], ys[0][cut:], tail)]
        split = "time"
    metrics: dict = {"split": split, "labels": labels, "train_frames": len(y_train)}
    if len(set(y_train)) >= 2:
        probe = _classifier(n_estimators).fit(x_train, y_train)
        truth, predicted, found = [], [], []
        for x, y, segments in tests:
            proba = probe.predict_proba(x)
            classes = list(probe.classes_)
            frame_best = [
                classes[k] if p >= threshold else NONE
                for k, p in zip(proba.argmax(1), proba.max(1), strict=True)
            ]
            truth.extend(y)
            predicted.extend(frame_best)
            found.extend(_event_recall(merge_frames(proba, classes, threshold), segments))
        metrics["heldout_frame_f1"] = round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4
        )
        metrics["heldout_events"] = len(found)
        metrics["heldout_event_recall"] = round(sum(found) / len(found), 4) if found else None
    else:
        metrics["heldout_frame_f1"] = None
        metrics["heldout_event_recall"] = None
    progress(0.8)
    x_all, y_all = np.vstack(xs), np.concatenate(ys)
    if len(set(y_all)) < 2:
        raise ValueError("training needs frames with and without artifacts")
    final = _classifier(n_estimators).fit(x_all, y_all)
    return Detector(final, labels, threshold), metrics


def save(detector: Detector, path: Path) -> None:
    import joblib

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    joblib.dump(detector, tmp)
    tmp.replace(path)


def load_detector(path: Path) -> Detector:
    import joblib

    return joblib.load(path)
