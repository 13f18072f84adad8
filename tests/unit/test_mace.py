"""MACE (quality/mace.py): a simulated crowd with known spammers, small cases checkable by
hand, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from potato_like.quality.mace import _Shape, fit_mace, label_entropy, majority_vote


def simulated_crowd(items=600, good=5, spammers=3, labels=3, per_item=5, seed=7):
    """Good annotators know the truth 70% of the time and guess uniformly otherwise;
    spammers always answer label 0 (a lazy, biased spammer) or at random."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, labels, items)
    annotators = good + spammers
    rows = []
    for i in range(items):
        for j in rng.choice(annotators, per_item, replace=False):
            if j < good:
                a = truth[i] if rng.random() < 0.7 else rng.integers(0, labels)
            elif j % 2:
                a = 0
            else:
                a = rng.integers(0, labels)
            rows.append((i, j, a))
    item, annotator, label = (np.asarray(c) for c in zip(*rows, strict=True))
    return item, annotator, label, truth, annotators, labels


def test_spammers_rank_lowest_and_mace_beats_majority_vote():
    item, annotator, label, truth, annotators, labels = simulated_crowd()
    fit = fit_mace(
        item, annotator, label,
        num_items=len(truth), num_annotators=annotators, num_labels=labels,
    )  # fmt: skip
    good, spam = fit.competence[:5], fit.competence[5:]
    assert good.min() > spam.max()
    assert spam.max() < 0.2 and good.min() > 0.5
    mace_acc = (fit.predicted == truth).mean()
    vote_acc = (majority_vote(item, label, len(truth), labels) == truth).mean()
    assert mace_acc > vote_acc + 0.05, (mace_acc, vote_acc)
    assert mace_acc > 0.9


def test_unanimous_items_get_their_label_with_low_entropy():
    # Three annotators agree on every item: the prediction is that label.
    item = np.repeat(np.arange(4), 3)
    annotator = np.tile(np.arange(3), 4)
    label = np.repeat([0, 1, 1, 0], 3)
    fit = fit_mace(item, annotator, label, num_items=4, num_annotators=3, num_labels=2)
    assert fit.predicted.tolist() == [0, 1, 1, 0]
    assert (fit.entropy < 0.05).all()


def test_posterior_by_hand():
    # One item; annotator 0 (knows 90%, guesses 10%) says 0, annotator 1 (knows 60%,
    # guesses 40%) says 1; both guess uniformly. P(T=0) ~ (0.9 + 0.1/2)(0.4/2) = 0.19 and
    # P(T=1) ~ (0.1/2)(0.6 + 0.4/2) = 0.04, so P(T=0) = 0.19 / 0.23.
    shape = _Shape(np.array([0, 0]), np.array([0, 1]), np.array([0, 1]), 1, 2, 2)
    xi = np.full((2, 2), 0.5)
    posterior, log_likelihood, _ = shape.posterior(np.array([0.9, 0.6]), np.array([0.1, 0.4]), xi)
    assert posterior[0] == pytest.approx([0.19 / 0.23, 0.04 / 0.23])
    assert log_likelihood == pytest.approx(math.log(0.23 / 2))  # uniform prior on T


def test_a_reliable_annotator_outvotes_two_who_are_often_wrong():
    # Annotator 0 agrees with the majority everywhere else; annotators 1 and 2 each go
    # against everyone on their own items. On the last item 0 says 1, both others say 0:
    # majority vote says 0, MACE trusts 0.
    rows = []
    for i in range(20):
        rows += [(i, 0, i % 2), (i, 3, i % 2), (i, 4, i % 2)]
        rows += [(i, 1, 1 - i % 2 if i % 3 else i % 2), (i, 2, 1 - i % 2 if i % 4 else i % 2)]
    rows += [(20, 0, 1), (20, 1, 0), (20, 2, 0)]
    item, annotator, label = (np.asarray(c) for c in zip(*rows, strict=True))
    fit = fit_mace(item, annotator, label, num_items=21, num_annotators=5, num_labels=2)
    assert majority_vote(item, label, 21, 2)[20] == 0
    assert fit.predicted[20] == 1
    assert fit.competence[0] > fit.competence[1] and fit.competence[0] > fit.competence[2]


def test_label_entropy_by_hand():
    posterior = np.array([[1.0, 0.0], [0.5, 0.5], [0.25, 0.75]])
    expected = [0.0, math.log(2), -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))]
    assert label_entropy(posterior) == pytest.approx(expected)


def test_results_are_reproducible_for_a_seed():
    item, annotator, label, truth, annotators, labels = simulated_crowd(items=100)
    sizes = dict(num_items=len(truth), num_annotators=annotators, num_labels=labels)
    a = fit_mace(item, annotator, label, **sizes, seed=3)
    b = fit_mace(item, annotator, label, **sizes, seed=3)
    assert a.log_likelihood == b.log_likelihood
    assert (a.competence == b.competence).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(label=[0, 2]), "out of range"),
        (dict(label=[0, -1]), "negative"),
        (dict(label=[0]), "one length"),
        (dict(num_labels=1), "two or more labels"),
        (dict(alpha=0), "positive"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    args = dict(
        item=[0, 1], annotator=[0, 0], label=[0, 1],
        num_items=2, num_annotators=1, num_labels=2,
    )  # fmt: skip
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        fit_mace(**args)


def test_matches_the_reference_implementation():
    # The reference MACE (Hovy et al.; both its Java and Python versions give these numbers)
    # on a small crowd: same predictions, competences and entropies up to its random starts.
    data = Path(__file__).parent / "data"
    reference = json.loads((data / "mace_small_reference.json").read_text())
    rows = [line.rstrip("\n").split(",") for line in (data / "mace_small.csv").open()]
    triples = [(i, j, int(v)) for i, row in enumerate(rows) for j, v in enumerate(row) if v]
    item, annotator, label = (np.asarray(c) for c in zip(*triples, strict=True))
    fit = fit_mace(item, annotator, label, num_items=len(rows), num_annotators=6, num_labels=3)
    assert fit.predicted.tolist() == reference["prediction"]
    assert fit.competence == pytest.approx(reference["competence"], abs=1e-4)
    assert fit.entropy == pytest.approx(reference["entropy"], abs=1e-3)
