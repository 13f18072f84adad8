"""Per-user output directories: one per user, never shared, never outside the output
directory or over the project's own files; names that cannot have one are refused when the
account is made."""

from __future__ import annotations

import json
import random

import pytest

from potato_like import create_app
from potato_like.errors import ConfigError
from potato_like.export.user_dirs import user_dir_name, username_of_dir
from potato_like.export.user_files import FILE_NAME
from tests.conftest import answer, base_config, current_id, login, write_config, write_items
from tests.web.crowd_util import PROLIFIC, example, prolific_link  # noqa: F401

HOSTILE = [
    "zed<", "zed_3c_", "zed%3C", "zed%253C", "zed%", "%", "%%", ".", "..", "...", "._", "_.",
    ".secret_key", ".admin_api_key", "potato_like.sqlite3", "potato_like.sqlite3-wal",
    "a/b", "a%2Fb", "../../etc", "/", "\\", "a\\b", "nul\x00byte", "\x00", "CON", "con.txt",
    "Con", "COM1", "lpt9.log", "aux", "conx", "a b", " a", "a ", "été", "e\u0301te", "日本",
    "😀", "a:b", "a*b?", "<>|\"", "-", "+x", "@x", "\ud800",
]  # fmt: skip


def test_names_of_safe_characters_keep_their_directory():
    for name in ("alice", "bob.smith", "a_b", "x@example.org", "w+1", "A-Z_09", "_", "a.."):
        assert user_dir_name(name) == name


def test_the_mapping_is_injective_and_reversible():
    rng = random.Random(13)
    alphabet = "a_%.3cC<>/\\\x00 é😀:"
    names = set(HOSTILE)
    names.update(
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(20000)
    )
    dirs = {}
    for name in names:
        d = user_dir_name(name)
        assert dirs.setdefault(d, name) == name, (name, dirs[d])
        assert username_of_dir(d) == name


@pytest.mark.parametrize("name", HOSTILE)
def test_directory_names_are_plain_and_not_special(name):
    d = user_dir_name(name)
    assert d and not d.startswith(".") and "/" not in d and "\\" not in d and "\x00" not in d
    assert d.isascii() and d.isprintable() and " " not in d
    assert d.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    assert not d.startswith("potato_like.sqlite3")


def test_zed_names_from_the_report_get_their_own_files(make_project):
    app = make_project(items=4, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    seen = {}
    for name, label in (("zed<", "positive"), ("zed_3c_", "negative")):
        c = login(app.test_client(), name)
        iid = current_id(c)
        assert answer(c, iid, **{f"sentiment:{label}": "1"}).status_code == 200
        seen[name] = label
    project.output.flush()
    for name, label in seen.items():
        path = project.config.output_dir / user_dir_name(name) / FILE_NAME
        (line,) = path.read_text().splitlines()
        assert json.loads(line)["label_annotations"] == {"sentiment": {label: "1"}}
    assert sorted(p.name for p in project.config.output_dir.iterdir() if p.is_dir()) == [
        "zed%3C",
        "zed_3c_",
    ]


def test_a_name_too_long_for_a_directory_is_refused_at_registration(make_project):
    app = make_project(items=2, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    long_name = "é" * 100  # 100 characters are allowed; its directory name is 600 bytes
    c = app.test_client()
    for path, data in (
        ("/register", {"username": long_name, "password": "long-enough-pw"}),
        ("/auth", {"username": long_name}),  # passwordless project: the account is made here
    ):
        r = c.post(path, json=data)
        assert r.status_code == 400 and "too long" in r.json["error"], r.json
    assert project.store.users.by_name(long_name) is None
    assert len(user_dir_name("é" * 42)) == 252  # the longest that fits is accepted
    login(app.test_client(), "é" * 42)
    assert (project.config.output_dir / user_dir_name("é" * 42)).is_dir()


def test_a_name_whose_directory_cannot_be_created_is_refused(make_project):
    app = make_project(items=2, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    (project.config.output_dir / "blocker").write_text("a file where the directory would go")
    r = app.test_client().post("/auth", json={"username": "blocker"})
    assert r.status_code == 400 and "output directory cannot be created" in r.json["error"]
    assert project.store.users.by_name("blocker") is None


def test_project_files_cannot_be_taken_by_a_username(make_project):
    app = make_project(items=2, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    for name in (".secret_key", "potato_like.sqlite3-shm"):
        c = login(app.test_client(), name)
        assert answer(c, current_id(c), **{"sentiment:positive": "1"}).status_code == 200
    project.output.flush()
    assert (project.config.output_dir / ".secret_key").is_file()
    assert (project.config.output_dir / "%2Esecret_key" / FILE_NAME).is_file()
    assert (project.config.output_dir / "%70otato_like.sqlite3-shm" / FILE_NAME).is_file()


def test_a_configured_user_without_a_possible_directory_stops_the_start(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    users = [{"username": "😀" * 30, "password": "long-enough-pw"}]
    path = write_config(tmp_path, base_config(user_config={"users": users}))
    with pytest.raises(ConfigError, match="too long"):
        create_app(path)


def test_a_file_that_cannot_be_written_is_reported_once_not_at_every_flush(make_project, caplog):
    app = make_project(items=2, output_flush_seconds=3600)
    project = app.extensions["potato_like"]
    c = login(app.test_client(), "legacy")
    assert answer(c, current_id(c), **{"sentiment:positive": "1"}).status_code == 200
    user_dir = project.config.output_dir / "legacy"
    (user_dir / FILE_NAME).unlink(missing_ok=True)
    user_dir.rmdir()
    user_dir.write_text("something else took the directory's place")  # e.g. an older account
    with caplog.at_level("INFO", logger="potato_like"):
        for _ in range(3):
            project.output.flush()
        assert [r.levelname for r in caplog.records].count("ERROR") == 1
        user_dir.unlink()
        project.output.flush()
    assert (user_dir / FILE_NAME).is_file()
    assert "written again" in caplog.text


def test_a_crowd_link_with_a_name_too_long_for_a_directory_is_refused(example):  # noqa: F811
    from urllib.parse import quote

    app = example(PROLIFIC)
    r = app.test_client().get(prolific_link(quote("é" * 100)))
    assert r.status_code == 400 and b"too long" in r.data
    assert app.extensions["potato_like"].store.users.by_name("é" * 100) is None
