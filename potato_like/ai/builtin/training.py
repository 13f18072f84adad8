"""Training one scheme's builtin model from the project's answers: the cold start (labels
with too few answers are left out until they have enough), a held-out score, and the new
version stored (store/ai_models.py)."""

from __future__ import annotations

import json
import pickle
import random
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from .settings import BuiltinSettings

if TYPE_CHECKING:
    from ...project import Project

HELD_OUT_SHARE = 0.2
MIN_FOR_HELD_OUT = 20  # fewer training rows: no held-out score (None)


def learnable_schemes(config) -> list:
    return [s for s in config.schemes if getattr(s, "learned_as", None)]


def decode(scheme, raw: str) -> Any:
    """The answer the model learns from one stored value, or None when it has none."""
    try:
        label_map = json.loads(raw) or {}
        answer = scheme.answer(label_map)
    except (ValueError, TypeError, AttributeError):
        return None
    known = set(scheme.label_names)
    kind = scheme.learned_as
    if kind == "classes":
        return str(answer) if answer is not None and str(answer) in known else None
    if kind == "label_set":
        return [str(a) for a in answer or [] if str(a) in known]
    if kind == "spans":
        return [s for s in answer or [] if isinstance(s, dict) and s.get("label") in known]
    return None


def label_counts(scheme, answers: list[Any]) -> Counter:
    counts: Counter = Counter({label: 0 for label in scheme.label_names})
    for answer in answers:
        if scheme.learned_as == "classes":
            counts[answer] += 1
        elif scheme.learned_as == "label_set":
            counts.update(set(answer))
        else:
            counts.update(s["label"] for s in answer)
    return counts


def ready_labels(scheme, counts: Counter, n_answers: int, minimum: int) -> list[str]:
    """The labels with enough answers to be learnt (a label set also needs `minimum`
    answers without the label)."""
    ready = [label for label in scheme.label_names if counts[label] >= minimum]
    if scheme.learned_as == "label_set":
        ready = [label for label in ready if n_answers - counts[label] >= minimum]
    return ready


def _new_model(scheme, settings: BuiltinSettings):
    # Imported when training, not when the server starts (scikit-learn is slow to import).
    from .tagger import SpanModel
    from .text_model import ClassModel, LabelSetModel

    if scheme.learned_as == "classes":
        return ClassModel(settings.features)
    if scheme.learned_as == "label_set":
        return LabelSetModel(settings.features)
    return SpanModel()


def _fit(model, scheme, texts, answers, labels):
    if scheme.learned_as == "classes":
        return model.fit(texts, answers)
    return model.fit(texts, answers, labels)


def train_scheme(project: Project, scheme, settings: BuiltinSettings, done_counter: int = 0):
    """Train and store a new version of `scheme`'s model. Returns (model, stored version
    number, info), or (None, None, info) in a cold start (info says what is missing)."""
    started = time.monotonic()
    texts, answers = [], []
    for _seq, text, raw in project.store.ai_models.answers_with_text(scheme.name):
        answer = decode(scheme, raw)
        if answer is not None:
            texts.append(text)
            answers.append(answer)
    counts = label_counts(scheme, answers)
    labels = ready_labels(scheme, counts, len(answers), settings.min_answers_per_label)
    info: dict[str, Any] = {
        "kind": scheme.learned_as,
        "features": settings.features if scheme.learned_as != "spans" else "crf",
        "label_counts": dict(counts),
        "labels": labels,
        "min_answers_per_label": settings.min_answers_per_label,
        "done_counter": done_counter,
    }
    if scheme.learned_as == "classes":
        keep = [i for i, a in enumerate(answers) if a in labels]
        texts, answers = [texts[i] for i in keep], [answers[i] for i in keep]
        enough = len(labels) >= 2
    else:
        enough = len(labels) >= 1
    if not enough:
        info["cold_start"] = True
        return None, None, info
    score = None
    if len(texts) >= MIN_FOR_HELD_OUT:
        order = list(range(len(texts)))
        random.Random(len(texts)).shuffle(order)
        cut = int(len(order) * (1 - HELD_OUT_SHARE))
        train, test = order[:cut], order[cut:]
        trial = _new_model(scheme, settings)
        train_answers = [answers[i] for i in train]
        if scheme.learned_as != "classes" or len(set(train_answers)) >= 2:
            _fit(trial, scheme, [texts[i] for i in train], train_answers, labels)
            score = round(trial.score([texts[i] for i in test], [answers[i] for i in test]), 4)
            info["held_out"] = len(test)
    model = _fit(_new_model(scheme, settings), scheme, texts, answers, labels)
    info["seconds"] = round(time.monotonic() - started, 3)
    version = project.store.ai_models.save(
        scheme.name,
        pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
        len(texts),
        score,
        info,
        keep=settings.keep_versions,
    )
    return model, version, info
