"""Nothing a page or script of a mounted project asks for escapes its `/p/<slug>/` prefix:
every example project is served inside one workspace, and its annotation page, admin
dashboard and scripts are searched for root-absolute app paths."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from potato_like import ROOT, create_workspace_app

pytestmark = pytest.mark.slow  # starts every example project (about a second each)

EXAMPLES = sorted(p for p in (ROOT / "example_projects").iterdir() if (p / "config.yaml").is_file())
# A quoted path on this site in HTML (attributes, JSON blobs, entity-escaped JSON in
# attributes): it must start with the project's prefix.
HTML_PATH = re.compile(r"""(?:"|'|&#34;|&quot;|&#39;)(/[A-Za-z_][^"'&\s<>]*)""")
# A string literal starting with an app path in a script, and what stands before it.
JS_PATH = re.compile(r"""(?P<q>["'`])(?P<path>/[A-Za-z_][^"'`\n]*)(?P=q)""")
USER = {"username": "checker", "password": "checker-pw-1"}


def escaping_html(html: str, prefix: str) -> list[str]:
    mount = prefix.rstrip("/")  # <body data-base="/p/<slug>">
    return sorted({p for p in HTML_PATH.findall(html) if not p.startswith(prefix) and p != mount})


def escaping_js(source: str) -> list[str]:
    found = []
    for m in JS_PATH.finditer(source):
        before = source[source.rfind("\n", 0, m.start()) + 1 : m.start()]
        if before.lstrip().startswith(("//", "*")) or before.rstrip().endswith("appUrl("):
            continue
        found.append(m.group("path"))
    return found


def test_the_check_finds_root_absolute_paths() -> None:
    assert escaping_html('<a href="/annotate">', "/p/x/") == ["/annotate"]
    assert escaping_html('<div data-c="{&#34;u&#34;: &#34;/api/x&#34;}">', "/p/x/") == ["/api/x"]
    assert escaping_html('<a href="/p/x/annotate">', "/p/x/") == []
    assert escaping_js('fetch("/updateinstance", {})') == ["/updateinstance"]
    assert escaping_js('fetch(appUrl("/updateinstance"), {})') == []
    assert escaping_js("// fetch('/x')") == []


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples") / "ws"
    (root / "projects").mkdir(parents=True)
    (root / "workspace.yaml").write_text(yaml.safe_dump({"users": [USER]}))
    for source in EXAMPLES:
        target = root / "projects" / source.name.replace("_", "-")
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("annotation_output"))
        config = yaml.safe_load((target / "config.yaml").read_text())
        config.update(
            {"login_rate_limit": "1000 per minute", "admin_key_rate_limit": "1000/minute"}
        )
        (target / "config.yaml").write_text(yaml.safe_dump(config))
    app = create_workspace_app(root)
    app.config["TESTING"] = True
    yield app
    app.extensions["potato_like"].close()


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda p: p.name)
def test_pages_of_every_example_project_stay_under_the_prefix(workspace, source: Path) -> None:
    slug = source.name.replace("_", "-")
    prefix = f"/p/{slug}/"
    project = workspace.extensions["potato_like"].projects()[slug]
    client = workspace.test_client()
    client.post(prefix + "auth", data=USER)
    pages = {}
    for path in ("", "annotate"):
        response = client.get(prefix + path, follow_redirects=True)
        assert response.request.path.startswith(prefix), response.request.path
        pages[path or "/"] = response.get_data(as_text=True)
    login = client.post(prefix + "admin/login", data={"key": project.admin_api_key})
    assert login.status_code == 302 and login.headers["Location"].startswith(prefix)
    for path in ("admin", "admin/annotators/", "admin/instances/"):
        response = client.get(prefix + path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = response.get_data(as_text=True)
    assert "annotate" in pages and len(pages["annotate"]) > 200
    problems = {name: escaping_html(html, prefix) for name, html in pages.items()}
    assert not any(problems.values()), problems


def test_no_script_builds_a_root_absolute_app_path(workspace) -> None:
    client = workspace.test_client()
    scripts = sorted((ROOT / "static" / "js").glob("*.js"))
    assert len(scripts) > 20
    problems = {}
    for script in scripts:
        response = client.get(f"/p/sentiment/static/js/{script.name}")
        assert response.status_code == 200, script.name
        if found := escaping_js(response.get_data(as_text=True)):
            problems[script.name] = found
    assert not problems, problems
