"""region_caption and grounding_eval: regions of the image scheme with a caption, or the
region a referring expression points at (or "not present"), in our wire field and in
Potato's `_data` payload; bad input refused with a 4xx naming it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import login
from tests.web.image_util import bbox, image_project, image_scheme

CAPTION = {"annotation_type": "region_caption", "name": "captions", "description": "Describe",
           "min_length": 5, "max_length": 40, "require_all": True}  # fmt: skip
GROUNDING = {"annotation_type": "grounding_eval", "name": "grounding",
             "description": "Where?", "expressions_field": "expressions"}  # fmt: skip
ITEMS = [{"id": "a", "image": "images/a.png",
          "expressions": [{"id": "x1", "text": "the green box"}, "a unicorn"]}]  # fmt: skip
REGION = {"type": "bbox", "coordinates": bbox()["coordinates"]}


@pytest.fixture
def client(tmp_path, open_app):
    config = image_project(tmp_path, schemes=[image_scheme(), CAPTION, GROUNDING], items=ITEMS)
    c = login(open_app(config).test_client(), "ann1")
    assert c.get("/api/current_instance").json["instance_id"] == "a"
    return c


def post(client, draft=True, **fields):
    return client.post("/updateinstance", json={"instance_id": "a", "draft": draft, **fields})


def page_value(client, attr, name):
    page = client.get("/annotate").get_data(as_text=True)
    block = page.split(f'data-testid="{name}"')[1]
    return json.loads(block.split(f"{attr}>")[1].split("</script>")[0])


def test_captions_are_stored_with_their_regions(client):
    body = {"region_captions": {"captions": [{"region": REGION, "caption": " a green box "}]}}
    assert post(client, **body).status_code == 200
    value = page_value(client, "data-region-value", "region-caption-captions")
    assert value == {"captions": [{"region": REGION, "caption": "a green box"}]}


def test_potato_caption_payload(client):
    data = json.dumps({"captions": [{"region": REGION, "caption": "a green box"}]})
    assert post(client, annotations={"captions:_data": data}).status_code == 200


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"region": REGION, "caption": "abc"}, "at least 5 characters"),
        ({"region": REGION, "caption": "x" * 41}, "at most 40 characters"),
        ({"region": {"type": "bbox", "coordinates": {"x": 2}}, "caption": "hello"}, "outside"),
        ({"region": {"type": "mask"}, "caption": "hello"}, "region type"),
        ({"caption": "hello"}, "'region' must be a shape"),
        ({"region": REGION, "caption": 5}, "must be text"),
    ],
)
def test_bad_captions(client, entry, message):
    response = post(client, region_captions={"captions": [entry]})
    assert response.status_code == 400 and message in response.json["error"]


def test_require_all_blocks_a_submit_with_an_empty_caption(client):
    body = {"region_captions": {"captions": [{"region": REGION, "caption": ""}]},
            "image_annotations": {"objects": [bbox()]}}  # fmt: skip
    response = post(client, draft=False, **body)
    assert response.status_code == 400 and "every region needs a caption" in response.json["error"]


def test_grounding_answers_and_potato_payload(client):
    answers = [{"expression_id": "x1", "regions": [REGION]},
               {"expression_id": "e2", "absent": True, "verdict": "not_present"}]  # fmt: skip
    assert post(client, grounding_annotations={"grounding": answers}).status_code == 200
    value = page_value(client, "data-region-value", "grounding-grounding")
    assert value["answers"][1] == {"expression_id": "e2", "regions": [], "absent": True,
                                   "verdict": "not_present"}  # fmt: skip
    config = page_value(client, "data-region-config", "grounding-grounding")
    assert config["expressions"] == [{"id": "x1", "text": "the green box"},
                                     {"id": "e2", "text": "a unicorn"}]  # fmt: skip
    payload = {"regions": {"x1": [REGION]}, "absent": ["e2"], "verdicts": {}}
    response = post(client, annotations={"grounding:_data": json.dumps(payload)})
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"expression_id": "x1", "regions": [REGION], "absent": True}, "cannot have regions"),
        ({"expression_id": "x1", "verdict": "great"}, "is not one of"),
        ({"expression_id": "bad id!", "absent": True}, "expression_id"),
        ({"expression_id": "x1", "regions": "box"}, "list of shapes"),
        ({"expression_id": "x1", "absent": "yes"}, "true or false"),
    ],
)
def test_bad_grounding(client, answer, message):
    response = post(client, grounding_annotations={"grounding": [answer]})
    assert response.status_code == 400 and message in response.json["error"]


def test_region_types_need_an_image_scheme(tmp_path):
    from potato_like.config import load_config
    from potato_like.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_config(image_project(tmp_path, schemes=[CAPTION]))
    assert "needs an image_annotation scheme" in str(info.value)
    with pytest.raises(ConfigError) as info:
        load_config(image_project(tmp_path, schemes=[image_scheme(), {**GROUNDING,
                                  "region_schema": "nope", "region_type": "cube"}]))  # fmt: skip
    assert "'nope' is not an image_annotation scheme" in str(info.value)
    assert "'cube' is not one of" in str(info.value)
