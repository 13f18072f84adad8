"""Which Potato example configs pass `run.py check` and serve their first item here.

    python bench/serve_examples.py DIR [DIR ...] [--json]

Each config (a YAML file under DIR with `annotation_schemes`) is checked by a fresh
`run.py check` process; those that pass are opened in this process with `create_app` and a
new annotator (password login turned off for the probe) asks for `/annotate`: the first item
is served when the page answers 200 with an instance id. Copy the examples somewhere
writable first: opening a project creates its store in the output directory. Prints one line
per config (PASS, or the stage that failed and why) and the totals.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def configs(root: Path) -> list[Path]:
    out = []
    for path in sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "annotation_schemes" in data:
            out.append(path)
    return out


def check(path: Path) -> str | None:
    done = subprocess.run(
        [sys.executable, str(REPO / "run.py"), "check", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    if done.returncode == 0:
        return None
    lines = [x for x in (done.stderr + done.stdout).splitlines() if x.strip()]
    problems = [x.strip() for x in lines if x.lstrip().startswith(("-", "•")) or ": " in x]
    return " | ".join((problems or lines)[:3])[:400]


def serve(path: Path) -> str | None:
    from potato_like import create_app

    try:
        app = create_app(path, require_password=False)
    except Exception as exc:
        return f"create_app: {exc}"[:300]
    try:
        client = app.test_client()
        r = client.post("/auth", data={"username": "probe", "password": ""})
        if r.status_code not in (200, 302):
            return f"login answered {r.status_code}"
        page = client.get("/annotate", follow_redirects=True)
        html = page.get_data(as_text=True)
        if page.status_code != 200:
            return f"/annotate answered {page.status_code}"
        if 'data-testid="instance-id"' not in html:
            title = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
            return "no item on the page" + (f" ({title.group(1).strip()[:80]})" if title else "")
        return None
    finally:
        app.extensions["potato_like"].close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="+")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    for root in map(Path, args.dirs):
        for path in configs(root):
            problem = check(path)
            stage = "check"
            if problem is None:
                stage, problem = "serve", serve(path)
            results.append(
                {"config": str(path), "ok": problem is None, "stage": stage, "problem": problem}
            )
            line = "PASS" if problem is None else f"FAIL {stage}: {problem}"
            print(f"{path}: {line}", flush=True)
    passed = sum(r["ok"] for r in results)
    print(f"{passed} of {len(results)} pass check and serve their first item")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
