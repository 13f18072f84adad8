"""ICL examples in the page's LLM suggestions: with `icl_labeling.enabled`, the items
annotators agreed on travel to the LLM as few-shot examples (bounded in count and
characters, never the item asked about), checked in the body the fake server received."""

from __future__ import annotations

import json

import openai  # noqa: F401 - the SDK's import (seconds, once) is not a request's budget
import pytest

from potato_like.ai.icl import EXAMPLE_CHARS, EXAMPLES_CHARS, bounded_examples, worker
from tests.ai_texts import write_reviews
from tests.conftest import base_config, login, write_config
from tests.llm_fakes import FakeLLM
from tests.web.test_icl import SENTIMENT, agree_on


@pytest.fixture
def fake():
    server = FakeLLM("openai")
    yield server
    server.close()


def make(tmp_path, open_app, url, icl_enabled=True):
    truth = write_reviews(tmp_path / "data.jsonl", 30)
    ai = {
        "enabled": True,
        "endpoint_type": "vllm",
        "ai_config": {"model": "fake-model", "base_url": url, "timeout": 2},
        "cache_config": {"prefetch": {"on_next": 0}},
    }
    icl = {"enabled": icl_enabled, "example_selection": {"min_annotators_per_instance": 2}}
    config = base_config(
        annotation_schemes=[SENTIMENT], max_annotations_per_item=3, ai_support=ai,
        icl_labeling=icl,
    )  # fmt: skip
    return open_app(write_config(tmp_path, config)), truth


def suggest(app, user, item_id):
    client = login(app.test_client(), user)
    assert client.post("/go_to", json={"go_to": item_id}).status_code == 200
    return client.get(f"/api/get_ai_suggestion?instance_id={item_id}")


def asked_about(fake, item_text):
    """The user message of the request that asked about this item."""
    for request in fake.requests:
        user = [m for m in request["body"]["messages"] if m["role"] == "user"]
        if user and user[-1]["content"].endswith(item_text):
            return user[-1]["content"]
    raise AssertionError(f"no request about {item_text!r}")


def test_agreed_items_arrive_as_few_shot_examples(tmp_path, open_app, fake):
    app, truth = make(tmp_path, open_app, fake.url)
    project = app.extensions["potato_like"]
    taught = list(truth)[:8]
    agree_on(app, truth, taught)
    worker(project).refresh()
    lines = (tmp_path / "data.jsonl").read_text().splitlines()
    texts = {r["id"]: r["text"] for r in map(json.loads, lines)}
    fake.requests.clear()
    target = list(truth)[20]
    r = suggest(app, "c", target)
    assert r.status_code == 200 and r.json["suggestions"]
    sent = asked_about(fake, texts[target])
    shots = [i for i in taught if f"Example item: {texts[i]}\n" in sent]
    assert len(shots) == 5  # SUGGESTION_EXAMPLES of the 8 agreed items
    for item_id in shots:  # each with the label the annotators agreed on
        assert f"{texts[item_id]}\nExample answer: {json.dumps(truth[item_id])}" in sent
    # The item asked about is never its own example.
    fake.requests.clear()
    own = shots[0]
    assert suggest(app, "d", own).status_code == 200
    sent = asked_about(fake, texts[own])
    assert f"Example item: {texts[own]}" not in sent
    assert sent.count("Example item:") == 5


def test_no_examples_when_icl_is_off(tmp_path, open_app, fake):
    app, truth = make(tmp_path, open_app, fake.url, icl_enabled=False)
    agree_on(app, truth, list(truth)[:6])
    fake.requests.clear()
    target = list(truth)[20]
    r = suggest(app, "c", target)
    assert r.status_code == 200
    assert all("Example item:" not in json.dumps(q["body"]) for q in fake.requests)
    assert fake.requests


def test_before_the_first_refresh_the_request_does_not_wait(tmp_path, open_app, fake):
    app, truth = make(tmp_path, open_app, fake.url)
    project = app.extensions["potato_like"]
    agree_on(app, truth, list(truth)[:6])
    target = list(truth)[20]
    r = suggest(app, "c", target)
    assert r.status_code == 200  # answered; the refresh runs in the background
    assert worker(project).wait(30) and worker(project).last_refresh is not None
    assert len(worker(project).examples["sentiment"]) == 6


def test_bounds_on_count_and_characters():
    def ex(i, n):
        return {"instance_id": f"i{i}", "text": "w" * n, "label": "positive"}

    many = [ex(i, 10) for i in range(20)]
    assert len(bounded_examples(many, "x")) == 5
    assert len(bounded_examples(many, "x", count=3)) == 3
    assert [t for t, _ in bounded_examples(many, "i0", count=2)] == ["w" * 10] * 2
    long = [ex(i, 5000) for i in range(10)]
    got = bounded_examples(long, "x")
    assert all(len(t) == EXAMPLE_CHARS for t, _ in got)
    assert sum(len(t) for t, _ in got) <= EXAMPLES_CHARS and len(got) == 4
    assert bounded_examples([], "x") == ()
