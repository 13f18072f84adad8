"""pure_display: text among the questions, never an answer."""

from tests.web.scale_util import annotator, page, refused

HEADER = {
    "annotation_type": "pure_display",
    "name": "head",
    "description": "## <b>Section</b>",
    "labels": ["First line", "<i>second</i>"],
}


def test_pure_display_shows_escaped_text_and_takes_no_answer(make_project):
    rich = {**HEADER, "name": "rich", "allow_html": True, "required": True}
    app = make_project(schemes=[HEADER, rich])
    ann = annotator(app)
    html = page(ann)
    assert "## &lt;b&gt;Section&lt;/b&gt;" in html and "First line<br>&lt;i&gt;second" in html
    assert "## <b>Section</b>" in html and "<i>second</i>" in html  # allow_html: sanitised
    refused(ann, {"head:x": "1"}, "takes no answer", "head")
    r = ann.post("/updateinstance", json={"instance_id": "item_001", "annotations": {}})
    assert r.status_code == 200, (
        r.json
    )  # nothing to answer: even `required` does not block a submit
