"""speech_transcript and voice_interaction: the item's segments/turns on the page (escaped),
overlaps found between user and agent turns, Potato-shaped answers validated and stored."""

from __future__ import annotations

import json

import pytest

from potato_like.schemes.item_timeline import item_rows
from potato_like.schemes.voice_interaction import overlaps
from tests.conftest import base_config, current_id, login, write_config

SPEECH = {
    "annotation_type": "speech_transcript",
    "name": "speech_errors",
    "description": "Tag errors",
    "segments_key": "segments",
    "error_types": ["asr_error", "disfluency"],
    "allow_correction": True,
}
VOICE = {
    "annotation_type": "voice_interaction",
    "name": "turn_taking",
    "description": "Classify overlaps",
    "turns_key": "turns",
    "rating_scale": 5,
}
TURNS = [
    {"speaker": "user", "start": 0.0, "end": 2.8, "text": "Table for <four>"},
    {"speaker": "agent", "start": 3.0, "end": 6.5, "text": "Inside or patio?"},
    {"speaker": "caller", "start": 6.0, "end": 7.4, "text": "Patio."},
    {"speaker": "agent", "start": 7.6, "end": 12.0, "text": "Seven fifteen?"},
    {"speaker": "user", "start": 10.5, "end": 11.2, "text": "Actually-"},
    {"speaker": "agent", "start": "x", "end": 1, "text": "bad times"},
]


@pytest.fixture
def app(tmp_path, open_app):
    row = {
        "id": "c1",
        "text": "call",
        "segments": [
            {"speaker": "user", "start": 0.0, "end": 1.6, "text": "what's the <whether>"},
            {"speaker": "agent", "start": 1.9, "end": 4.2, "text": "Sunny."},
        ],
        "turns": TURNS,
    }
    (tmp_path / "data.jsonl").write_text(json.dumps(row) + "\n")
    return open_app(write_config(tmp_path, base_config(annotation_schemes=[SPEECH, VOICE])))


def test_overlaps_between_user_and_agent_only():
    rows = item_rows(TURNS)
    assert rows[5]["start"] is None  # bad times kept as an untimed row
    found = overlaps(rows, ("user", "caller"))
    assert [(o["start"], o["end"], o["turns"]) for o in found] == [
        (6.0, 6.5, [1, 2]),
        (10.5, 11.2, [3, 4]),
    ]


def test_page_shows_segments_and_overlaps(app):
    page = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert "what&#39;s the &lt;whether&gt;" in page and "<whether>" not in page
    assert page.count('class="tg-event st-segment"') == 2
    assert page.count('class="tg-event vi-overlap"') == 2
    assert "js/speech-transcript.js" in page and "js/voice-interaction.js" in page


def save(client, iid, schema, data):
    return client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {f"{schema}:{schema}": json.dumps(data)}},
    )


def test_speech_answers(app):
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    data = [
        {"index": 1, "start": 1.9, "end": 4.2, "errors": ["disfluency", "asr_error"]},
        {"index": 0, "start": 0, "end": 1.6, "errors": [], "correction": "what's the weather"},
        {"index": 2, "errors": [], "correction": "  "},  # nothing: dropped
    ]
    assert save(c, iid, "speech_errors", data).status_code == 200
    got = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    stored = json.loads(got["speech_errors"]["_data"])
    assert [r["index"] for r in stored] == [0, 1]
    assert stored[1]["errors"] == ["asr_error", "disfluency"]
    for bad in (
        [{"index": 0, "errors": ["typo"]}],
        [{"index": -1, "errors": ["asr_error"]}],
        [{"index": 0, "errors": "asr_error"}],
        [{"index": 0, "correction": 5}],
        {"index": 0},
    ):
        assert save(c, iid, "speech_errors", bad).status_code == 400, bad


def test_voice_answers(app):
    c = login(app.test_client(), "ann")
    iid = current_id(c)
    data = {"overlaps": {"0": "backchannel", "1": ""}, "rating": 4}
    assert save(c, iid, "turn_taking", data).status_code == 200
    got = c.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert json.loads(got["turn_taking"]["_data"]) == {
        "overlaps": {"0": "backchannel"},
        "rating": 4,
    }
    for bad in (
        {"overlaps": {"0": "shout"}},
        {"overlaps": {"a": "backchannel"}},
        {"rating": 6},
        {"rating": True},
        {"overlaps": ["backchannel"]},
    ):
        assert save(c, iid, "turn_taking", bad).status_code == 400, bad
