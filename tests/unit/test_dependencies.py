"""Every third-party module the package imports is installed by `pip install -e .` (the
quick-start command): listed in setup.cfg's install_requires, or installed by one that is."""

from __future__ import annotations

import ast
import configparser
import re
import sys

from tests.conftest import REPO

# import name -> distribution name, where they differ
DIST_OF = {
    "yaml": "pyyaml",
    "flask_login": "flask-login",
    "flask_wtf": "flask-wtf",
    "sklearn": "scikit-learn",
    "sklearn_crfsuite": "sklearn-crfsuite",
    "cv2": "opencv-python-headless",
    "umap": "umap-learn",
    "argon2": "argon2-cffi",
}
# installed by a listed distribution (flask brings werkzeug, jinja2's markupsafe, ...)
TRANSITIVE = {"werkzeug", "markupsafe", "itsdangerous", "click", "jinja2", "wtforms"}
# optional extras, imported only when their feature is configured
# httpx: the llm SDKs; nibabel, pydicom: the volume extra (volume_annotation); pyarrow, h5py:
# the episodes extra (LeRobot and HDF5 episodes)
OPTIONAL = {
    *("psycopg", "gunicorn", "sentence_transformers", "httpx", "nibabel", "pydicom"),
    *("pyarrow", "h5py"),
}


def imported_top_level_modules() -> set[str]:
    names = set()
    for path in (REPO / "potato_like").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"potato_like", "__future__"}


def test_every_third_party_import_is_a_declared_dependency():
    setup = configparser.ConfigParser()
    setup.read(REPO / "setup.cfg")
    declared = {
        re.split(r"[<>=\[ ]", line.strip())[0].lower()
        for line in setup["options"]["install_requires"].splitlines()
        if line.strip()
    }
    missing = sorted(
        name
        for name in imported_top_level_modules() - TRANSITIVE - OPTIONAL
        if DIST_OF.get(name, name).lower() not in declared
    )
    assert not missing, f"imported but not in install_requires: {missing}"
