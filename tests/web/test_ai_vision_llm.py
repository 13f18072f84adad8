"""Vision LLM endpoints (`visual_endpoint_type`: openai_vision, anthropic_vision,
ollama_vision) against a local fake vendor server over real HTTP (tests/llm_fakes.py), with
the vendors' official SDKs pointed at it: the image in each wire format, the detections as
the image scheme's shapes, and the unhappy paths (500s, time-outs, malformed answers, images
too big, remote images through the SSRF guard)."""

from __future__ import annotations

import base64

import cv2
import numpy as np
import pytest

from potato_like.ai.vision.service import vision
from tests.conftest import login
from tests.httpserve import serve_bytes
from tests.llm_fakes import FakeLLM
from tests.web.image_util import IMAGE_H, IMAGE_W, image_project, image_scheme

GREEN = (100, 50, 250, 150)  # x1, y1, x2, y2 of the green block image_util draws
BOX = {
    "x": GREEN[0] / IMAGE_W,
    "y": GREEN[1] / IMAGE_H,
    "width": (GREEN[2] - GREEN[0]) / IMAGE_W,
    "height": (GREEN[3] - GREEN[1]) / IMAGE_H,
}
ANSWER = {
    "detections": [
        {"label": "Cat", "bbox": BOX, "confidence": 0.8},
        {"label": "toaster", "bbox": BOX, "confidence": 0.9},  # not a label of the scheme
        {"label": "dog", "bbox": {"x": 0.5}, "confidence": 0.9},  # not a box
    ]
}
VENDOR = {"openai_vision": "openai", "anthropic_vision": "anthropic", "ollama_vision": "ollama"}


@pytest.fixture
def fake_vendor():
    made = []

    def make(endpoint):
        fake = FakeLLM(VENDOR[endpoint], default=ANSWER)
        made.append(fake)
        return fake

    yield make
    for fake in made:
        fake.close()


def ai(endpoint, fake, **conf):
    conf = {"model": "vision-model", "base_url": fake.url, "timeout": 20, **conf}
    return {"enabled": True, "visual_endpoint_type": endpoint, "visual_ai_config": conf}


def detections(app, instance="a"):
    client = login(app.test_client(), "ann1")
    assert client.get("/api/current_instance").status_code == 200
    if instance != "a":
        client.post("/go_to", json={"go_to": instance})
    r = client.get(f"/api/vision_suggestions?instance_id={instance}")
    assert r.status_code == 200, r.json
    return r.json


def sent_image(endpoint, body) -> tuple[bytes, str]:
    """(image bytes, media type) from the recorded request body, per wire format."""
    (message,) = body["messages"]
    if endpoint == "openai_vision":
        text, image = message["content"]
        assert text["type"] == "text" and "cat, dog" in text["text"]
        assert image["type"] == "image_url" and image["image_url"]["detail"] == "auto"
        head, data = image["image_url"]["url"].split(",", 1)
        assert head.startswith("data:") and head.endswith(";base64")
        return base64.b64decode(data), head[5:].split(";")[0]
    if endpoint == "anthropic_vision":
        image, text = message["content"]
        assert text["type"] == "text" and "cat, dog" in text["text"]
        assert image["type"] == "image" and image["source"]["type"] == "base64"
        return base64.b64decode(image["source"]["data"]), image["source"]["media_type"]
    assert "cat, dog" in message["content"]
    (data,) = message["images"]
    return base64.b64decode(data), "?"


def pixels(data: bytes):
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)


@pytest.mark.parametrize("endpoint", list(VENDOR))
def test_each_vendor_gets_the_image_and_its_boxes_become_shapes(
    tmp_path, open_app, fake_vendor, endpoint
):
    fake = fake_vendor(endpoint)
    app = open_app(image_project(tmp_path, ai_support=ai(endpoint, fake)))
    got = detections(app)
    assert got["endpoint_type"] == endpoint and got["model"] == "vision-model"
    (shape,) = got["suggestions"]["objects"]
    assert shape["type"] == "bbox" and shape["label"] == "cat" and shape["confidence"] == 0.8
    for key, value in BOX.items():
        assert shape["coordinates"][key] == pytest.approx(value, abs=1e-5)
    (request,) = fake.requests
    body = request["body"]
    assert body["model"] == "vision-model"
    data, kind = sent_image(endpoint, body)
    assert pixels(data).shape[:2] == (IMAGE_H, IMAGE_W)
    assert data == (tmp_path / "images" / "a.png").read_bytes()  # small PNG: sent as it is
    if endpoint == "openai_vision":
        assert request["path"] == "/v1/chat/completions" and kind == "image/png"
        assert body["response_format"] == {"type": "json_object"}
    elif endpoint == "anthropic_vision":
        assert request["path"] == "/v1/messages" and kind == "image/png"
        assert body["tool_choice"]["type"] == "tool"
        schema = body["tools"][0]["input_schema"]
        assert schema["properties"]["detections"]["items"]["properties"]["label"]["enum"] == [
            "cat",
            "dog",
        ]
    else:
        assert request["path"] == "/api/chat" and body["stream"] is False
        assert body["format"]["required"] == ["detections"]


def test_polygon_scheme_gets_the_box_corners_and_text_answers_are_read(
    tmp_path, open_app, fake_vendor
):
    fake = fake_vendor("openai_vision")
    fake.script(("ok", "Here you go:\n```json\n" + __import__("json").dumps(ANSWER) + "\n```"))
    scheme = image_scheme(tools=["polygon"])
    app = open_app(image_project(tmp_path, schemes=[scheme], ai_support=ai("openai_vision", fake)))
    (shape,) = detections(app)["suggestions"]["objects"]
    assert shape["type"] == "polygon" and len(shape["coordinates"]) == 4
    assert shape["coordinates"][2]["x"] == pytest.approx(GREEN[2] / IMAGE_W, abs=1e-5)


def test_pixel_boxes_are_read_as_pixels_of_the_image_sent(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("ollama_vision")
    box = {"x": 100, "y": 50, "width": 150, "height": 100}
    fake.script(("ok", {"detections": [{"label": "dog", "bbox": box, "confidence": 2}]}))
    app = open_app(image_project(tmp_path, ai_support=ai("ollama_vision", fake)))
    (shape,) = detections(app)["suggestions"]["objects"]
    assert shape["coordinates"]["x"] == pytest.approx(0.25) and shape["confidence"] == 1.0
    assert shape["coordinates"]["height"] == pytest.approx(100 / IMAGE_H, abs=1e-5)


def test_a_server_error_is_tried_again(tmp_path, open_app, fake_vendor, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-4242")
    fake = fake_vendor("anthropic_vision")
    fake.script(("status", 500), ("rate", 0.1))
    app = open_app(image_project(tmp_path, ai_support=ai("anthropic_vision", fake)))
    got = detections(app)
    (shape,) = got["suggestions"]["objects"]
    assert shape["label"] == "cat" and len(fake.requests) == 3
    # The key from the environment is sent to the vendor, and to no one else.
    for r in fake.requests:  # x-api-key, or Authorization: Bearer in newer SDKs
        assert any(v.endswith("sk-ant-secret-4242") for v in r["headers"].values())
    assert "sk-ant-secret-4242" not in repr(vision(app.extensions["potato_like"]).detector)
    assert "sk-ant-secret-4242" not in str(got) and fake.url not in str(got)


def test_a_failing_server_gives_a_message_and_the_page_still_opens(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("openai_vision")
    fake.script(*[("status", 500)] * 10)
    app = open_app(image_project(tmp_path, ai_support=ai("openai_vision", fake, timeout=4)))
    got = detections(app)
    assert got["suggestions"] == {} and "HTTP 500" in got["message"]
    assert 3 <= len(fake.requests) <= 4  # tried again, within the time budget
    client = login(app.test_client(), "ann2")
    assert client.get("/annotate").status_code == 200


def test_a_slow_server_gives_a_message_within_the_timeout(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("ollama_vision")
    fake.script(("slow", 3))
    app = open_app(image_project(tmp_path, ai_support=ai("ollama_vision", fake, timeout=0.5)))
    got = detections(app)
    assert got["suggestions"] == {} and "0.5 s" in got["message"]


def test_malformed_answers_are_asked_once_more_then_a_message(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("openai_vision")
    fake.script(("malformed",), ("ok", {"objects": []}))
    app = open_app(image_project(tmp_path, ai_support=ai("openai_vision", fake)))
    got = detections(app)
    assert got["suggestions"] == {} and "JSON asked for" in got["message"]
    assert len(fake.requests) == 2
    fake2 = fake_vendor("openai_vision")
    fake2.script(("malformed",))  # the second answer is right
    app = open_app(image_project(tmp_path / "p2", ai_support=ai("openai_vision", fake2)))
    assert detections(app)["suggestions"]["objects"][0]["label"] == "cat"


def test_an_image_over_the_byte_limit_is_not_sent(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("anthropic_vision")
    conf = {"max_image_bytes": 1024}
    (tmp_path / "images").mkdir()
    noise = np.random.default_rng(1).integers(0, 255, (300, 400, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "images" / "n.png"), noise)  # ~360 kB
    items = [{"id": "a", "image": "images/n.png"}]
    app = open_app(
        image_project(tmp_path, items=items, ai_support=ai("anthropic_vision", fake, **conf))
    )
    got = detections(app)
    assert got["suggestions"] == {} and "max_image_bytes" in got["message"]
    assert fake.requests == []


def test_a_large_image_is_scaled_down_before_it_is_sent(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("openai_vision")
    app = open_app(
        image_project(tmp_path, ai_support=ai("openai_vision", fake, max_image_size=100))
    )
    (shape,) = detections(app)["suggestions"]["objects"]
    assert shape["coordinates"]["x"] == pytest.approx(BOX["x"], abs=1e-5)  # still fractions
    data, kind = sent_image("openai_vision", fake.requests[0]["body"])
    assert kind == "image/png" and pixels(data).shape[:2] == (75, 100)


def test_an_unreadable_image_gives_a_message(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("ollama_vision")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "bad.png").write_bytes(b"not an image at all")
    items = [{"id": "a", "image": "images/bad.png"}]
    app = open_app(image_project(tmp_path, items=items, ai_support=ai("ollama_vision", fake)))
    got = detections(app)
    assert "cannot be read as an image" in got["message"] and fake.requests == []


def test_a_remote_image_is_fetched_through_the_guard(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("anthropic_vision")
    png = cv2.imencode(".png", np.zeros((30, 40, 3), np.uint8))[1].tobytes()
    with serve_bytes(png, "image/png") as url:
        items = [{"id": "a", "image": url}]
        refused = open_app(
            image_project(tmp_path / "r", items=items, ai_support=ai("anthropic_vision", fake))
        )
        got = detections(refused)
        assert got["suggestions"] == {} and "could not be fetched" in got["message"]
        assert fake.requests == []  # loopback is refused without an allow-list entry
        allowed = open_app(
            image_project(
                tmp_path / "ok",
                items=items,
                media={"allow_fetch_hosts": ["127.0.0.1"]},
                ai_support=ai("anthropic_vision", fake),
            )
        )
        assert detections(allowed)["suggestions"]["objects"][0]["label"] == "cat"
    data, _ = sent_image("anthropic_vision", fake.requests[0]["body"])
    assert data == png


def test_detections_are_preannotations_on_the_page(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("ollama_vision")
    app = open_app(image_project(tmp_path, ai_support=ai("ollama_vision", fake)))
    client = login(app.test_client(), "ann1")
    client.get("/annotate")
    assert vision(app.extensions["potato_like"]).wait_idle(10)
    page = client.get("/annotate").get_data(as_text=True)
    assert 'data-testid="prefilled"' in page and '"label": "cat"' in page.replace('":"', '": "')


def test_a_cloud_vendor_without_key_or_base_url_is_off_with_a_warning(
    tmp_path, open_app, monkeypatch
):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    conf = {"enabled": True, "visual_endpoint_type": "openai_vision",
            "visual_ai_config": {"model": "gpt-4o", "detial": "low"}}  # fmt: skip
    app = open_app(image_project(tmp_path, ai_support=conf))
    project = app.extensions["potato_like"]
    assert vision(project) is None
    text = " ".join(project.config.warnings)
    assert "OPENAI_API_KEY" in text and "detial" in text


def test_potatos_form_with_the_vision_endpoint_as_endpoint_type(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("ollama_vision")
    conf = {"enabled": True, "endpoint_type": "ollama_vision",
            "ai_config": {"model": "llava:latest", "base_url": fake.url, "timeout": 20}}  # fmt: skip
    app = open_app(image_project(tmp_path, ai_support=conf))
    project = app.extensions["potato_like"]
    assert project.config.ai.endpoint_type == "builtin"  # text suggestions: the default
    got = detections(app)
    assert got["endpoint_type"] == "ollama_vision" and got["model"] == "llava:latest"
    assert got["suggestions"]["objects"][0]["label"] == "cat"
    assert fake.requests[0]["body"]["model"] == "llava:latest"
    assert not [w for w in project.config.warnings if "ai_config" in w]


def test_both_forms_at_once_is_a_config_problem(tmp_path, fake_vendor):
    from potato_like import create_app
    from potato_like.errors import ConfigError

    fake = fake_vendor("ollama_vision")
    conf = ai("ollama_vision", fake)
    conf["endpoint_type"] = "openai_vision"
    with pytest.raises(ConfigError) as err:
        create_app(image_project(tmp_path, ai_support=conf))
    assert "ai_support.endpoint_type" in str(err.value)


def test_potatos_detection_form_of_the_suggestion_endpoints(tmp_path, open_app, fake_vendor):
    fake = fake_vendor("anthropic_vision")
    app = open_app(image_project(tmp_path, ai_support=ai("anthropic_vision", fake)))
    client = login(app.test_client(), "ann1")
    assert client.get("/api/current_instance").json["instance_id"] == "a"
    for url in ("/api/get_ai_suggestion", "/get_ai_suggestion"):
        r = client.get(f"{url}?annotationId=0&aiAssistant=detection")
        assert r.status_code == 200, r.json
        (det,) = r.json["detections"]
        assert det["label"] == "cat" and det["confidence"] == 0.8
        assert det["bbox"]["x"] == pytest.approx(BOX["x"], abs=1e-5)
    assert len(fake.requests) == 1  # the second asks the cache
    r = client.get("/api/get_ai_suggestion?annotationId=7&aiAssistant=pre_annotate")
    assert r.status_code == 404 and "scheme 7" in r.json["error"]
    r = client.get("/api/get_ai_suggestion?annotationId=x&aiAssistant=detection")
    assert r.status_code == 404


@pytest.mark.parametrize("endpoint", list(VENDOR))
def test_a_body_that_is_not_json_gives_a_message(tmp_path, open_app, fake_vendor, endpoint):
    fake = fake_vendor(endpoint)
    fake.script(*[("raw", b"<html>502 Bad Gateway</html>")] * 4)
    app = open_app(image_project(tmp_path, ai_support=ai(endpoint, fake)))
    got = detections(app)
    assert got["suggestions"] == {} and "a body that is not JSON" in got["message"]
    assert login(app.test_client(), "ann2").get("/annotate").status_code == 200
