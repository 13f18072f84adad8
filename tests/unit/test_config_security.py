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
