"""Config checks added for the security review (issue 13): warnings shown with errors, codebook
links that cannot leave the project or run script, Prolific ids safe to put in API paths."""

from __future__ import annotations

import pytest

from potato_like.cli import main
from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, write_config, write_items


@pytest.fixture
def config_path(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)

    def write(**overrides):
        config = base_config(**overrides)
        for key in [k for k, v in overrides.items() if v is None]:
            config.pop(key)
        return write_config(tmp_path, config)

    return write


def test_check_shows_warnings_next_to_errors(config_path, capsys):
    # The typo is both the cause of the error (no schemes) and of the hint that explains it.
    path = config_path(annotation_schemes=None, annotation_shemes=[{"annotation_type": "radio"}])
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert "annotation_schemes: is required" in err
    assert "warning: annotation_shemes" in err and "annotation_schemes" in err.split("warning:")[1]


def test_config_error_carries_the_warnings(config_path):
    path = config_path(annotation_schemes=None, annotation_shemes=[])
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert any("annotation_shemes" in w for w in info.value.warnings)


def test_start_shows_warnings_next_to_errors(config_path, capsys):
    path = config_path(annotation_schemes=None, annotation_shemes=[])
    assert main([str(path), "--port", "0"]) == 1
    assert "warning: annotation_shemes" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "//evil.example/codebook",
        "/\\evil.example/codebook",
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https:///no-host",
        "http://exa mple.org/",
        "ftp://example.org/codebook.pdf",
    ],
)
def test_codebook_link_must_be_http_or_on_this_server(config_path, url):
    with pytest.raises(ConfigError) as info:
        load_config(config_path(annotation_codebook_url=url))
    assert any(p.startswith("annotation_codebook_url:") for p in info.value.problems)


@pytest.mark.parametrize(
    "url", ["https://example.org/codebook.pdf", "http://example.org/c?x=1#y", "/static/cb.pdf"]
)
def test_codebook_link_accepts_http_and_project_paths(config_path, url):
    assert load_config(config_path(annotation_codebook_url=url)).annotation_codebook_url == url


def test_codebook_link_changed_at_run_time_is_checked_too():
    from potato_like.config.validate import runtime_fields

    _fields, problems, _warnings = runtime_fields({"annotation_codebook_url": "//evil.example"})
    assert problems and problems[0].startswith("annotation_codebook_url:")


@pytest.mark.parametrize("study_id", ["..", "../../users", "S", "65f0c0ffee0000000000beef/x"])
def test_prolific_study_id_must_be_a_prolific_id(config_path, study_id):
    for block in (
        {"prolific": {"study_id": study_id}, "login": {"type": "prolific"}},
        {"crowdsourcing": {"provider": "prolific", "prolific": {"study_id": study_id}}},
    ):
        with pytest.raises(ConfigError) as info:
            load_config(config_path(**block))
        assert any("study_id" in p and "24 hex" in p for p in info.value.problems), block


def test_prolific_study_id_of_24_hex_digits_is_accepted(config_path):
    cfg = load_config(
        config_path(prolific={"study_id": "65f0c0ffee0000000000beef"}, login={"type": "prolific"})
    )
    assert cfg.crowd.study_id == "65f0c0ffee0000000000beef"
