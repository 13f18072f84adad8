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
