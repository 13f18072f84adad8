"""The builtin model's parts on text made here: a calibrated linear classifier that picks
the right label with evidence words, one-vs-rest label sets, a CRF tagger for spans, and
the cold-start rule (labels with too few answers are not learnt)."""

from __future__ import annotations

import pickle
import random
from collections import Counter

import numpy as np
import pytest

from potato_like.ai.builtin.settings import BuiltinSettings
from potato_like.ai.builtin.tagger import SpanModel, tokens
from potato_like.ai.builtin.text_model import ClassModel, LabelSetModel
from potato_like.ai.builtin.training import ready_labels
from tests.ai_texts import CUES, review


def reviews(n, labels=("positive", "negative", "neutral"), seed=1):
    rng = random.Random(seed)
    chosen = [labels[i % len(labels)] for i in range(n)]
    return [review(rng, label) for label in chosen], chosen


@pytest.mark.parametrize("features", ["tfidf", "hashing"])
def test_classes_are_learnt_from_text_with_calibrated_confidence_and_evidence(features):
    texts, labels = reviews(90)
    model = ClassModel(features).fit(texts, labels)
    test_texts, test_labels = reviews(60, seed=7)
    assert model.score(test_texts, test_labels) >= 0.9
    label, confidence, scores, evidence = model.predict("the staff was superb and wonderful")
    assert label == "positive"
    assert 0.5 < confidence <= 1.0
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)
    assert set(evidence[:2]) <= {"superb", "wonderful", "superb and", "and wonderful"}
    assert any(word in CUES["positive"] for word in evidence)
    assert not any(word in CUES["negative"] for word in evidence)
    # A text without cue words is less certain than one with them.
    unsure = model.confidences(["the movie plot and the food"])[0]
    assert unsure < confidence


def test_a_model_survives_pickling_with_the_same_predictions():
    texts, labels = reviews(60)
    model = ClassModel("tfidf").fit(texts, labels)
    again = pickle.loads(pickle.dumps(model))  # noqa: S301
    text = "awful broken room"
    assert again.predict(text) == model.predict(text)


def test_label_sets_decide_each_label_yes_or_no():
    rng = random.Random(3)
    texts, targets = [], []
    for i in range(120):
        chosen = [lab for lab, on in (("positive", i % 2), ("neutral", i % 3 == 0)) if on]
        words = rng.sample(CUES["positive"], 2) if "positive" in chosen else []
        words += rng.sample(CUES["neutral"], 2) if "neutral" in chosen else []
        words += [*rng.sample(CUES["negative"], 1), "the", "movie", "was"]
        rng.shuffle(words)
        texts.append(" ".join(words))
        targets.append(chosen)
    model = LabelSetModel("tfidf").fit(texts, targets, ["positive", "neutral"])
    chosen, _confidence, scores, evidence = model.predict("superb wonderful and plain typical")
    assert sorted(chosen) == ["neutral", "positive"]
    assert scores["positive"] > 0.5 and scores["neutral"] > 0.5
    assert set(evidence) & set(CUES["positive"]) and set(evidence) & set(CUES["neutral"])
    chosen, _, scores, _ = model.predict("terrible movie")
    assert chosen == [] and scores["positive"] < 0.5
    assert model.score(texts, targets) > 0.9


def spans_of(text, words, label):
    out = []
    for start, end, token in tokens(text):
        if token in words:
            out.append({"start": start, "end": end, "label": label, "text": token})
    return out


def test_spans_are_tagged_by_a_crf_with_offsets_into_the_text():
    rng = random.Random(5)
    cities = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Oslo"]
    people = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank"]
    texts, answers = [], []
    for _ in range(60):
        text = f"{rng.choice(people)} flew to {rng.choice(cities)} on {rng.choice(['Monday', 'Friday'])}"
        texts.append(text)
        answers.append(spans_of(text, people, "PER") + spans_of(text, cities, "LOC"))
    model = SpanModel().fit(texts, answers, ["PER", "LOC"])
    text = "Carol flew to Oslo on Friday"
    spans, confidence, _scores, evidence = model.predict(text)
    found = {(s["label"], s["text"]) for s in spans}
    assert found == {("PER", "Carol"), ("LOC", "Oslo")}
    for s in spans:
        assert text[s["start"] : s["end"]] == s["text"]
    assert 0.5 < confidence <= 1.0
    assert set(evidence) == {"Carol", "Oslo"}
    assert model.score(texts[:10], answers[:10]) > 0.9
    assert pickle.loads(pickle.dumps(model)).predict(text)[0] == spans  # noqa: S301


class _Scheme:
    def __init__(self, kind, labels):
        self.learned_as = kind
        self.label_names = labels


def test_cold_start_needs_enough_answers_per_label():
    scheme = _Scheme("classes", ["a", "b", "c"])
    counts = Counter({"a": 5, "b": 4, "c": 9})
    assert ready_labels(scheme, counts, 18, 5) == ["a", "c"]
    assert ready_labels(scheme, counts, 18, 10) == []
    label_set = _Scheme("label_set", ["a", "b"])
    # A label on every answer has no "no" examples: not learnable yet.
    assert ready_labels(label_set, Counter({"a": 10, "b": 6}), 10, 3) == ["b"]


def test_settings_are_checked():
    settings, problems = BuiltinSettings.read(
        {"min_answers_per_label": 0, "retrain_every": "x", "features": "bert"}, "ai_support"
    )
    assert settings == BuiltinSettings()
    assert len(problems) == 3
    assert "ai_support.min_answers_per_label" in problems[0]
    assert "tfidf, hashing" in problems[2]
    good, problems = BuiltinSettings.read({"features": "hashing", "retrain_every": 3}, "x")
    assert problems == [] and good.features == "hashing" and good.retrain_every == 3


@pytest.mark.parametrize("labels", [("positive", "negative"), ("positive", "negative", "neutral")])
def test_the_compiled_probabilities_equal_scikit_learns(labels):
    texts, targets = reviews(60, labels=labels)
    model = ClassModel("tfidf").fit(texts, targets)
    assert model.fast is not None
    X = model.vectorizer.transform(reviews(20, labels=labels, seed=9)[0] + ["", "unknown words"])
    np.testing.assert_allclose(model.fast(X), model.model.predict_proba(X), atol=1e-12)
