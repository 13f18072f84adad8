"""Packaging: potato_like.web_files_dir finds templates/ and static/ in a checkout and in an
installed wheel (where setup.py puts them inside the package as _templates and _static), and
the Dockerfile builds its wheel from the same files as tests/web/test_wheel_install.py."""

from __future__ import annotations

import re

import pytest

import potato_like
from tests.conftest import REPO

# What `pip wheel .` reads from a checkout.
BUILD_INPUTS = (
    "setup.py",
    "setup.cfg",
    "pyproject.toml",
    "README.md",
    "MANIFEST.in",
    "potato_like",
    "templates",
    "static",
)


@pytest.mark.parametrize("name", ["templates", "static"])
def test_a_checkout_serves_the_top_level_directories(name):
    assert potato_like.web_files_dir(name) == REPO / name


@pytest.mark.parametrize("name", ["templates", "static"])
def test_an_installed_copy_inside_the_package_comes_first(name, tmp_path, monkeypatch):
    package = tmp_path / "site-packages" / "potato_like"
    (package / f"_{name}").mkdir(parents=True)
    # A stray directory of the same name beside the package (site-packages) is not used.
    (tmp_path / "site-packages" / name).mkdir()
    monkeypatch.setattr(potato_like, "PACKAGE", package)
    monkeypatch.setattr(potato_like, "ROOT", package.parent)
    assert potato_like.web_files_dir(name) == package / f"_{name}"


def test_a_missing_directory_names_where_it_looked(tmp_path, monkeypatch):
    package = tmp_path / "potato_like"
    monkeypatch.setattr(potato_like, "PACKAGE", package)
    monkeypatch.setattr(potato_like, "ROOT", tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        potato_like.web_files_dir("static")
    assert str(package / "_static") in str(err.value)
    assert str(tmp_path / "static") in str(err.value)


def test_only_the_two_web_directories_are_known():
    with pytest.raises(ValueError, match="templates"):
        potato_like.web_files_dir("migrations")


def test_the_docker_image_builds_and_installs_the_wheel_from_the_tested_inputs():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    _, build_stage, final_stage = re.split(r"^FROM ", dockerfile, flags=re.M)
    copied = set()
    for sources in re.findall(r"^COPY (.+) \S+$", build_stage, re.M):
        copied.update(sources.split())
    assert copied == set(BUILD_INPUTS)
    assert "pip wheel --no-deps" in build_stage
    assert re.search(r"pip install .*/dist/potato_like-\*\.whl", final_stage)
    assert "-e " not in final_stage
    assert 'ENTRYPOINT ["potato-like"]' in final_stage
