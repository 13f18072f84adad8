"""Seed 003's media endpoints on a real project: waveform generate/get, audio proxy, video
metadata, video waveform; bad and hostile inputs get 4xx, never 500."""

from __future__ import annotations

import json

import pytest

from tests.conftest import base_config, login, write_config

from .fake_server import serve
from .make_media import write_mp4, write_wav


@pytest.fixture
def project(tmp_path, open_app):
    root = tmp_path / "proj"
    (root / "media").mkdir(parents=True)
    write_wav(root / "media" / "tone.wav", seconds=2.0)
    write_mp4(root / "clip.mp4")
    (root / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    (root / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    (root / "notes.txt").write_text("secret")
    (root / "data.jsonl").write_text(json.dumps({"id": "a", "text": "media/tone.wav"}) + "\n")
    app = open_app(write_config(root, base_config()))
    return app, root


def client(app):
    return login(app.test_client(), "ann")


def test_waveform_generate_then_get(project):
    app, _root = project
    c = client(app)
    r = c.post("/api/waveform/generate", json={"audio_url": "media/tone.wav"})
    assert r.status_code == 200, r.json
    key = r.json["cache_key"]
    assert r.json["waveform_url"] == f"/api/waveform/{key}"
    w = c.get(r.json["waveform_url"])
    assert w.status_code == 200
    data = w.json
    assert data["sample_rate"] == 16000 and data["channels"] == 1 and data["bits"] == 8
    assert data["duration"] == pytest.approx(2.0, abs=0.01)
    assert data["length"] == len(data["data"]) // 2 == pytest.approx(32000 / 256, abs=1)
    assert max(data["data"]) == pytest.approx(127 * 16000 / 32768, abs=2)
    assert data["levels"][0]["samples_per_pixel"] == 256
    # site paths name the same file and get the same key (content hash)
    again = c.post("/api/waveform/generate", json={"audio_url": "/media/tone.wav"})
    assert again.json["cache_key"] == key


def test_waveform_needs_login(project):
    app, _root = project
    r = app.test_client().post("/api/waveform/generate", json={"audio_url": "media/tone.wav"})
    assert r.status_code in (401, 302)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"audio_url": 5}, 400),
        ({"audio_url": "../outside.wav"}, 404),
        ({"audio_url": "/etc/passwd"}, 404),
        ({"audio_url": "notes.txt"}, 404),
        ({"audio_url": "missing.wav"}, 404),
        ({"audio_url": "out/potato_like.sqlite3"}, 404),
        ({"audio_url": "file:///etc/passwd"}, 404),
        ({"audio_url": "broken.wav"}, 422),
        ({"audio_url": "http://127.0.0.1:9/a.wav"}, 403),
        ({"audio_url": "http://169.254.169.254/latest/meta-data/"}, 403),
    ],
)
def test_waveform_bad_inputs(project, body, status):
    app, _root = project
    r = client(app).post("/api/waveform/generate", json=body)
    assert r.status_code == status, r.json
    assert r.json["error"]


@pytest.mark.parametrize("key", ["nope", "0" * 32, "../../etc/passwd", "A" * 32])
def test_unknown_waveform_key_is_404(project, key):
    app, _root = project
    assert client(app).get(f"/api/waveform/{key}").status_code == 404


def test_video_metadata(project):
    app, _root = project
    c = client(app)
    r = c.post("/api/video/metadata", json={"video_url": "clip.mp4"})
    assert r.status_code == 200, r.json
    assert r.json["width"] == 64 and r.json["height"] == 48 and r.json["fps"] == 10
    assert r.json["duration"] == pytest.approx(3.0, abs=0.01)
    for bad, status in (("broken.mp4", 422), ("media/tone.wav", 422), ("../x.mp4", 404)):
        r = c.post("/api/video/metadata", json={"video_url": bad})
        assert r.status_code == status, (bad, r.json)


def test_video_waveform_of_a_silent_video_is_422(project):
    app, _root = project
    r = client(app).post("/api/video/waveform/generate", json={"video_url": "clip.mp4"})
    assert r.status_code == 422, r.json


def test_remote_audio_through_allow_listed_host(tmp_path, open_app):
    wav = write_wav(tmp_path / "remote.wav", seconds=1.0).read_bytes()
    files = {"/r.wav": ("audio/wav", wav), "/page": ("text/html", b"<html>")}
    with serve(files) as base:
        root = tmp_path / "proj"
        root.mkdir()
        (root / "data.jsonl").write_text(json.dumps({"id": "a", "text": "x"}) + "\n")
        config = base_config(media={"allow_fetch_hosts": ["127.0.0.1"]})
        app = open_app(write_config(root, config))
        c = client(app)
        r = c.post("/api/waveform/generate", json={"audio_url": f"{base}/r.wav"})
        assert r.status_code == 200, r.json
        assert c.get(r.json["waveform_url"]).json["duration"] == pytest.approx(1.0, abs=0.02)
        proxied = c.get(f"/api/audio/proxy?url={base}/r.wav")
        assert proxied.status_code == 200 and proxied.data == wav
        assert proxied.headers["Content-Type"].startswith("audio/wav")
        assert c.get(f"/api/audio/proxy?url={base}/page").status_code == 415
        # redirect to a non-allow-listed name of the same server is refused
        port = base.rsplit(":", 1)[1]
        hop = f"{base}/redirect?to=http://localhost:{port}/r.wav"
        assert c.get(f"/api/audio/proxy?url={hop}").status_code == 403


def test_audio_proxy_refuses_private_and_non_http(project):
    app, _root = project
    c = client(app)
    assert c.get("/api/audio/proxy").status_code == 400
    assert c.get("/api/audio/proxy?url=http://127.0.0.1:9/x.wav").status_code == 403
    assert c.get("/api/audio/proxy?url=file:///etc/passwd").status_code == 400
    local = c.get("/api/audio/proxy?url=media/tone.wav")
    assert local.status_code == 302 and local.headers["Location"].endswith(
        "/project_files/media/tone.wav"
    )


def test_media_config_is_validated(tmp_path, open_app):
    from potato_like.errors import ConfigError

    root = tmp_path / "p"
    root.mkdir()
    (root / "data.jsonl").write_text(json.dumps({"id": "a", "text": "x"}) + "\n")
    config = base_config(media={"allow_fetch_hosts": {"a": 1}, "fetch_timeout": 0})
    with pytest.raises(ConfigError) as err:
        open_app(write_config(root, config))
    assert any("media.allow_fetch_hosts" in p for p in err.value.problems)
    assert any("media.fetch_timeout" in p for p in err.value.problems)
    config = base_config(media={"allow_fetch_hosts": "cdn.example.org", "fetch_timeot": 3})
    app = open_app(write_config(root, config))
    settings = app.extensions["potato_like"].config
    assert settings.media.allow_fetch_hosts == ("cdn.example.org",)
    assert any("fetch_timeout" in w for w in settings.warnings)  # did you mean


def test_remote_file_over_the_size_cap_is_refused(tmp_path, open_app):
    wav = write_wav(tmp_path / "big.wav", seconds=2.0).read_bytes()  # 64 KB
    with serve({"/big.wav": ("audio/wav", wav)}) as base:
        root = tmp_path / "proj"
        root.mkdir()
        (root / "data.jsonl").write_text(json.dumps({"id": "a", "text": "x"}) + "\n")
        media = {"allow_fetch_hosts": ["127.0.0.1"], "fetch_max_bytes": 4096}
        app = open_app(write_config(root, base_config(media=media)))
        c = client(app)
        r = c.post("/api/waveform/generate", json={"audio_url": f"{base}/big.wav"})
        assert r.status_code == 422 and "larger than 4096" in r.json["error"]
        assert not list((root / "out" / "media_downloads").glob("*"))  # temp file removed
