"""The seed's (seeds/003) example scripts, run verbatim against a real server:
"Complete Annotation Flow" unchanged but for BASE_URL, and "Admin Monitoring" with the admin
key supplied as X-API-Key (the only change: `requests.get` sends it).

The seed is looked for in `shared/seeds` of every parent directory of the repo; when it is
nowhere the tests are skipped with a reason naming each directory tried.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import sys
import types
from unittest import mock

import pytest
import requests
import yaml

from tests.conftest import REPO
from tests.seeds import find_seed
from tests.web.test_real_server import free_port, start_server

pytestmark = pytest.mark.slow

SEED, SEED_MISSING = find_seed("003_*.txt")
needs_seed = pytest.mark.skipif(SEED is None, reason=SEED_MISSING)
KEY = "seed-example-admin-key"


def seed_example(title: str) -> str:
    """The code of one "Example: ..." section of the seed: from its first `import` line (a
    sentence of prose may come before it) up to the next section."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index(f"Example: {title}")
    body = text[start:].split("\n", 1)[1]
    end = re.search(r"^(Example: |WebSocket Events)", body, re.M)
    body = body[: end.start()] if end else body
    return body[re.search(r"^import ", body, re.M).start() :]


def indent_python(code: str) -> str:
    """The seed lost its indentation: restore it for the blocks this example uses."""
    out, depth = [], 0
    for line in code.strip().splitlines():
        stripped = line.strip()
        if depth and not stripped.startswith(("print(", "pass_rate")):
            depth = 0
        out.append("    " * depth + stripped)
        if stripped.endswith(":") and stripped.startswith(("for ", "if ")):
            depth = 1
    return "\n".join(out)


def run_script(code: str, name: str) -> list[str]:
    """Run a seed script; what it printed, line by line."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, name, "exec"), {})  # noqa: S102 - the seed script
    return printed.getvalue().splitlines()


@needs_seed
def test_complete_annotation_flow_example_runs_verbatim(tmp_path):
    work = tmp_path / "project"
    shutil.copytree(REPO / "configs", work, ignore=shutil.ignore_patterns("quickstart_output"))
    # The script logs in as annotator1 with the seed's password. Registration refuses that
    # password (it is among the most common ones), so the researcher configures the account,
    # as a project that hands out accounts would.
    config_path = work / "quickstart.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["user_config"]["users"] = [{"username": "annotator1", "password": "password123"}]
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(config_path, port)
    try:
        code = seed_example("Complete Annotation Flow")
        assert 'BASE_URL = "http://localhost:8000"' in code
        code = code.replace('BASE_URL = "http://localhost:8000"', f'BASE_URL = "{base}"')
        lines = run_script(code, "seed-003-complete-annotation-flow")

        first = yaml.safe_load(
            (work / "quickstart_data" / "reviews.jsonl").read_text().splitlines()[0]
        )
        assert lines == [f"Text: {first['text']}", "Status: success"]
        # What the script did is stored: its answer, and it moved on to the second item.
        check = requests.Session()
        r = check.post(f"{base}/auth", data={"username": "annotator1", "password": "password123"})
        assert r.ok, r.text
        r = check.get(f"{base}/get_annotations", params={"instance_id": first["id"]})
        assert r.json()["label_annotations"] == {"sentiment": {"positive": "1"}}
        assert check.get(f"{base}/api/current_instance").json()["current_index"] == 1
    finally:
        server.kill()
        server.wait()


@needs_seed
def test_admin_monitoring_example_runs_verbatim(tmp_path):
    work = tmp_path / "project"
    shutil.copytree(
        REPO / "example_projects" / "study_flow",
        work,
        ignore=shutil.ignore_patterns("annotation_output"),
    )
    config = yaml.safe_load((work / "config.yaml").read_text())
    config.pop("phases")
    config.pop("training")
    config["admin_api_key"] = KEY
    config["require_password"] = False
    config["attention_checks"]["frequency"] = 2
    config["gold_standards"]["enabled"] = False
    (work / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(work / "config.yaml", port)
    try:
        # Three annotators on the same three items, mostly agreeing; after two items each
        # answers an attention check (attn_1 asks for negative; ann3 gets it wrong).
        plans = {"ann1": "ppp", "ann2": "ppn", "ann3": "pnp"}
        check_answers = {"ann1": "negative", "ann2": "negative", "ann3": "positive"}
        labels = {"p": "positive", "n": "negative"}
        for name, plan in plans.items():
            s = requests.Session()
            assert s.post(f"{base}/auth", data={"username": name}).ok
            steps = [plan[0], plan[1], "check", plan[2]]
            for step in steps:
                iid = s.get(f"{base}/api/current_instance").json()["instance_id"]
                assert (iid == "attn_1") == (step == "check"), (name, step, iid)
                label = check_answers[name] if step == "check" else labels[step]
                r = s.post(
                    f"{base}/updateinstance",
                    json={"instance_id": iid, "annotations": {f"sentiment:{label}": "1"}},
                )
                assert r.ok, r.text
                s.post(f"{base}/go_to", json={"action": "next_instance"})

        code = indent_python(seed_example("Admin Monitoring"))
        code = code.replace('BASE_URL = "http://localhost:8000"', f'BASE_URL = "{base}"')
        shim = types.SimpleNamespace(
            get=lambda url, **kw: requests.get(url, headers={"X-API-Key": KEY}, **kw)
        )
        printed = io.StringIO()
        # The script's own `import requests` gets the shim.
        with contextlib.redirect_stdout(printed), mock.patch.dict(sys.modules, requests=shim):
            exec(compile(code, "seed-003-admin-monitoring", "exec"), {})  # noqa: S102 - the seed script
    finally:
        server.kill()
        server.wait()
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("Progress: ") and lines[0].endswith("%")
    assert {"ann1: 3/4", "ann2: 3/4", "ann3: 3/4"} <= set(lines)
    assert re.fullmatch(r"Agreement: \u03b1 = -?\d\.\d{3}", lines[-2])
    assert lines[-1] == "Attention check pass rate: 66.7%"
