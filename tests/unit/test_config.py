"""Config loading and validation: every problem at once, with key paths; warnings for the rest."""

from __future__ import annotations

import json

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config, write_items


@pytest.fixture
def project_dir(tmp_path):
    write_items(tmp_path / "data.jsonl", 3)
    return tmp_path


def test_minimal_potato_config_loads_with_defaults(project_dir):
    cfg = load_config(write_config(project_dir, base_config()))
    assert cfg.annotation_task_name == "Test task"
    assert cfg.data_files == (project_dir / "data.jsonl",)
    assert cfg.output_dir == project_dir / "out"
    assert cfg.assignment_strategy == "fixed_order"
    assert cfg.max_annotations_per_item is None and cfg.max_annotations_per_user is None
    assert cfg.assignment_timeout_minutes == 60
    assert cfg.sqlite_path == project_dir / "out" / "potato_like.sqlite3"
    assert cfg.schemes[0].key_bindings == {"1": "positive", "2": "negative", "3": "neutral"}


def test_json_config_and_env_expansion(project_dir, monkeypatch):
    monkeypatch.setenv("TASK_NAME", "From env")
    raw = base_config(annotation_task_name="${TASK_NAME}", server_name="${MISSING:-fallback}")
    path = project_dir / "config.json"
    path.write_text(json.dumps(raw))
    cfg = load_config(path)
    assert cfg.annotation_task_name == "From env" and cfg.server_name == "fallback"


def test_missing_env_variable_is_a_problem_where_the_value_is_needed(project_dir):
    raw = base_config(database_url="${NOT_SET_ANYWHERE_123}")
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, raw))
    assert "database_url: environment variable NOT_SET_ANYWHERE_123 is not set" in str(err.value)


def test_every_problem_is_listed_with_its_key_path(project_dir):
    raw = base_config(
        data_files=["data.jsonl", "missing.jsonl", "notes.txt"],
        assignment_strategy="randon",
        max_annotations_per_item="three",
        port=99999,
        annotation_schemes=[
            {"annotation_type": "radoi", "name": "a", "description": "x"},
            {"annotation_type": "radio", "name": "b", "description": "x", "labels": ["p", "p"]},
            {"annotation_type": "radio", "name": "b", "description": "x", "labels": ["q"]},
            {
                "annotation_type": "slider",
                "name": "s",
                "description": "x",
                "min_value": 5,
                "max_value": 1,
            },
            {"annotation_type": "likert", "name": "l", "description": "x"},
            {
                "annotation_type": "radio",
                "name": "c:d",
                "description": "x",
                "labels": [{"tooltip": "no name"}],
            },
            "not a mapping",
        ],
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, raw))
    problems = err.value.problems
    text = "\n".join(problems)
    assert "data_files[1]: file not found" in text
    assert "data_files[2]: 'notes.txt' has an unsupported type" in text
    assert "assignment_strategy: 'randon' is not one of" in text and "did you mean 'random'" in text
    assert "max_annotations_per_item: must be a whole number" in text
    assert "port: must be at most 65535" in text
    assert "annotation_schemes[0].annotation_type: 'radoi' is not supported" in text
    assert "annotation_schemes[1].labels[1]: duplicate label 'p'" in text
    assert "annotation_schemes[2].name: duplicate scheme name 'b'" in text
    assert "annotation_schemes[3].max_value: must be greater than min_value" in text
    assert "annotation_schemes[4].size: is required" in text
    assert "annotation_schemes[5].name: 'c:d' must not contain ':'" in text
    assert "annotation_schemes[5].labels[0].name: is required" in text
    assert "annotation_schemes[6]: must be a mapping" in text
    assert len(problems) >= 13


def test_required_top_level_keys(project_dir):
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, {"port": 8000}))
    text = str(err.value)
    for key in ("annotation_task_name", "data_files", "item_properties", "annotation_schemes"):
        assert f"{key}:" in text


def test_unknown_keys_warn_with_did_you_mean_and_known_potato_keys_are_accepted(project_dir):
    raw = base_config(assigment_strategy="random", rbac={"enabled": True}, rooms={})
    raw["annotation_schemes"][0]["sequential_key_bindng"] = True
    cfg = load_config(write_config(project_dir, raw))
    warnings = "\n".join(cfg.warnings)
    assert (
        "assigment_strategy: unknown key, ignored (did you mean 'assignment_strategy'?)" in warnings
    )
    assert "rbac: accepted but not implemented yet" in warnings
    assert "rooms: accepted but not implemented yet" in warnings
    assert "annotation_schemes[0].sequential_key_bindng: unknown key" in warnings
    assert "did you mean 'sequential_key_binding'" in warnings


def test_invalid_yaml_and_non_mapping(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("annotation_task_name: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    assert "bad.yaml:" in str(err.value) and "invalid YAML" in str(err.value)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(listy)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_paths_resolve_relative_to_config_and_task_dir(tmp_path):
    (tmp_path / "proj" / "data").mkdir(parents=True)
    write_items(tmp_path / "proj" / "data" / "items.jsonl", 2)
    raw = base_config(
        task_dir="proj", data_files=["data/items.jsonl"], output_annotation_dir="results"
    )
    cfg = load_config(write_config(tmp_path, raw))
    assert cfg.task_dir == tmp_path / "proj"
    assert cfg.data_files == (tmp_path / "proj" / "data" / "items.jsonl",)
    assert cfg.output_dir == tmp_path / "proj" / "results"


def test_aliases_and_potato_spellings(project_dir):
    cfg = load_config(
        write_config(
            project_dir,
            base_config(
                num_annotators_per_item=3,
                require_no_password=True,
                require_password=True,
                annotation_instructions="<b>Read</b><script>alert(1)</script>",
            ),
        )
    )
    assert cfg.max_annotations_per_item == 3
    assert cfg.require_password is False
    assert cfg.instructions_html == "<b>Read</b>"
    assert (
        load_config(
            write_config(project_dir, base_config(max_annotations_per_user=-1))
        ).max_annotations_per_user
        is None
    )


def test_admin_key_from_environment(project_dir, monkeypatch):
    raw = base_config()
    del raw["admin_api_key"]
    monkeypatch.setenv("POTATO_ADMIN_API_KEY", "env-key-abcdefgh")
    assert load_config(write_config(project_dir, raw)).admin_api_key == "env-key-abcdefgh"
    # A short key is a warning (run.py refuses to listen beyond loopback with it).
    warnings = load_config(write_config(project_dir, base_config(admin_api_key="short"))).warnings
    assert any("admin_api_key" in w and "at least 32" in w for w in warnings)


def test_every_simple_scheme_type_parses(project_dir):
    (project_dir / "countries.txt").write_text("France\nPeru\n\nJapan\n")
    cfg = load_config(
        write_config(
            project_dir,
            base_config(
                annotation_schemes=[
                    {
                        "annotation_type": "radio",
                        "name": "r",
                        "description": "r",
                        "labels": ["a", "b"],
                        "horizontal": True,
                    },
                    {
                        "annotation_type": "multiselect",
                        "name": "m",
                        "description": "m",
                        "labels": ["x", "y"],
                        "has_free_response": {"instruction": "Other:"},
                        "sequential_key_binding": True,
                    },
                    {
                        "annotation_type": "likert",
                        "name": "l",
                        "description": "l",
                        "size": 5,
                        "min_label": "disagree",
                        "max_label": "agree",
                    },
                    {
                        "annotation_type": "select",
                        "name": "s",
                        "description": "s",
                        "labels": "countries.txt",
                    },
                    {
                        "annotation_type": "text",
                        "name": "t",
                        "description": "t",
                        "textarea": {"on": True, "rows": 4},
                    },
                    {
                        "annotation_type": "number",
                        "name": "n",
                        "description": "n",
                        "min_value": 0,
                        "max_value": 10,
                    },
                    {
                        "annotation_type": "slider",
                        "name": "sl",
                        "description": "sl",
                        "min_value": 0,
                        "max_value": 100,
                        "starting_value": 50,
                    },
                ]
            ),
        )
    )
    by = {s.name: s for s in cfg.schemes}
    assert by["m"].free_response == "Other:" and by["m"].key_bindings == {"1": "x", "2": "y"}
    assert by["l"].label_names == ["1", "2", "3", "4", "5"]
    assert by["s"].label_names == ["France", "Peru", "Japan"]
    assert by["t"].multiline and by["t"].rows == 4
    assert by["sl"].starting_value == 50


def test_label_key_clashes_and_required_label_typos(project_dir):
    raw = base_config(
        annotation_schemes=[
            {
                "annotation_type": "multiselect",
                "name": "m",
                "description": "m",
                "labels": [{"name": "a", "key_value": "x"}, {"name": "b", "key_value": "x"}],
                "label_requirement": {"required_label": "c"},
            },
        ]
    )
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, raw))
    text = str(err.value)
    assert "key 'x' is bound to both 'a' and 'b'" in text
    assert "required_label 'c' is not a label of this scheme" in text


def test_empty_env_default_leaves_optional_keys_unset(project_dir):
    cfg = load_config(
        write_config(
            project_dir, base_config(secret_key="${NOPE_SECRET:-}", database_url="${NOPE_DB:-}")
        )
    )
    assert cfg.secret_key is None and cfg.database_url is None
