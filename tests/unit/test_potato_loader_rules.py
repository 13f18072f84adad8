"""Loader rules that let Potato's configs load (issue 15 part 1): Potato's way of writing
"unset", extra label keys, data_files/data_sources/data_directory shapes, overlap mappings,
unset environment variables, items without the text field, YAML's yes/no booleans."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from potato_like.config import load_config
from potato_like.errors import BadAnnotation, ConfigError
from potato_like.project import Project
from tests.conftest import REPO, base_config, radio, write_config, write_items


@pytest.fixture
def project_dir(tmp_path):
    write_items(tmp_path / "data.jsonl", 3)
    return tmp_path


def load(project_dir, text=None, **overrides):
    """Load a config written as YAML text (to keep YAML's own reading) or from overrides."""
    path = project_dir / "config.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    else:
        write_config(project_dir, base_config(**overrides))
    return load_config(path)


def problems_of(project_dir, text=None, **overrides) -> str:
    with pytest.raises(ConfigError) as err:
        load(project_dir, text, **overrides)
    return "\n".join(err.value.problems)


# -- 1. empty strings for optional keys mean unset ---------------------------------------


def test_empty_codebook_url_is_unset(project_dir):
    cfg = load(project_dir, annotation_codebook_url="", server_name="", secret_key="")
    assert cfg.annotation_codebook_url is None
    assert not [w for w in cfg.warnings if "annotation_codebook_url" in w]


def test_non_empty_codebook_url_keeps_its_security_check(project_dir):
    text = problems_of(project_dir, annotation_codebook_url="javascript:alert(1)")
    assert "annotation_codebook_url: 'javascript:alert(1)' must be an http(s) URL" in text
    assert load(project_dir, annotation_codebook_url="/codebook").annotation_codebook_url


def test_empty_required_key_is_still_a_problem(project_dir):
    assert "annotation_task_name: must not be empty" in problems_of(
        project_dir, annotation_task_name="  "
    )


# -- 2. label keys ------------------------------------------------------------------------


def test_unknown_label_keys_warn_with_a_hint_and_load(project_dir):
    labels = [
        {"name": "pos", "description": "good", "videopath": "a.mp4", "label": "x"},
        {"name": "neg", "tooltp": "typo"},
    ]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    warnings = "\n".join(cfg.warnings)
    assert cfg.schemes[0].label_names == ["pos", "neg"]
    for key in ("description", "videopath", "label"):
        assert f"annotation_schemes[0].labels[0].{key}: unknown label key, ignored" in warnings
    assert "labels[1].tooltp: unknown label key, ignored (did you mean 'tooltip'?)" in warnings


def test_displayed_label_is_shown_and_the_name_is_stored(project_dir):
    labels = [{"name": "pos", "displayed_label": "Positive 🙂"}, "neg"]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    pos = cfg.schemes[0].labels[0]
    assert (pos.name, pos.shown) == ("pos", "Positive 🙂")
    assert cfg.schemes[0].normalize({"pos": "1"}) == {"pos": "1"}


def test_key_binding_replaces_the_default_number_key(project_dir):
    labels = [{"name": "yes", "key_binding": "Y"}, "no", "unsure"]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    # The single radio scheme binds 1, 2, ... to labels without their own key.
    assert cfg.schemes[0].key_bindings == {"y": "yes", "1": "no", "2": "unsure"}


def test_key_binding_clash_warns_and_drops_the_binding(project_dir):
    labels = [{"name": "a", "key_value": "x"}, {"name": "b", "key_binding": "x"}, "c"]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    assert cfg.schemes[0].key_bindings["x"] == "a"
    assert "b" not in [v for k, v in cfg.schemes[0].key_bindings.items() if k == "x"]
    assert any("key 'x' is bound to both 'a' and 'b'; 'b' gets no key" in w for w in cfg.warnings)
    # An earlier key_binding gives way to a later key_value.
    labels = [{"name": "a", "key_binding": "x"}, {"name": "b", "key_value": "x"}]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    assert cfg.schemes[0].key_bindings["x"] == "b"


def test_bad_key_binding_is_a_problem(project_dir):
    labels = [{"name": "a", "key_binding": "ctrl+a"}]
    text = problems_of(project_dir, annotation_schemes=[radio("s", labels)])
    assert "labels[0].key_binding: must be a single printable character" in text


# -- 3. data_files entries and overlap mappings --------------------------------------------


def test_data_files_entries_may_be_mappings(project_dir):
    write_items(project_dir / "more.jsonl", 2, prefix="more")
    entries = [
        {"path": "data.jsonl", "type": "json"},
        {"path": "more.jsonl", "format": "jsonl", "encoding": "utf-8", "text_key": "text"},
    ]
    cfg = load(project_dir, data_files=entries)
    assert cfg.data_files == (project_dir / "data.jsonl", project_dir / "more.jsonl")
    warnings = "\n".join(cfg.warnings)
    assert "data_files[0].type: 'json' ignored: the file's extension decides" in warnings
    assert "data_files[1].text_key: ignored" in warnings


def test_bad_data_files_mapping_entries_are_problems(project_dir):
    text = problems_of(
        project_dir,
        data_files=[
            {"type": "json"},
            {"path": "nope.jsonl"},
            {"path": "data.jsonl", "encoding": "x"},
        ],
    )
    assert "data_files[0].path: is required" in text
    assert "data_files[1]: file not found" in text
    assert "data_files[2].encoding: unknown encoding 'x'" in text


def test_num_annotators_per_item_mapping_uses_default(project_dir):
    overlap = {
        "default": 2,
        "overlap_sample": {"fraction": 0.2, "count": 3, "stratify_by": "domain", "seed": 42},
    }
    cfg = load(project_dir, num_annotators_per_item=overlap)
    assert cfg.max_annotations_per_item == 2
    sample = cfg.overlap_plan.sample  # applied as per-item caps (tests/web/test_overlap_plan.py)
    assert (sample.fraction, sample.count, sample.stratify_by, sample.seed) == (
        0.2,
        3,
        "domain",
        42,
    )
    assert not any("overlap_sample" in w for w in cfg.warnings)
    cfg = load(project_dir, max_annotations_per_item={"default": 3})
    assert cfg.max_annotations_per_item == 3


def test_overlap_mapping_is_checked_like_potato(project_dir):
    text = problems_of(
        project_dir,
        num_annotators_per_item={"default": 2, "overlap_sample": {"fraction": 2, "count": 2}},
    )
    assert "num_annotators_per_item.overlap_sample.fraction: must be at most 1" in text
    assert "num_annotators_per_item.overlap_sample.count: must be greater than default" in text


# -- 4. unset environment variables --------------------------------------------------------


def test_unset_variable_in_an_unused_block_warns(project_dir, monkeypatch):
    monkeypatch.delenv("UNSET_LOADER_KEY", raising=False)
    cfg = load(
        project_dir,
        ai_support={"enabled": False, "ai_config": {"api_key": "${UNSET_LOADER_KEY}"}},
        secret_key="${UNSET_LOADER_KEY}",
    )
    warnings = "\n".join(cfg.warnings)
    assert (
        "ai_support.ai_config.api_key: environment variable UNSET_LOADER_KEY is not set" in warnings
    )
    assert cfg.secret_key is None  # unset: the project's own secret file is used


def test_unset_variable_fails_where_a_used_feature_needs_it(project_dir, monkeypatch):
    monkeypatch.delenv("UNSET_LOADER_KEY", raising=False)
    text = problems_of(
        project_dir,
        annotation_task_name="${UNSET_LOADER_KEY}",
        database_url="postgresql://u:${UNSET_LOADER_KEY}@db/x",
    )
    assert (
        "annotation_task_name: is required (environment variable UNSET_LOADER_KEY is not set)"
        in text
    )
    assert "database_url: environment variable UNSET_LOADER_KEY is not set" in text


# -- 5. data_sources and data_directory ----------------------------------------------------


def test_data_sources_refused_types_name_the_reason(project_dir):
    # The fetched types (url, google_drive, dropbox) are tested against a local server in
    # tests/web/test_remote_data_sources.py, `database` in tests/web/test_database_source.py.
    raw = base_config(
        data_sources=[
            {"type": "file", "path": "data.jsonl", "id": "local"},
            {"type": "database", "connection_string": "sqlite:///x.db", "query": "SELECT 1"},
            {"type": "s3", "bucket": "b", "key": "k"},
        ]
    )
    del raw["data_files"]
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, raw))
    text = str(err.value)
    assert "data_sources[1].connection_string: database source 'database-1'" in text
    assert "cannot open the SQLite file" in text  # x.db does not exist (and is not created)
    assert "data_sources[2].type: 's3' sources are not supported: it needs AWS credentials" in text
    assert "list it as `type: file`" in text


def test_data_directory_without_data_files_loads_its_files(project_dir):
    inbox = project_dir / "inbox"
    inbox.mkdir()
    write_items(inbox / "a.jsonl", 2, prefix="a")
    (inbox / "b.csv").write_text("id,text\nb_1,hello\n", encoding="utf-8")
    (inbox / "notes.txt").write_text("not data", encoding="utf-8")
    (inbox / ".partial.jsonl").write_text("{", encoding="utf-8")
    raw = base_config(data_directory="inbox")
    del raw["data_files"]
    cfg = load_config(write_config(project_dir, raw))
    assert cfg.data_files == () and cfg.data_directory.path == inbox
    project = Project.open(cfg)
    try:
        assert project.store.items.count() == 3
    finally:
        project.close()


def test_data_directory_problems(project_dir):
    raw = base_config(data_directory="missing", watch_poll_interval=0.1)
    del raw["data_files"]
    with pytest.raises(ConfigError) as err:
        load_config(write_config(project_dir, raw))
    text = str(err.value)
    assert "data_directory: directory not found" in text
    assert "watch_poll_interval: must be at least 1" in text


# -- 6. items without the text field --------------------------------------------------------


def test_items_without_text_key_load_with_one_warning(project_dir):
    rows = [
        {"id": "a", "text": "has text"},
        {"id": "b", "image": "cat.png", "caption": "a cat"},
        {"id": "c", "image": "dog.png"},
    ]
    (project_dir / "mixed.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    project = Project.open(load(project_dir, data_files=["mixed.jsonl"]))
    try:
        assert project.store.items.count() == 3
        item = project.store.items.by_id("b")
        assert json.loads(item.text) == {"image": "cat.png", "caption": "a cat"}
        warnings = project.import_report.warnings
        assert warnings == [
            "2 item(s) have no 'text' field (item_properties.text_key; first at "
            "mixed.jsonl:2); they are shown with their other fields"
        ]
    finally:
        project.close()


@pytest.mark.slow
def test_check_prints_the_missing_text_warning(project_dir):
    (project_dir / "notext.jsonl").write_text('{"id": "a", "body": "x"}\n', encoding="utf-8")
    config = write_config(project_dir, base_config(items_file="notext.jsonl"))
    proc = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "check", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "warning: 1 item(s) have no 'text' field" in proc.stderr


# -- 7. YAML booleans -------------------------------------------------------------------------


def test_yes_no_labels_say_quote_yes_no(project_dir):
    text = """
annotation_task_name: t
data_files: [data.jsonl]
item_properties: {id_key: id, text_key: text}
annotation_schemes:
  - annotation_type: radio
    name: answer
    description: Is it?
    labels: [yes, no]
  - annotation_type: radio
    name: other
    description: Other?
    labels:
      - name: on
"""
    problems = problems_of(project_dir, text)
    assert "annotation_schemes[0].labels[0]: a label is a string or a mapping" in problems
    assert "quote yes/no" in problems
    assert "annotation_schemes[1].labels[0].name: is required; YAML reads unquoted" in problems


def test_quoted_yes_no_labels_load(project_dir):
    cfg = load(project_dir, annotation_schemes=[radio("answer", ["yes", "no"])])
    assert cfg.schemes[0].label_names == ["yes", "no"]


def test_data_sources_details(project_dir):
    write_items(project_dir / "other.jsonl", 1, prefix="other")
    raw = base_config(
        data_files=["other.jsonl"],
        data_sources=[
            {"type": "file", "path": "data.jsonl", "encoding": "latin-1"},
            {"type": "file", "path": "other.jsonl", "enabled": False},
        ],
    )
    cfg = load_config(write_config(project_dir, raw))
    assert cfg.data_files == (project_dir / "data.jsonl",)
    warnings = "\n".join(cfg.warnings)
    assert "data_files: ignored because data_sources is set" in warnings
    # the declared encoding is used (tests/web/test_data_encodings.py)
    assert cfg.data_file_options.for_files(cfg.data_files)[str(cfg.data_files[0])].encoding == (
        "iso8859-1"
    )
    raw["data_sources"] = [{"type": "ftp", "path": "x"}, {"path": "data.jsonl"}]
    text = problems_of(project_dir, **{k: v for k, v in raw.items()})
    assert "data_sources[0].type: 'ftp' is not one of file, url" in text
    assert "data_sources[1].type: is required" in text


def test_key_value_wins_over_key_binding(project_dir):
    labels = [{"name": "a", "key_value": "a", "key_binding": "b"}]
    cfg = load(project_dir, annotation_schemes=[radio("s", labels)])
    assert cfg.schemes[0].labels[0].key == "a"
    assert any("key_binding: ignored because key_value 'a' is also set" in w for w in cfg.warnings)


def test_text_scheme_with_one_empty_label_is_one_box(project_dir):
    scheme = {"annotation_type": "text", "name": "comments", "description": "c", "labels": [""]}
    cfg = load(project_dir, annotation_schemes=[scheme])
    assert cfg.schemes[0].label_names == ["text_box"]


def test_plain_text_answer_fits_a_text_scheme_with_one_named_box(project_dir):
    scheme = {"annotation_type": "text", "name": "r", "description": "r", "labels": ["response"]}
    text = load(project_dir, annotation_schemes=[scheme]).schemes[0]
    assert text.from_answer("my words") == {"response": "my words"}
    two = dict(scheme, labels=["a", "b"])
    with pytest.raises(BadAnnotation, match="give the answer as"):
        load(project_dir, annotation_schemes=[two]).schemes[0].from_answer("x")
