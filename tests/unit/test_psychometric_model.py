"""The psychometric strategy's model: accuracies by EM, item posteriors, information gain."""

from __future__ import annotations

import random

from potato_like.assign.psychometric import RESOLVED_KEY, Settings, entropy, fit, queue_key


def simulate(items=60, accuracies=(0.95, 0.9, 0.9, 0.55), seed=3):
    rng = random.Random(seed)
    truth = {i: rng.choice("ab") for i in range(items)}
    obs = []
    for i, label in truth.items():
        for a, s in enumerate(accuracies):
            said = label if rng.random() < s else ("b" if label == "a" else "a")
            obs.append((i, f"ann{a}", said))
    return truth, obs


def test_em_finds_the_careless_annotator_and_the_truth():
    truth, obs = simulate()
    model = fit(obs)
    assert model.fitted and model.classes == ["a", "b"] and model.observations == len(obs)
    assert model.accuracy["ann3"] < 0.75 < min(model.accuracy[f"ann{i}"] for i in range(3))
    by_item = {}
    for i, a, label in obs:
        by_item.setdefault(i, {})[a] = label
    right = sum(
        model.classes[max(range(2), key=model.posterior(labels).__getitem__)] == truth[i]
        for i, labels in by_item.items()
    )
    assert right >= 57  # of 60


def test_one_label_or_one_class_is_no_model():
    assert not fit([]).fitted
    assert not fit([(1, "a", "x"), (2, "b", "x")]).fitted


def test_gain_is_largest_for_an_undecided_item_and_zero_when_certain():
    model = fit([(1, "a", "x"), (1, "b", "x"), (2, "a", "y"), (2, "b", "x"), (3, "a", "y")])
    assert model.gain([0.5, 0.5]) > model.gain([0.9, 0.1]) > model.gain([0.999, 0.001]) >= 0
    assert model.gain([1.0, 0.0]) == 0
    assert entropy([0.5, 0.5]) == 1


def test_queue_keys_order_undecided_first_and_resolved_last():
    model = fit([(i, a, "x") for i in range(5) for a in "abc"] + [(9, "a", "y"), (9, "b", "x")])
    settings = Settings(schema="s", min_annotators_per_item=2, confidence_threshold=0.95)
    undecided = queue_key(model, {"a": "x", "b": "y"}, settings)
    unseen = queue_key(model, {}, settings)
    resolved = queue_key(model, {"a": "x", "b": "x", "c": "x"}, settings)
    assert resolved == RESOLVED_KEY
    assert undecided < 0 and unseen < 0 and resolved > undecided
    # one confident label is not enough when two annotators are required
    assert queue_key(model, {"a": "x"}, settings) != RESOLVED_KEY
