"""Agent traces read straight from `data_files` (`item_properties.trace_format`): each trace
of the file becomes an item through the trace-format registry, as `run.py import-traces`
would write it; the trace displays and step-level types serve it; a bad trace stops the
start naming file and line; an unknown format is a config problem with a hint; changing
the format re-imports the unchanged file."""

from __future__ import annotations

import json

import pytest

from potato_like.errors import ConfigError, PotatoLikeError
from tests.conftest import base_config, current_id, login, write_config
from tests.unit.test_trace_import import ANTHROPIC, OPENAI, OTLP


def project(tmp_path, data: str, trace_format: str, **extra):
    config = base_config(
        items_file=data,
        item_properties={"id_key": "id", "text_key": "task_description",
                         "trace_format": trace_format},
        instance_display={"fields": [{"key": "conversation", "type": "agent_trace"}]},
        annotation_schemes=[
            {"annotation_type": "tool_call_review", "name": "calls", "steps_key": "conversation"}
        ],
        **extra,
    )  # fmt: skip
    return write_config(tmp_path, config)


def test_openai_messages_in_a_jsonl_data_file_serve_as_traces(tmp_path, open_app):
    second = {**OPENAI, "id": "chatcmpl-2"}
    (tmp_path / "runs.jsonl").write_text(json.dumps(OPENAI) + "\n" + json.dumps(second) + "\n")
    app = open_app(project(tmp_path, "runs.jsonl", "openai"))
    client = login(app.test_client(), "ann")
    html = client.get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="trace-step"') == 5
    assert "get_weather (step 3)" in html
    assert current_id(client) == "chatcmpl-1"
    items = app.extensions["potato_like"].store.items
    assert items.count() == 2


def test_anthropic_messages_in_a_json_array_with_auto_detection(tmp_path, open_app):
    (tmp_path / "claude.json").write_text(json.dumps([ANTHROPIC]))
    app = open_app(project(tmp_path, "claude.json", "auto"))
    client = login(app.test_client(), "ann")
    assert current_id(client) == "msg_1"
    html = client.get("/annotate").get_data(as_text=True)
    assert "calc" in html and "391" in html


def test_opentelemetry_spans_file_becomes_one_item_per_trace(tmp_path, open_app):
    (tmp_path / "otel.json").write_text(json.dumps(OTLP))
    app = open_app(project(tmp_path, "otel.json", "otel"))
    assert app.extensions["potato_like"].store.items.count() >= 1
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert 'data-testid="trace-step"' in html


def test_a_bad_trace_stops_the_start_naming_file_and_line(tmp_path, open_app):
    (tmp_path / "runs.jsonl").write_text(json.dumps(OPENAI) + "\n{not json\n")
    with pytest.raises(PotatoLikeError) as err:
        open_app(project(tmp_path, "runs.jsonl", "openai"))
    assert "runs.jsonl:2" in str(err.value) and "not valid JSON" in str(err.value)


def test_csv_files_and_unknown_formats_are_refused(tmp_path, open_app):
    with pytest.raises(ConfigError) as err:
        open_app(project(tmp_path, "runs.jsonl", "opneai"))
    assert "item_properties.trace_format: 'opneai' is not a trace format" in str(err.value)
    assert "did you mean 'openai'" in str(err.value).lower()
    (tmp_path / "runs.csv").write_text("id,text\n1,a\n")
    with pytest.raises(PotatoLikeError) as err:
        open_app(project(tmp_path, "runs.csv", "openai"))
    assert "reads .json and .jsonl files only" in str(err.value)


def test_setting_the_format_reimports_an_unchanged_file(tmp_path, open_app):
    (tmp_path / "runs.jsonl").write_text(json.dumps(OPENAI) + "\n")
    plain = base_config(items_file="runs.jsonl", item_properties={"id_key": "id",
                        "text_key": "model"})  # fmt: skip
    app = open_app(write_config(tmp_path, plain))  # the raw rows: no conversation
    assert app.extensions["potato_like"].store.items.count() == 1
    app = open_app(project(tmp_path, "runs.jsonl", "openai"))
    html = login(app.test_client(), "ann").get("/annotate").get_data(as_text=True)
    assert html.count('data-testid="trace-step"') == 5  # converted: the file was read again
