"""A normal install works: build the wheel, install it into a fresh virtual environment and
serve the quick start from a directory that is neither the repo nor the project.

Nothing is downloaded: the wheel is built with the running environment's setuptools and wheel
(`--no-build-isolation`, both in the dev extras), installed with `--no-deps --no-index`, and the
fresh environment finds the dependencies through a .pth file naming the running environment's
site-packages (a plain path entry: an editable install of potato_like there is not activated,
and the venv's own site-packages comes first).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO
from tests.unit.test_packaging import BUILD_INPUTS
from tests.web.test_real_server import free_port

pytestmark = pytest.mark.slow
PIP = (sys.executable, "-m", "pip")


def copy_build_inputs(dest: Path) -> Path:
    """A copy of the sources, so the build's build/ and egg-info stay out of the checkout."""
    dest.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.py[co]", "*.egg-info", "build")
    for name in BUILD_INPUTS:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return dest


def build_wheel(src: Path, out: Path) -> Path:
    pytest.importorskip("wheel", reason="the dev extras install `wheel`")
    subprocess.run(
        [
            *PIP,
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            str(out),
            src,
        ],
        check=True,
        cwd=src,
    )
    (wheel,) = out.glob("potato_like-*.whl")
    return wheel


def fresh_venv(path: Path) -> Path:
    """A venv without pip that sees the running environment's packages after its own."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    site_dir = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(site_dir, "_outer_site_packages.pth").write_text("\n".join(sorted(outer)) + "\n")
    return python


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_until_up(proc: subprocess.Popen, base: str) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read()}")
        try:
            if requests.get(f"{base}/health", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise AssertionError("server did not start in 60 s")


def test_installed_wheel_serves_the_quick_start_from_any_directory(tmp_path):
    wheel = build_wheel(copy_build_inputs(tmp_path / "src"), tmp_path / "dist")
    venv = tmp_path / "venv"
    python = fresh_venv(venv)
    subprocess.run(
        [*PIP, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
    )
    project = tmp_path / "project"
    shutil.copytree(REPO / "configs", project, ignore=shutil.ignore_patterns("quickstart_output"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env()

    # The package comes from the venv, not from the checkout.
    where = subprocess.run(
        [str(python), "-c", "import potato_like; print(potato_like.web_files_dir('static'))"],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(venv / "bin" / "potato-like"), "../project/quickstart.yaml", "--port", str(port)],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(proc, base)
        page = requests.get(f"{base}/", timeout=10)
        assert page.status_code == 200, page.text
        assert "Sentiment quick start" in page.text
        stylesheet = re.search(r'href="(/[^"?]+\.css)', page.text)
        assert stylesheet, page.text
        css = requests.get(base + stylesheet.group(1), timeout=10)
        assert css.status_code == 200, stylesheet.group(1)
        assert css.content == (REPO / "static" / "css" / "app.css").read_bytes()
        script = requests.get(f"{base}/static/js/annotate.js", timeout=10)
        assert script.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # Paths in the config are relative to the config file, not to the working directory.
    assert (project / "quickstart_output").is_dir()
    assert list(elsewhere.iterdir()) == []
