"""hierarchical_multiselect: `schema:selected_labels` = "A,B" over the taxonomy's nodes."""

import pytest

from tests.conftest import csrf_headers
from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored

TREE = {
    "annotation_type": "hierarchical_multiselect",
    "name": "topic",
    "description": "Topics",
    "taxonomy": {"Science": {"Physics": ["Optics"], "Biology": ["Genetics"]}, "Arts": ["Music"]},
    "show_search": True,
    "max_selections": 3,
}


def test_nodes_at_any_level_are_saved_in_taxonomy_order(make_project):
    app = make_project(schemes=[TREE])
    ann = annotator(app)
    html = page(ann)
    assert 'value="Genetics"' in html and "hier-search" in html and "js/hierarchy.js" in html
    iid, r = send(ann, {"topic:selected_labels": "Music, Physics"})
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "topic") == {"selected_labels": "Physics,Music"}
    refused(ann, {"topic:selected_labels": "Chemistry"}, "'Chemistry' is not a label", "topic")
    refused(ann, {"topic:selected_labels": "Science,Physics,Optics,Arts"}, "at most 3", "topic")
    refused(ann, {"topic:Physics": "1"}, "unknown label 'Physics'", "topic")
    assert agreement_of(app, "topic").get("metric_type", "masi") == "masi"


def test_the_no_javascript_form_sends_each_ticked_node(make_project):
    app = make_project(schemes=[TREE])
    ann = annotator(app)
    iid = page(ann).split('data-instance-id="', 1)[1].split('"', 1)[0]
    form = {
        "instance_id": iid,
        "action": "next_instance",
        "topic:selected_labels": ["Optics", "Arts"],
    }
    r = ann.post("/annotate", data=form, headers=csrf_headers(ann))
    assert r.status_code in (200, 302)
    assert stored(ann, iid, "topic") == {"selected_labels": "Optics,Arts"}
    ann.post("/go_to", json={"action": "prev_instance"})
    form = {"instance_id": iid, "action": "next_instance", "topic:selected_labels": [""]}
    r = ann.post("/annotate", data=form, headers=csrf_headers(ann))
    assert stored(ann, iid, "topic") == {}  # every box unticked: cleared


def test_a_taxonomy_is_required(make_project):
    with pytest.raises(Exception, match="taxonomy"):
        make_project(schemes=[{"annotation_type": "hierarchical_multiselect", "name": "t"}])


def test_the_mast_preset_fills_the_tree(make_project):
    app = make_project(
        schemes=[
            {"annotation_type": "hierarchical_multiselect", "name": "f", "taxonomy_preset": "mast"}
        ]
    )
    ann = annotator(app)
    assert 'value="Inter-Agent Misalignment"' in page(ann)
    iid, r = send(ann, {"f:selected_labels": "2.3 Task derailment"})
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "f") == {"selected_labels": "2.3 Task derailment"}
    with pytest.raises(Exception, match="unknown preset 'nope'; presets: mast"):
        make_project(
            schemes=[
                {
                    "annotation_type": "hierarchical_multiselect",
                    "name": "f",
                    "taxonomy_preset": "nope",
                }
            ]
        )
