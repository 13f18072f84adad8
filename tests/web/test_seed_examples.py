"""The seed's (seeds/003) "Example: Admin Monitoring" script, run verbatim against a real
server, with the admin key supplied as X-API-Key (the only change: `requests.get` sends it)."""

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
from tests.web.test_real_server import free_port, start_server

pytestmark = pytest.mark.slow

SEED = next((REPO.parent / "shared" / "seeds").glob("003_*.txt"), None)
KEY = "seed-example-admin-key"


def seed_example(title: str) -> str:
    """The code of one "Example: ..." section of the seed (up to the next section)."""
    text = SEED.read_text(encoding="utf-8")
    start = text.index(f"Example: {title}")
    body = text[start:].split("\n", 1)[1]
    end = re.search(r"^(Example: |WebSocket Events)", body, re.M)
    return body[: end.start()] if end else body


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


@pytest.mark.skipif(SEED is None, reason="../shared/seeds/003_*.txt is not beside the repo")
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
