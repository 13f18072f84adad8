"""Validation of `instance_display`: fields, per-type options, layout, errors and warnings."""

from __future__ import annotations

import pytest

from potato_like.config import load_config
from potato_like.displays.registry import NOT_YET, display_class, not_yet_names, type_names
from potato_like.errors import ConfigError
from tests.conftest import REPO, base_config, write_items

BUILT = (
    "text",
    "html",
    "image",
    "video",
    "audio",
    "code",
    "dialogue",
    "pairwise",
    "gallery",
    "spreadsheet",
    "document",
    "pdf",
)


def load(tmp_path, display):
    write_items(tmp_path / "data.jsonl", 2)
    return load_config(base_config(instance_display=display), config_dir=tmp_path)


def problems(tmp_path, display) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, display)
    return err.value.problems


def test_every_planned_type_is_registered():
    assert set(BUILT) <= set(type_names())
    for name in type_names():
        cls = display_class(name)
        shared = {"live_coding_agent": "live_agent"}  # one panel, the kind picks the URLs
        assert cls.template == f"displays/{shared.get(name, name)}.html"
        assert (REPO / "templates" / cls.template).is_file()
        assert cls.description
    assert not set(not_yet_names()) & set(type_names())
    assert set(not_yet_names()) <= set(NOT_YET)


def test_no_instance_display_keeps_the_text_key_display(tmp_path):
    config = load(tmp_path, None)
    assert config.instance_display is None
    assert not any("instance_display" in w for w in config.warnings)


def test_fields_options_and_layout_are_read(tmp_path):
    config = load(
        tmp_path,
        {
            "layout": {"direction": "horizontal", "gap": 24},
            "fields": [
                {"key": "text", "type": "text", "label": "Doc", "span_target": True},
                {
                    "key": "img",
                    "type": "image",
                    "display_options": {"max_width": 600, "max_height": "50vh", "zoomable": False},
                },
                {"key": "code", "type": "code", "display_options": {"highlight_lines": [2, 3]}},
            ],
        },
    )
    display = config.instance_display
    assert display.direction == "horizontal"
    assert display.gap == "24px"
    text, img, code = display.fields
    assert (text.key, text.type, text.label, text.span_target) == ("text", "text", "Doc", True)
    assert img.options["max_width"] == "600px"
    assert img.options["max_height"] == "50vh"
    assert img.options["zoomable"] is False
    assert code.options["highlight_lines"] == (2, 3)
    assert code.options["show_line_numbers"] is True  # a default
    assert display.span_field("text") == "text"


def test_unknown_type_gets_did_you_mean(tmp_path):
    found = problems(tmp_path, {"fields": [{"key": "img", "type": "imag"}]})
    assert len(found) == 1
    assert found[0].startswith("instance_display.fields[0].type: unknown display type 'imag'")
    assert "did you mean 'image'?" in found[0]


@pytest.mark.parametrize("kind", ["live_agent", "live_coding_agent"])
def test_the_live_agent_types_load(tmp_path, kind):
    config = load(tmp_path, {"fields": [{"key": "x", "type": kind}]})
    assert config.instance_display.fields[0].type == kind


def test_all_problems_are_reported_at_once_with_key_paths(tmp_path):
    found = problems(
        tmp_path,
        {
            "layout": {"direction": "diagonal"},
            "fields": [
                {"type": "text"},
                {"key": "a", "type": "image", "display_options": {"max_width": "wide"}},
                {"key": "b", "type": "video", "display_options": {"autoplay": "maybe"}},
                "not a mapping",
                {"key": "c", "type": "dialogue", "display_options": {"max_indent_depth": -1}},
            ],
        },
    )
    text = "\n".join(found)
    assert (
        "instance_display.layout.direction: 'diagonal' is not one of vertical, horizontal" in text
    )
    assert "instance_display.fields[0].key: is required" in text
    assert "instance_display.fields[1].display_options.max_width: must be a size" in text
    assert "instance_display.fields[2].display_options.autoplay: must be true or false" in text
    assert "instance_display.fields[3]: must be a mapping, got a string" in text
    assert "instance_display.fields[4].display_options.max_indent_depth: must be at least 0" in text


def test_unknown_and_later_options_warn_and_load(tmp_path):
    config = load(
        tmp_path,
        {
            "resizable": True,
            "fields": [
                {
                    "key": "text",
                    "type": "text",
                    "colour": "red",
                    "display_options": {"colapsible": True},
                },
                {"key": "a", "type": "audio", "display_options": {"show_waveform": True}},
                {"key": "d", "type": "dialogue", "span_target": True},
                {"key": "i", "type": "image", "span_target": True},
            ],
        },
    )
    warnings = "\n".join(config.warnings)
    assert "instance_display.resizable: accepted but not implemented yet" in warnings
    assert "instance_display.fields[0].colour: unknown key, ignored" in warnings
    assert (
        "instance_display.fields[0].display_options.colapsible: unknown key, ignored "
        "(did you mean 'collapsible'?)" in warnings
    )
    assert "instance_display.fields[1].display_options.show_waveform: accepted but not" in warnings
    assert (
        "instance_display.fields[2].span_target: span annotation works on fields shown as text"
        in warnings
    )
    assert "fields[3].span_target: display type 'image' cannot host span annotation" in warnings
    assert len(config.instance_display.fields) == 4


def test_empty_fields_fall_back_with_a_warning(tmp_path):
    config = load(tmp_path, {"fields": []})
    assert config.instance_display is None
    assert any("instance_display.fields: no fields listed" in w for w in config.warnings)


def test_conversation_tree_options_may_sit_on_the_field_as_in_potato(tmp_path):
    config = load(
        tmp_path,
        {
            "fields": [
                {
                    "key": "t",
                    "type": "conversation_tree",
                    "collapsed_depth": 1,
                    "node_style": "compact",
                },
                {
                    "key": "u",
                    "type": "conversation_tree",
                    "collapsed_depth": 1,
                    "display_options": {"collapsed_depth": 3},
                },
                {"key": "v", "type": "text", "collapsed_depth": 1},
            ]
        },
    )
    first, second, _text = config.instance_display.fields
    assert first.options["collapsed_depth"] == 1 and first.options["node_style"] == "compact"
    assert second.options["collapsed_depth"] == 3  # display_options wins
    warnings = "\n".join(config.warnings)
    assert "fields[0].collapsed_depth" not in warnings
    assert "instance_display.fields[2].collapsed_depth: unknown key, ignored" in warnings
