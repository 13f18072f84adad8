"""soft_label: points per label sent as Potato does; the answer is a distribution summing
to 1; nominal alpha on the most likely label."""

import json

from tests.conftest import ADMIN
from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored

SOFT = {
    "annotation_type": "soft_label",
    "name": "dist",
    "description": "Sentiment",
    "labels": ["pos", "neu", "neg"],
    "total": 100,
}


def test_distribution_round_trip(make_project):
    app = make_project(schemes=[SOFT], max_annotations_per_item=2)
    ann = annotator(app)
    assert 'type="range" name="dist:pos"' in page(ann)
    iid, r = send(ann, {"dist:pos": "70", "dist:neu": "20", "dist:neg": "10"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "dist") == {"pos": "70", "neu": "20", "neg": "10"}
    refused(ann, {"dist:neg": "0"}, "must add up to 100 (now 90)", "dist", draft=False)
    refused(ann, {"dist:neg": "101"}, "above the total 100", "dist")
    rows = app.test_client().post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN)
    answer = json.loads(rows.data.decode().splitlines()[0])["answers"]["dist"]
    assert answer == {"pos": 0.7, "neu": 0.2, "neg": 0.1} and sum(answer.values()) == 1
    bob = annotator(app, "bob")
    send(bob, {"dist:pos": "50", "dist:neg": "50"}, draft=False, iid=iid)
    assert agreement_of(app, "dist")["metric_type"] == "nominal"


def _bars(html: str, testid: str) -> dict[str, float]:
    """label -> bar width of the chart with this test id (SVG attributes, no style)."""
    import re

    block = html.split(f'data-testid="{testid}"', 1)[1].split("</svg>", 1)[0]
    found = re.findall(r'class="dist-bar" data-(?:chart-)?label="([^"]+)"', block)
    widths = re.findall(r'width="([0-9.]+)" height="14" class="dist-bar"', block)
    return dict(zip(found, (float(w) for w in widths), strict=True))


def test_distribution_charts_on_the_page_item_page_and_dashboard(make_project):
    app = make_project(schemes=[SOFT], max_annotations_per_item=2)
    ann = annotator(app)
    iid, r = send(ann, {"dist:pos": "70", "dist:neu": "20", "dist:neg": "10"}, draft=False)
    assert r.status_code == 200
    # the annotation page draws the stored answer (160 px = 100 %)
    html = page(ann)
    assert _bars(html, "points-chart-dist") == {"pos": 112.0, "neu": 32.0, "neg": 16.0}
    assert "style=" not in html.split('data-testid="points-chart-dist"', 1)[1].split("</svg>")[0]
    bob = annotator(app, "bob")
    send(bob, {"dist:pos": "30", "dist:neu": "20", "dist:neg": "50"}, draft=False, iid=iid)
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    item = admin.get(f"/admin/item/{iid}").data.decode()
    # the mean of both first (pos (0.7 + 0.3) / 2), then each annotator's
    assert "Mean of 2 annotators" in item
    assert _bars(item, "chart-dist-0") == {"pos": 80.0, "neu": 32.0, "neg": 48.0}
    assert _bars(item, "chart-dist-1") == {"pos": 112.0, "neu": 32.0, "neg": 16.0}
    assert _bars(item, "chart-dist-2") == {"pos": 48.0, "neu": 32.0, "neg": 80.0}
    questions = admin.get("/admin/questions/?fresh=1")
    assert questions.status_code == 200
    text = questions.data.decode()
    assert "Mean distribution of 2 answers" in text
    assert _bars(text, "chart-dist") == {"pos": 80.0, "neu": 32.0, "neg": 48.0}
    report = admin.get("/admin/api/questions?fresh=1", headers=ADMIN).json
    chart = next(q for q in report["questions"] if q["name"] == "dist")["model"]["chart"]
    assert [b["text"] for b in chart["bars"]] == ["50%", "20%", "30%"]


def test_no_chart_when_switched_off_or_unanswered(make_project):
    app = make_project(schemes=[{**SOFT, "show_distribution_chart": False}])
    ann = annotator(app)
    assert "points-chart-dist" not in page(ann)
    iid = send(ann, {"dist:pos": "100"}, draft=False)[0]
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"], "next": "/admin"})
    item = admin.get(f"/admin/item/{iid}").data.decode()
    assert "chart-dist-0" in item and "Mean of" not in item  # one annotator: no mean
