"""Project media files: only known media types under the project directory, for logged-in
users, with Range support; hostile paths and files get one 404."""

from __future__ import annotations

import os

import pytest

from tests.conftest import login

from .display_util import display_app

MP3 = b"ID3" + bytes(range(256)) * 8
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4c50000000049454e44ae426082"
)


@pytest.fixture
def project(tmp_path, open_app):
    root = tmp_path / "proj"
    (root / "media").mkdir(parents=True)
    (root / "pics").mkdir()
    (root / "media" / "a.mp3").write_bytes(MP3)
    (root / "pics" / "a.png").write_bytes(PNG)
    (root / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    (root / "notes.txt").write_text("private notes")
    (root / "evil.svg").write_text(
        "<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>"
    )
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.png").write_bytes(PNG)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(PNG)
    os.symlink(outside / "secret.png", root / "link_out.png")
    os.symlink(outside, root / "dir_out")
    os.symlink(root / "pics" / "a.png", root / "link_in.png")
    app = display_app(open_app, root, [{"id": "r1", "text": "t"}], None)
    (root / "out" / "stolen.png").write_bytes(PNG)  # inside the annotation output directory
    return app, root


def client_for(app):
    return login(app.test_client(), "viewer")


def test_files_are_served_with_their_media_type(project):
    app, _root = project
    client = client_for(app)
    for url, content_type, body in (
        ("/project_files/pics/a.png", "image/png", PNG),
        ("/project_files/media/a.mp3", "audio/mpeg", MP3),
        ("/media/a.mp3", "audio/mpeg", MP3),
        ("/project_files/link_in.png", "image/png", PNG),  # a symlink inside the project
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == content_type
        assert response.data == body
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/project_files/clip.mp4").headers["Content-Type"] == "video/mp4"


def test_range_requests_get_partial_content(project):
    app, _root = project
    client = client_for(app)
    response = client.get("/media/a.mp3", headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 10-19/{len(MP3)}"
    assert response.data == MP3[10:20]
    assert response.headers["Accept-Ranges"] == "bytes"
    beyond = client.get("/media/a.mp3", headers={"Range": f"bytes={len(MP3) + 5}-"})
    assert beyond.status_code == 416


def test_login_is_required(project):
    app, _root = project
    response = app.test_client().get("/project_files/pics/a.png")
    assert response.status_code == 401
    assert PNG not in response.data


@pytest.mark.parametrize(
    "url",
    [
        "/project_files/../outside/secret.png",
        "/project_files/..%2foutside%2fsecret.png",
        "/project_files/%2e%2e/outside/secret.png",
        "/project_files/pics/../../outside/secret.png",
        "/project_files//etc/passwd",
        "/project_files/%2Fetc%2Fpasswd",
        "/project_files/pics%5c..%5c..%5coutside%5csecret.png",
        "/project_files/link_out.png",  # symlink to a file outside
        "/project_files/dir_out/secret.png",  # symlinked directory outside
        "/project_files/.hidden/x.png",
        "/project_files/out/stolen.png",  # the annotation output directory
        "/project_files/out/potato_like.sqlite3",
        "/project_files/config.yaml",
        "/project_files/data.jsonl",
        "/project_files/notes.txt",
        "/project_files/evil.svg",
        "/project_files/pics/missing.png",
        "/project_files/pics",
        "/project_files/pics/a.png%00.txt",
        "/media/../config.yaml",
        "/media/..%2f..%2foutside%2fsecret.png",
    ],
)
def test_hostile_paths_get_a_404(project, url):
    app, _root = project
    # werkzeug answers a doubled slash with a redirect to the merged path: follow it
    response = client_for(app).get(url, follow_redirects=True)
    assert response.status_code == 404, (url, response.status_code)
    assert PNG not in response.data
    assert b"private notes" not in response.data


def test_refusals_are_json_errors(project):
    app, _root = project
    response = client_for(app).get(
        "/project_files/notes.txt", headers={"Accept": "application/json"}
    )
    assert response.status_code == 404
    assert response.json["error"] == "no such media file"


def test_pdfs_may_be_framed_by_this_site_only(project):
    app, root = project
    (root / "paper.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    client = client_for(app)
    pdf = client.get("/project_files/paper.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    image = client.get("/project_files/pics/a.png")
    assert "frame-ancestors 'none'" in image.headers["Content-Security-Policy"]
    assert image.headers["X-Frame-Options"] == "DENY"
