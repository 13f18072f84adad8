"""Build hook (everything else is in setup.cfg).

The repo keeps `templates/` and `static/` at its top level; a built wheel carries them inside
the package as `potato_like/_templates` and `potato_like/_static`, where
`potato_like.web_files_dir` finds them. They are copied into the build directory only, never
into the source tree. Editable installs skip the copy: they read the top-level directories.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
WEB_FILE_DIRS = ("templates", "static")


class BuildPyWithWebFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in WEB_FILE_DIRS:
            target = Path(self.build_lib) / "potato_like" / f"_{name}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(
                HERE / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]")
            )


setup(cmdclass={"build_py": BuildPyWithWebFiles})
