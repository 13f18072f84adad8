"""Scheme value handling: normalising, merging, typed answers, requirements."""

from __future__ import annotations

import pytest

from potato_like.config.reader import ConfigReader
from potato_like.errors import BadAnnotation
from potato_like.schemes.registry import scheme_class


def make(kind, tmp_path, **options):
    reader = ConfigReader({"annotation_type": kind, "name": "s", "description": "d", **options})
    scheme = scheme_class(kind)(reader, 0, tmp_path)
    assert reader.problems == []
    return scheme


def test_radio(tmp_path):
    s = make("radio", tmp_path, labels=["a", "b"])
    assert s.merge(None, {"a": "1", "b": "0"}) == {"a": "1"}
    assert s.merge({"a": "1"}, {"b": "true"}) == {"b": "1"}
    assert s.merge({"a": "1"}, {"b": "0"}) == {"a": "1"}
    assert s.merge({"a": "1"}, {"a": ""}) == {}
    assert s.answer({"b": "1"}) == "b"
    with pytest.raises(BadAnnotation, match="choose one"):
        s.merge(None, {"a": "1", "b": "1"})
    with pytest.raises(BadAnnotation, match="unknown label 'c'"):
        s.merge(None, {"c": "1"})


def test_multiselect_with_free_response(tmp_path):
    s = make("multiselect", tmp_path, labels=["a", "b", "c"], has_free_response=True)
    v = s.merge(None, {"a": "1", "c": "1", "free_response": "other thing"})
    assert v == {"a": "1", "c": "1", "free_response": "other thing"}
    assert s.merge(v, {"a": "0"}) == {"c": "1", "free_response": "other thing"}
    assert s.answer(v) == ["a", "c", "other thing"]


def test_likert_scale_values(tmp_path):
    s = make("likert", tmp_path, size=5)
    assert s.merge(None, {"4": "1"}) == {"4": "4"}
    assert s.merge({"4": "4"}, {"2": "2"}) == {"2": "2"}
    assert s.answer({"2": "2"}) == 2
    assert s.key_bindings["1"] == "1"
    with pytest.raises(BadAnnotation):
        s.merge(None, {"6": "1"})


def test_select(tmp_path):
    s = make("select", tmp_path, labels=["x", "y"])
    assert s.merge(None, {"select-one": "y"}) == {"select-one": "y"}
    assert s.merge({"select-one": "y"}, {"x": "1"}) == {"select-one": "x"}
    assert s.merge({"select-one": "y"}, {"select-one": ""}) == {}
    with pytest.raises(BadAnnotation):
        s.merge(None, {"select-one": "z"})


def test_text_and_limits(tmp_path):
    s = make("text", tmp_path)
    assert s.merge(None, {"text_box": "hello"}) == {"text_box": "hello"}
    assert s.merge({"text_box": "hello"}, {"text_box": "  "}) == {}
    assert s.answer({"text_box": "hi"}) == "hi"
    with pytest.raises(BadAnnotation, match="longer than"):
        s.merge(None, {"text_box": "x" * 100_001})
    with pytest.raises(BadAnnotation):
        s.merge(None, {"other": "x"})


def test_number_and_slider_ranges(tmp_path):
    n = make("number", tmp_path, min_value=0, max_value=10)
    assert n.merge(None, {"number": "3.5"}) == {"number": "3.5"}
    assert n.merge(None, {"number": 4}) == {"number": "4"}
    assert n.answer({"number": "4"}) == 4
    for bad in ("11", "-1", "abc", "nan", "inf", True):
        with pytest.raises(BadAnnotation):
            n.merge(None, {"number": bad})
    sl = make("slider", tmp_path, min_value=1, max_value=5, starting_value=3)
    assert sl.merge(None, {"slider": "5"}) == {"slider": "5"}
    with pytest.raises(BadAnnotation, match="above the maximum"):
        sl.merge(None, {"slider": "6"})


def test_requirements(tmp_path):
    s = make(
        "multiselect",
        tmp_path,
        labels=["a", "b"],
        label_requirement={"required": True, "required_label": ["b"]},
    )
    assert s.missing_requirement({}) == "an answer is required"
    assert "label 'b' must be chosen" in s.missing_requirement({"a": "1"})
    assert s.missing_requirement({"b": "1"}) is None
    assert make("radio", tmp_path, labels=["a"], label_requirement=True).required
