"""triad_test: designs (complete, Steiner triple systems, balanced samples), Potato's wire
format (`schema:schema` = JSON {"design", "triads": [[a, b, c, odd]]}), bad answers refused
with the problem named, and the aggregate dissimilarity matrix on the dashboard and in the
analysis export."""

import csv
import io
import json
import random
from itertools import combinations

import pytest

from potato_like.schemes.triad_test import build_design, dissimilarity, steiner_design
from tests.conftest import ADMIN
from tests.web.scale_util import annotator, page, question, refused, send, stored

ANIMALS = ["cat", "dog", "wolf", "cow", "horse", "goat", "sheep"]  # 7 items: a Fano plane
TRIAD = {
    "annotation_type": "triad_test",
    "name": "odd",
    "description": "Which animal is most different?",
    "labels": ANIMALS,
    "design": "steiner",
}


def pair_counts(triads, n):
    counts = {frozenset(p): 0 for p in combinations(range(n), 2)}
    for t in triads:
        for p in combinations(t, 2):
            counts[frozenset(p)] += 1
    return counts


@pytest.mark.parametrize("n", [7, 9, 13, 15, 19, 21, 25, 27])
def test_steiner_design_is_a_bibd_with_lambda_one(n):
    """A Steiner triple system STS(n): n(n-1)/6 triads, every pair in exactly one, every
    item in (n-1)/2 (Colbourn & Dinitz, Handbook of Combinatorial Designs, II.2)."""
    triads = steiner_design(n, random.Random(n))
    assert len(triads) == n * (n - 1) // 6
    assert set(pair_counts(triads, n).values()) == {1}
    assert all(sum(i in t for t in triads) == (n - 1) // 2 for i in range(n))


def test_designs_are_seeded_and_balanced():
    items = [f"i{k}" for k in range(10)]
    kind, triads = build_design(items, "scheme")
    assert kind == "sample" and build_design(items, "scheme") == (kind, triads)
    # covers every pair, none more than twice, with at least the Schoenheim bound
    # ceil(10/3 * ceil(9/2)) = 17 triads (the fewest that can cover every pair of 10)
    counts = pair_counts(triads, 10).values()
    assert min(counts) == 1 and max(counts) <= 2 and 17 <= len(triads) <= 20
    assert (
        build_design(items[:5], "s")[0] == "complete" and len(build_design(items[:5], "s")[1]) == 10
    )
    kind, triads = build_design(items, "scheme", "sample", max_triads=30)
    counts = pair_counts(triads, 10).values()
    assert len(triads) == 30 and max(counts) - min(counts) <= 2


def test_dissimilarity_worked_example():
    """Triads method (Weller & Romney 1988, Systematic Data Collection, ch. 5): in a triad
    whose odd item is c, the pair (a, b) is judged alike; a pair's dissimilarity is the
    share of the triads showing it in which it was not judged alike. Worked by hand:
      (cat, dog, cow) odd cow   -> cat-dog alike
      (cat, dog, cow) odd cat   -> dog-cow alike
      (cat, wolf, cow) odd cow  -> cat-wolf alike
      cat-dog: shown 2, alike 1 -> 0.5;  cat-cow: shown 3, alike 0 -> 1.0
      dog-cow: shown 2, alike 1 -> 0.5;  cat-wolf: 1, 1 -> 0.0;  dog-wolf: never -> None"""
    m = dissimilarity(
        [["cat", "dog", "cow", "cow"], ["cat", "dog", "cow", "cat"], ["cat", "wolf", "cow", "cow"]],
        ["cat", "dog", "wolf", "cow"],
    )
    d = m["dissimilarity"]
    assert d[0][1] == 0.5 and d[0][3] == 1.0 and d[1][3] == 0.5 and d[0][2] == 0.0
    assert d[1][2] is None and d[2][1] is None and d[0][0] == 0.0
    assert m["shown"][0][3] == 3 and m["alike"][1][3] == 1


def plan_of(html):
    import re

    return [json.loads(x.replace("&#34;", '"')) for x in re.findall(r'data-items="([^"]*)"', html)]


def test_triad_wire_format_and_bad_answers(make_project):
    app = make_project(items=2, schemes=[TRIAD])
    ann = annotator(app)
    html = page(ann)
    plan = plan_of(html)
    assert len(plan) == 7 and "js/triad-test.js" in html
    assert {frozenset(t) for t in plan} == {
        frozenset(ANIMALS[i] for i in t) for t in build_design(ANIMALS, "odd", "steiner")[1]
    }
    other = plan_of(page(annotator(app, "ann2")))
    assert other != plan and sorted(map(sorted, other)) == sorted(map(sorted, plan))
    triads = [[*t, t[0] if i < 3 else None] for i, t in enumerate(plan)]
    iid, r = send(ann, {"odd:odd": json.dumps({"design": "steiner", "triads": triads})})
    assert r.status_code == 200, r.json
    assert json.loads(stored(ann, iid, "odd")["odd"])["triads"] == triads
    assert plan_of(page(ann)) == plan  # the stored triads are shown as they were
    assert page(ann).count("checked") == 3
    a, b, c = plan[0]
    bad = [[a, b, c, "llama"]]
    refused(
        ann, {"odd:odd": json.dumps({"triads": bad})}, "the odd one 'llama' is not one of", "odd"
    )
    refused(
        ann, {"odd:odd": json.dumps({"triads": [[a, a, c, None]]})}, "three different items", "odd"
    )
    refused(
        ann,
        {"odd:odd": json.dumps({"triads": [[a, b, "emu", None]]})},
        "'emu' is not an item of the domain",
        "odd",
    )
    refused(
        ann, {"odd:odd": json.dumps({"triads": [[a, b, c, a], [c, b, a, b]]})}, "triad 2", "odd"
    )
    off = next(t for t in combinations(ANIMALS, 3) if frozenset(t) not in map(frozenset, plan))
    refused(
        ann,
        {"odd:odd": json.dumps({"triads": [[*off, off[0]]]})},
        "is not a triad of this item's design",
        "odd",
    )
    refused(ann, {"odd:odd": json.dumps({"triads": [[a, b]]})}, "must be [a, b, c, odd]", "odd")
    refused(ann, {"odd:odd": "{"}, "not valid JSON", "odd")
    refused(
        ann,
        {"odd:odd": json.dumps({"design": "magic", "triads": triads})},
        "design 'magic' is not one of",
        "odd",
    )


def test_required_triads_must_all_be_answered(make_project):
    app = make_project(items=1, schemes=[{**TRIAD, "label_requirement": {"required": True}}])
    ann = annotator(app)
    plan = plan_of(page(ann))
    half = [[*t, t[1] if i < 4 else None] for i, t in enumerate(plan)]
    refused(
        ann,
        {"odd:odd": json.dumps({"triads": half})},
        "3 of 7 triads are not answered",
        "odd",
        draft=False,
    )


def test_items_field_domain(tmp_path):
    from potato_like import create_app
    from tests.conftest import base_config, write_config

    rows = [{"id": "d1", "text": "t", "terms": ["oak", "pine", "rose", "tulip"]}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    scheme = {**TRIAD, "labels": None, "items_field": "terms", "design": "auto"}
    del scheme["labels"]
    app = create_app(write_config(tmp_path, base_config("d.jsonl", annotation_schemes=[scheme])))
    app.config["TESTING"] = True
    ann = annotator(app)
    plan = plan_of(page(ann))
    assert len(plan) == 4  # complete: C(4, 3)
    refused(
        ann,
        {"odd:odd": json.dumps({"triads": [["oak", "pine", "cactus", None]]})},
        "is not a triad of this item's design",
        "odd",
    )


def test_dissimilarity_matrix_on_dashboard_and_export(make_project):
    app = make_project(items=1, schemes=[TRIAD])
    for name in ("r1", "r2"):
        ann = annotator(app, name)
        plan = plan_of(page(ann))
        # everyone says: cat and dog belong together, so in a triad with both the third is odd;
        # otherwise the first item shown is odd
        answers = []
        for t in plan:
            odd = (
                next((x for x in t if x not in ("cat", "dog")), t[0])
                if {"cat", "dog"} <= set(t)
                else t[0]
            )
            answers.append([*t, odd])
        _, r = send(
            ann, {"odd:odd": json.dumps({"design": "steiner", "triads": answers})}, draft=False
        )
        assert r.status_code == 200, r.json
    q = question(app, "odd")
    table = q["model"]["tables"][0]
    assert table["columns"] == ["", *ANIMALS]
    rows = {row[0]: row[1:] for row in table["rows"]}
    assert rows["cat"][ANIMALS.index("dog")] == 0.0  # always judged alike
    assert rows["dog"][ANIMALS.index("cat")] == 0.0 and rows["cat"][0] == 0.0
    assert q["summary"]["triads_answered"] == 14
    body = (
        app.test_client()
        .post("/admin/api/export", json={"format": "analysis_csv"}, headers=ADMIN)
        .data.decode()
    )
    cells = [c for c in csv.DictReader(io.StringIO(body)) if c["schema"] == "odd"]
    assert len(cells) == 49
    assert next(c for c in cells if c["row"] == "cat" and c["column"] == "dog")["value"] == "0.0"
