"""Agreement statistics checked against published worked examples and hand arithmetic,
never against our own earlier output."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from potato_like.quality.agreement import (
    cohen_kappa,
    fleiss_kappa,
    interpret_alpha,
    interpret_kappa,
    krippendorff_alpha,
    masi_distance,
    project_agreement,
)

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the reliability data
# with 4 observers (A-D), 12 units, values 1-5 and missing data (None). Published results:
# nominal .743, ordinal .815, interval .849 (ratio .797).
A = [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None]
B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3]
C = [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None]
D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]
KRIPPENDORFF_UNITS = {u + 1: [A[u], B[u], C[u], D[u]] for u in range(12)}

# Hand check of the nominal value. Unit 12 has one value and is not pairable; the other 11
# units hold n = 40 pairable values: n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3, and the
# coincidence matrix's diagonal sums to 32. Nominal alpha =
#   1 - (n - 1)(n - sum o_cc) / (n^2 - sum n_c^2)
#   = 1 - 39 * 8 / (1600 - (81 + 169 + 100 + 25 + 9)) = 1 - 312 / 1216 = 113/152 = 0.7434


@pytest.mark.parametrize(
    ("metric", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
@pytest.mark.parametrize("library_cells", [10**9, 0], ids=["library", "matrix"])
def test_krippendorff_published_example(metric, published, library_cells):
    alpha = krippendorff_alpha(KRIPPENDORFF_UNITS, metric, library_cells=library_cells)
    assert round(alpha, 3) == published


def test_nominal_hand_arithmetic():
    assert krippendorff_alpha(KRIPPENDORFF_UNITS, "nominal") == pytest.approx(113 / 152)


def test_ordinal_uses_the_given_scale_order():
    # The same data as labels: the scale order, not alphabetical order, decides distances.
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    units = {u: [names.get(v) for v in values] for u, values in KRIPPENDORFF_UNITS.items()}
    scale = ["very low", "low", "mid", "high", "very high"]
    assert round(krippendorff_alpha(units, "ordinal", scale), 3) == 0.815
    assert round(krippendorff_alpha(units, "nominal"), 3) == 0.743
    with pytest.raises(ValueError, match="not on the ordinal scale"):
        krippendorff_alpha(units, "ordinal", ["low", "mid"])


def test_both_paths_agree_on_random_data():
    rng = random.Random(7)
    units = {
        i: [rng.choice([None, 1, 2, 3, 4, 5, 6]) for _ in range(rng.randint(1, 5))]
        for i in range(300)
    }
    for metric in ("nominal", "ordinal", "interval", "ratio"):
        by_library = krippendorff_alpha(units, metric, library_cells=10**9)
        by_matrix = krippendorff_alpha(units, metric, library_cells=0)
        assert by_matrix == pytest.approx(by_library, abs=1e-9), metric


def test_perfect_agreement_and_undefined_alpha():
    units = {1: ["a", "a"], 2: ["b", "b", "b"], 3: ["a", None]}
    assert krippendorff_alpha(units, "nominal") == pytest.approx(1.0)
    # Every value the same: no variation, alpha is 0/0 -> None rather than NaN or a crash.
    assert krippendorff_alpha({1: ["a", "a"], 2: ["a", "a"]}, "nominal") is None
    assert krippendorff_alpha({1: [3, 3], 2: [3, float("nan")]}, "interval") is None
    # No unit with two values.
    assert krippendorff_alpha({1: ["a"], 2: ["b", None]}, "nominal") is None
    assert krippendorff_alpha({}, "masi") is None
    with pytest.raises(ValueError, match="unknown metric"):
        krippendorff_alpha(units, "cosine")


def test_masi_distance():
    assert masi_distance({"a"}, {"a"}) == 0
    assert masi_distance({"a", "b"}, {"a"}) == pytest.approx(1 - 1 / 2 * 2 / 3)  # subset
    assert masi_distance({"a", "b"}, {"a", "c"}) == pytest.approx(1 - 1 / 3 * 1 / 3)  # overlap
    assert masi_distance({"a"}, {"b"}) == 1  # disjoint


def test_masi_alpha_identical_sets():
    units = {1: [{"a", "b"}, {"a", "b"}], 2: [{"c"}, {"c"}, {"c"}], 3: [{"a"}, {"a"}]}
    assert krippendorff_alpha(units, "masi") == pytest.approx(1.0)


def test_masi_alpha_hand_example():
    # Two coders, three units:
    #   u1: {a}   {a}    distance 0
    #   u2: {a,b} {a}    subset: 1 - (1/2)(2/3) = 2/3
    #   u3: {b}   {c}    disjoint: 1
    # Values A={a}, AB={a,b}, B={b}, C={c}: n_A = 3, n_AB = n_B = n_C = 1, n = 6.
    # Coincidences (m_u = 2, each ordered pair counts 1): o_AA = 2, o_A,AB = o_AB,A = 1,
    # o_B,C = o_C,B = 1, so sum o_ck d_ck = 2 * 2/3 + 2 * 1 = 10/3.
    # Expected, unordered pairs n_c n_k d_ck: A-AB 3*1*2/3 = 2, A-B 3, A-C 3,
    # AB-B ({a,b} vs {b}, subset) 2/3, AB-C 1, B-C 1 -> 32/3; both orders: 64/3.
    # alpha = 1 - (n - 1) * (10/3) / (64/3) = 1 - 50/64 = 14/64 = 0.21875
    units = {1: [{"a"}, {"a"}], 2: [{"a", "b"}, {"a"}], 3: [{"b"}, {"c"}]}
    assert krippendorff_alpha(units, "masi") == pytest.approx(14 / 64)


def test_cohen_kappa_hand_example():
    # 50 items, two raters: both yes 20, A yes / B no 5, A no / B yes 10, both no 15.
    # p_o = (20 + 15) / 50 = 0.7. A says yes 25/50 = 0.5, B 30/50 = 0.6.
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    assert cohen_kappa(pairs) == pytest.approx(0.4)
    assert cohen_kappa([("a", "a"), ("b", "b")]) == pytest.approx(1.0)
    assert cohen_kappa([("a", "a"), ("a", "a")]) is None  # p_e = 1
    assert cohen_kappa([]) is None


def test_fleiss_kappa_published_example():
    # Fleiss (1971) as on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14 raters,
    # 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    units = {
        f"s{i}": [cat for cat, count in enumerate(row, 1) for _ in range(count)]
        for i, row in enumerate(table, 1)
    }
    result = fleiss_kappa(units)
    assert round(result.kappa, 3) == 0.210
    assert result.raters_per_item == 14
    assert len(result.used) == 10 and result.skipped == 0
    assert interpret_kappa(result.kappa) == "Fair agreement"


def test_fleiss_kappa_uses_the_most_common_rater_count():
    units = {1: ["a", "a", "a"], 2: ["b", "b", "b"], 3: ["a", "b"], 4: ["a"], 5: ["a", "a", "b"]}
    result = fleiss_kappa(units)
    assert result.raters_per_item == 3
    assert sorted(result.used) == [1, 2, 5]
    assert result.skipped == 1  # unit 3 (two raters); unit 4 is not pairable at all
    # Hand: P_i = 1, 1, (4 + 1 - 3) / 6 = 1/3 -> P-bar = 7/9. p_a = 5/9, p_b = 4/9,
    # P_e = 41/81; kappa = (63/81 - 41/81) / (40/81) = 22/40 = 0.55
    assert result.kappa == pytest.approx(0.55)
    assert fleiss_kappa({1: ["a"]}).kappa is None


@pytest.mark.parametrize(
    ("alpha", "band"),
    [(0.9, "Good agreement"), (0.8, "Good agreement"), (0.7, "Tentative agreement"),
     (0.667, "Tentative agreement"), (0.5, "Poor agreement"), (None, "Undefined")],
)  # fmt: skip
def test_alpha_bands(alpha, band):
    assert interpret_alpha(alpha) == band


@pytest.mark.parametrize(
    ("kappa", "band"),
    [(-0.1, "Poor agreement"), (0.0, "Slight agreement"), (0.2, "Slight agreement"),
     (0.3, "Fair agreement"), (0.5, "Moderate agreement"), (0.7, "Substantial agreement"),
     (0.9, "Almost perfect agreement"), (1.0, "Almost perfect agreement")],
)  # fmt: skip
def test_kappa_bands(kappa, band):
    assert interpret_kappa(kappa) == band


# -- project_agreement with real scheme objects ------------------------------------------
def schemes(tmp_path):
    from potato_like.config.reader import ConfigReader
    from potato_like.schemes.registry import scheme_class

    raw = [
        {"annotation_type": "radio", "name": "sentiment", "labels": ["pos", "neg"]},
        {"annotation_type": "likert", "name": "scale", "size": 5},
        {"annotation_type": "multiselect", "name": "tags", "labels": ["x", "y", "z"]},
        {"annotation_type": "slider", "name": "score"},
        {"annotation_type": "text", "name": "notes"},
    ]
    out = []
    for i, entry in enumerate(raw):
        reader = ConfigReader(entry, f"annotation_schemes[{i}]", [], [])
        out.append(scheme_class(entry["annotation_type"])(reader, i, tmp_path))
    return SimpleNamespace(schemes=tuple(out))


def test_project_agreement_shape(tmp_path):
    config = schemes(tmp_path)
    rows = {
        "sentiment": [
            (1, "u1", {"pos": "1"}), (1, "u2", {"pos": "1"}), (1, "u3", {"pos": "1"}),
            (2, "u1", {"neg": "1"}), (2, "u2", {"neg": "1"}), (2, "u3", {"neg": "1"}),
        ],
        "scale": [(1, "u1", {"2": "2"}), (1, "u2", {"2": "2"}), (2, "u1", {"4": "4"}),
                  (2, "u2", {"5": "5"})],
        "tags": [(1, "u1", {"x": "1"}), (1, "u2", {"x": "1"})],
        "score": [(1, "u1", {"slider": "30"}), (1, "u2", {"slider": "30"}),
                  (2, "u1", {"slider": "30"}), (2, "u2", {"slider": "30"})],
        "notes": [],
    }  # fmt: skip
    body = project_agreement(config, rows)
    assert body["enabled"] is True
    assert set(body) == {"enabled", "overall", "by_schema", "warnings"}
    sentiment = body["by_schema"]["sentiment"]
    assert sentiment["krippendorff_alpha"] == 1.0
    assert sentiment["metric_type"] == "nominal"
    assert (sentiment["items_evaluated"], sentiment["total_annotations"]) == (2, 6)
    assert sentiment["interpretation"] == "Good agreement"
    assert sentiment["fleiss_kappa"]["kappa"] == 1.0
    assert sentiment["pairwise_cohen_kappa"] == [
        {"a": "u1", "b": "u2", "kappa": 1.0, "items": 2},
        {"a": "u1", "b": "u3", "kappa": 1.0, "items": 2},
        {"a": "u2", "b": "u3", "kappa": 1.0, "items": 2},
    ]
    # Ordinal over the scale 1..5: units (2, 2) and (4, 5). n_2 = 2, n_4 = 1, n_5 = 1, n = 4.
    # d(4,5) = (1 + 1 - (1 + 1)/2)^2 = 1; d(2,4) = (2 + 0 + 1 - (2 + 1)/2)^2 = 2.25;
    # d(2,5) = (2 + 1 + 1 - (2 + 1)/2)^2 = 6.25. sum o d = 2 * 1 = 2.
    # sum n_c n_k d = 2 * (2 * 2.25 + 2 * 6.25 + 1 * 1) = 36; alpha = 1 - 3 * 2 / 36 = 5/6
    assert body["by_schema"]["scale"]["metric_type"] == "ordinal"
    assert body["by_schema"]["scale"]["krippendorff_alpha"] == round(5 / 6, 4)
    assert body["by_schema"]["tags"]["krippendorff_alpha"] is None  # one overlapping item
    assert body["by_schema"]["tags"]["metric_type"] == "masi"
    assert body["by_schema"]["score"]["krippendorff_alpha"] is None  # all identical
    assert "notes" not in body["by_schema"]
    warnings = "\n".join(body["warnings"])
    assert "tags: too few overlapping items" in warnings
    assert "score: alpha is undefined" in warnings
    assert "notes: skipped (text)" in warnings
    assert body["overall"] == {
        "average_krippendorff_alpha": round((1.0 + 5 / 6) / 2, 4),
        "schemas_evaluated": 2,
        "interpretation": "Good agreement",
    }


def test_project_agreement_with_nothing_to_evaluate(tmp_path):
    body = project_agreement(schemes(tmp_path), {"sentiment": []})
    assert body["overall"] == {
        "average_krippendorff_alpha": None,
        "schemas_evaluated": 0,
        "interpretation": "Insufficient data",
    }
    assert list(body["by_schema"]) == ["sentiment"]
    assert body["by_schema"]["sentiment"]["items_evaluated"] == 0


def test_pairwise_list_is_capped(tmp_path):
    rows = []
    for item in range(1, 4):
        rows += [(item, f"u{k:02d}", {"pos" if (k + item) % 2 else "neg": "1"}) for k in range(12)]
    body = project_agreement(schemes(tmp_path), {"sentiment": rows}, max_pairs=50)
    pairs = body["by_schema"]["sentiment"]["pairwise_cohen_kappa"]
    assert len(pairs) == 50  # 12 annotators make 66 pairs
    assert all(p["items"] == 3 for p in pairs)
    assert any("66 annotator pairs" in w for w in body["warnings"])


def test_confusion_of_a_sized_likert_counts_its_points(tmp_path):
    """A likert with `size` answers with the point as a number: both the rows path and the
    kept-cells path put two annotators choosing 4 on the diagonal at 4 (they used to land
    under "free_response")."""
    from potato_like.config.reader import ConfigReader
    from potato_like.quality.agreement import confusion
    from potato_like.schemes.registry import scheme_class

    reader = ConfigReader({"annotation_type": "likert", "name": "l", "size": 5}, "x", [], [])
    scale = scheme_class("likert")(reader, 0, tmp_path)
    got = confusion([(1, "a", {"4": "4"}), (1, "b", {"4": "4"}), (2, "a", {"2": "2"})], scale)
    assert got["labels"] == ["1", "2", "3", "4", "5"]
    assert got["matrix"][3][3] == 2 and got["max"] == 2
