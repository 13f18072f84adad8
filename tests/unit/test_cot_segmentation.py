"""Potato's cot_segmentation: long reasoning split into steps at import, by each strategy,
with offsets into the source; the config block is checked; a project serves the steps to
cot_trace and process_reward, and changing the settings imports the data again."""

from __future__ import annotations

import json

import pytest
import yaml

from potato_like.config import load_config
from potato_like.data.cot_segmentation import CotSegmentation
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, write_config

TEXT = "1. Read the question.\n2. Compute 6 x 3 = 18.\n3. Final answer: 18."


def texts(steps):
    return [s["text"] for s in steps]


@pytest.mark.parametrize(
    ("strategy", "text", "expected"),
    [
        ("numbered", TEXT, ["1. Read the question.", "2. Compute 6 x 3 = 18.", "3. Final answer: 18."]),
        ("blank_line", "First part.\n\n  Second part.\n \nThird.", ["First part.", "Second part.", "Third."]),
        ("markers", "<step>look</step><step>add</step>", ["look", "add"]),
        ("sentence", "It rains. So wet! Why? ok then.", ["It rains.", "So wet!", "Why? ok then."]),
        ("auto", "<think>a</think>\n\nb", ["a", "b"]),  # markers first
        ("auto", TEXT, ["1. Read the question.", "2. Compute 6 x 3 = 18.", "3. Final answer: 18."]),
        ("auto", "one line only", ["one line only"]),
    ],
)  # fmt: skip
def test_strategies_split_where_they_should(strategy, text, expected):
    steps = CotSegmentation("r", strategy=strategy).segment(text)
    assert texts(steps) == expected
    for s in steps:
        assert text[s["char_start"] : s["char_end"]] == s["text"]
    assert [s["index"] for s in steps] == list(range(len(expected)))


def test_merging_capping_and_types():
    seg = CotSegmentation("r", strategy="sentence", min_step_chars=12, max_steps=2)
    assert texts(seg.segment("Hi. This is longer text. Ok. And one more here.")) == [
        "Hi. This is longer text. Ok.",
        "And one more here.",
    ]
    types = [
        s["type"]
        for s in CotSegmentation("r").segment(
            "Let me see.\n\nsearch(x)\n\nObservation: 3\n\nFinal answer: 3"
        )
    ]
    assert types == ["thought", "action", "observation", "answer"]
    assert CotSegmentation("r").segment("   ") == []
    kept = {"r": "a\n\nb", "cot_steps": [{"text": "given"}]}
    assert CotSegmentation("r").apply(kept) is kept  # pre-segmented data is left alone


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({"strategy": "auto"}, "cot_segmentation.source_key"),
        ({"source_key": "r", "strategy": "paragraph"}, "strategy"),
        ({"source_key": "r", "max_steps": "many"}, "max_steps"),
        ({"source_key": "r", "markers": {"a": 1}}, "markers"),
    ],
)
def test_bad_blocks_are_refused(tmp_path, block, message):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "t"}\n')
    with pytest.raises(ConfigError, match=message):
        load_config(write_config(tmp_path, base_config(cot_segmentation=block)))


def test_llm_strategy_warns_and_segments_as_auto(tmp_path):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "t"}\n')
    config = load_config(
        write_config(tmp_path, base_config(cot_segmentation={"source_key": "r", "strategy": "llm"}))
    )
    assert any("'llm' is not built" in w for w in config.warnings)
    assert texts(config.cot_segmentation.segment(TEXT))[0] == "1. Read the question."


def test_a_project_serves_the_steps_and_reimports_when_settings_change(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_text(
        json.dumps({"id": "a", "text": "q", "reasoning": TEXT}) + "\n"
    )
    config = base_config(
        cot_segmentation={"source_key": "reasoning", "strategy": "numbered"},
        instance_display={"fields": [{"key": "cot_steps", "type": "cot_trace"}]},
        annotation_schemes=[
            {
                "annotation_type": "process_reward",
                "name": "prm",
                "steps_key": "cot_steps",
                "step_text_key": "text",
            }
        ],
    )
    path = write_config(tmp_path, config)
    app = open_app(path)
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="step-row"') == 3
    assert "2. Compute 6 x 3 = 18." in html
    app.extensions["potato_like"].close()

    config["cot_segmentation"]["strategy"] = "sentence"  # "18." ends a sentence: 4 steps
    path.write_text(yaml.safe_dump(config))
    app = open_app(path)
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="step-row"') == 4
