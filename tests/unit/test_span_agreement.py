"""Span agreement: character-level alpha checked against the krippendorff library on the
expanded character units (an independent computation), and exact-match pairwise F1."""

from __future__ import annotations

import pytest

from potato_like.quality.agreement import krippendorff_alpha
from potato_like.quality.span_agreement import SpanSource, pair_f1


def spans(*triples):
    return {"spans": [{"start": s, "end": e, "label": lab} for s, e, lab in triples]}


def char_units(length, answers):
    """Every character as a unit, valued by the innermost covering span's label."""
    units = {}
    for pos in range(length):
        values = []
        for triples in answers:
            covering = [(e - s, lab) for s, e, lab in triples if s <= pos < e]
            values.append(min(covering)[1] if covering else "O")
        units[pos] = values
    return units


def agreement(rows, lengths):
    source = SpanSource(rows=lambda: iter(rows), text_length=lambda item, _field: lengths[item])
    entry, _alpha, notes = source.agreement(None, "unitizing", 2, 50)
    return entry, notes


def test_hand_checked_boundary_disagreement():
    # Text of 10 characters: A marks [0,4) PER, B marks [0,2) PER. Coincidences: PER-PER 4,
    # PER-O 2+2, O-O 12; n_PER=6, n_O=14, n=20. D_o = 4/20, D_e = 2*6*14/(20*19).
    rows = [
        (1, "a", spans((0, 4, "PER"))),
        (1, "b", spans((0, 2, "PER"))),
        (2, "a", spans((3, 6, "LOC"))),
        (2, "b", spans((3, 6, "LOC"))),
    ]
    entry, notes = agreement(rows, {1: 10, 2: 8})
    units = {**char_units(10, [[(0, 4, "PER")], [(0, 2, "PER")]])}
    units.update({("2", k): v for k, v in char_units(8, [[(3, 6, "LOC")]] * 2).items()})
    expected = krippendorff_alpha(units, "nominal")
    assert entry["krippendorff_alpha"] == pytest.approx(expected, abs=1e-4)
    assert entry["metric_type"] == "unitizing" and entry["items_evaluated"] == 2
    assert entry["pairwise_f1"] == 0.5  # item 1: 0 matches; item 2: 1 of 1
    assert notes == []


def test_first_item_alone_matches_the_formula():
    rows = [(1, "a", spans((0, 4, "PER"))), (1, "b", spans((0, 2, "PER")))]
    entry, _ = agreement([*rows, (2, "a", spans()), (2, "b", spans())], {1: 10, 2: 5})
    # Item 2 adds 10 O-O coincidences: n_PER=6, n_O=24, n=30.
    d_o = 4 / 30
    d_e = 2 * 6 * 24 / (30 * 29)
    assert entry["krippendorff_alpha"] == pytest.approx(1 - d_o / d_e, abs=1e-4)


def test_nested_and_overlapping_spans_use_the_innermost_label():
    answers = [[(0, 10, "ORG"), (2, 4, "PER")], [(0, 10, "ORG"), (2, 4, "PER")]]
    rows = [(1, "a", spans(*answers[0])), (1, "b", spans(*answers[1]))]
    rows += [(2, "a", spans((0, 3, "PER"))), (2, "b", spans((0, 3, "LOC")))]
    entry, _ = agreement(rows, {1: 12, 2: 3})
    units = char_units(12, answers)
    units.update(
        {("2", k): v for k, v in char_units(3, [[(0, 3, "PER")], [(0, 3, "LOC")]]).items()}
    )
    assert entry["krippendorff_alpha"] == pytest.approx(krippendorff_alpha(units, "nominal"), 1e-4)


def test_three_annotators_and_too_little_overlap():
    rows = [(1, u, spans((0, 2, "X"))) for u in "abc"]
    entry, notes = agreement(rows, {1: 4})
    assert entry["items_evaluated"] == 1 and entry["krippendorff_alpha"] is None
    assert "too few overlapping items" in notes[0]
    assert entry["pairwise_f1"] == 1.0 and entry["annotator_pairs"] == 3


def test_pair_f1():
    assert pair_f1([], []) is None
    assert pair_f1([(0, 1, "A")], []) == 0.0
    assert pair_f1([(0, 1, "A"), (2, 3, "B")], [(0, 1, "A")]) == pytest.approx(2 / 3)


def test_multi_span_fields_are_separate_texts():
    """Potato's multi-span mode: spans on another field (`target_field`) are compared on
    that field's text only; the same offsets on two fields are two different spans."""

    def on(field, s, e, lab):
        return {"start": s, "end": e, "label": lab, "target_field": field}

    a = {"spans": [{"start": 0, "end": 3, "label": "M"}, on("hyp", 1, 4, "M")]}
    b = {"spans": [on("hyp", 0, 3, "M"), on("hyp", 1, 4, "M")]}
    lengths = {(1, None): 6, (1, "hyp"): 5, (2, None): 4}
    rows = [(1, "a", a), (1, "b", b), (2, "a", {}), (2, "b", {})]
    source = SpanSource(rows=lambda: iter(rows), text_length=lambda i, f: lengths[(i, f)])
    entry, _alpha, _notes = source.agreement(None, "unitizing", 2, 50)
    units = {("main", k): v for k, v in char_units(6, [[(0, 3, "M")], []]).items()}
    hyp = char_units(5, [[(1, 4, "M")], [(0, 3, "M"), (1, 4, "M")]])
    units.update({("hyp", k): v for k, v in hyp.items()})
    units.update({("2", k): v for k, v in char_units(4, [[], []]).items()})
    assert entry["krippendorff_alpha"] == pytest.approx(
        krippendorff_alpha(units, "nominal"), abs=1e-4
    )
    # exact matches: only hyp [1, 4) is shared; a has 2 spans, b has 2 -> F1 = 2*1/4
    assert entry["pairwise_f1"] == 0.5
