"""The Prolific API client and its admin routes, against a fake Prolific started here."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from potato_like.crowd.prolific_api import ProlificClient, ProlificUnavailable
from tests.conftest import ADMIN
from tests.web.crowd_util import PROLIFIC, STUDY_ID, example, prolific_link  # noqa: F401

TOKEN = "fake-token-for-tests"
SUBMISSIONS = [
    {
        "id": "SUB1",
        "participant_id": "PID0001",
        "status": "AWAITING REVIEW",
        "study_code": "C1PRLFC0",
    },
    {"id": "SUB2", "participant_id": "SOMEONE", "status": "RETURNED"},
]


@pytest.fixture
def fake_prolific() -> Iterator[tuple[str, list[tuple[str, str, dict, str]]]]:
    """(API base URL, requests seen as (method, path, body, authorization))."""
    seen: list[tuple[str, str, dict, str]] = []

    class Api(BaseHTTPRequestHandler):
        def answer(self, status: int, body) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError):  # the client gave up (timeout test)
                self.wfile.write(raw)

        def record(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else {}
            seen.append((self.command, self.path, body, self.headers.get("Authorization", "")))
            return body

        def do_GET(self) -> None:
            self.record()
            if self.path == f"/api/v1/studies/{STUDY_ID}/submissions/":
                return self.answer(200, {"results": SUBMISSIONS})
            if self.path.startswith("/api/v1/studies/SLOW/"):
                time.sleep(1.0)
                return self.answer(200, {"results": []})
            if self.path.startswith("/api/v1/studies/MOVED/"):
                self.send_response(302)
                self.send_header("Location", "http://elsewhere.invalid/steal")
                self.end_headers()
                return None
            return self.answer(404, {"error": {"detail": "Study not found."}})

        def do_POST(self) -> None:
            body = self.record()
            sub = self.path.split("/")[4]
            status = "APPROVED" if body.get("action") == "APPROVE" else "REJECTED"
            return self.answer(200, {"id": sub, "status": status})

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1/", seen
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_client_lists_approves_rejects_with_the_token(fake_prolific):
    url, seen = fake_prolific
    client = ProlificClient(TOKEN, url)
    assert [s["id"] for s in client.submissions(STUDY_ID)] == ["SUB1", "SUB2"]
    assert client.approve("SUB1") == {"id": "SUB1", "status": "APPROVED"}
    assert client.reject("SUB2", "x" * 100, "LOW_EFFORT")["status"] == "REJECTED"
    assert seen[0][:2] == ("GET", f"/api/v1/studies/{STUDY_ID}/submissions/")
    assert seen[1][:3] == ("POST", "/api/v1/submissions/SUB1/transition/", {"action": "APPROVE"})
    assert seen[2][2] == {
        "action": "REJECT",
        "message": "x" * 100,
        "rejection_category": "LOW_EFFORT",
    }
    assert all(auth == f"Token {TOKEN}" for *_, auth in seen)


def test_client_failures_are_clear_and_bounded(fake_prolific):
    url, seen = fake_prolific
    client = ProlificClient(TOKEN, url, timeout=0.2)
    with pytest.raises(ProlificUnavailable, match=r"404.*Study not found"):
        client.submissions("NOPE")
    started = time.monotonic()
    with pytest.raises(ProlificUnavailable, match="cannot reach"):
        client.submissions("SLOW")
    assert time.monotonic() - started < 0.9  # the timeout, not the server's 1 s
    with pytest.raises(ProlificUnavailable, match="302"):
        client.submissions("MOVED")  # never follows a redirect with the token
    with pytest.raises(ProlificUnavailable, match="cannot reach"):
        ProlificClient(TOKEN, "http://127.0.0.1:9/api/v1/", timeout=0.5).submissions("X")
    with pytest.raises(ValueError):
        ProlificClient(TOKEN, "file:///etc/passwd")
    before = len(seen)
    for bad in ("..", ".", "", "a/b", "a%2Fb", "a?x=1"):
        with pytest.raises(ValueError, match="cannot be a Prolific id"):
            client.submissions(bad)
        with pytest.raises(ValueError, match="cannot be a Prolific id"):
            client.approve(bad)
    assert len(seen) == before


def test_admin_routes_join_submissions_with_local_workers(example, fake_prolific, monkeypatch):  # noqa: F811
    url, seen = fake_prolific

    def api(config):
        config["crowdsourcing"]["prolific"]["api_url"] = url

    app = example(PROLIFIC, edit=api)
    c = app.test_client()
    assert c.get(prolific_link("PID0001")).status_code == 302
    admin = app.test_client()

    r = admin.get("/admin/api/crowdsourcing/prolific/submissions", headers=ADMIN)
    assert r.status_code == 503 and "PROLIFIC_API_TOKEN" in r.json["error"]
    monkeypatch.setenv("PROLIFIC_API_TOKEN", TOKEN)
    assert admin.get("/admin/api/crowdsourcing/prolific/submissions").status_code == 403

    r = admin.get("/admin/api/crowdsourcing/prolific/submissions", headers=ADMIN)
    assert r.status_code == 200, r.json
    assert r.json["study_id"] == STUDY_ID and r.json["count"] == 2
    first, second = r.json["submissions"]
    assert first["local"]["username"] == "PID0001" and first["local"]["status"] == "active"
    assert second["local"] is None

    r = admin.post("/admin/api/crowdsourcing/prolific/submissions/SUB1/approve", headers=ADMIN)
    assert r.json == {"status": "success", "submission": {"id": "SUB1", "status": "APPROVED"}}

    before = len(seen)
    bad = [
        ("SUB2", {"message": "too short", "rejection_category": "LOW_EFFORT"}, "at least 100"),
        ("SUB2", {"message": "m" * 120, "rejection_category": "LAZY"}, "rejection_category"),
        ("SUB2", None, "JSON object"),
        ("SUB-1.x", {"message": "m" * 120, "rejection_category": "OTHER"}, "not a Prolific"),
    ]
    for sub, body, text in bad:
        r = admin.post(
            f"/admin/api/crowdsourcing/prolific/submissions/{sub}/reject", json=body, headers=ADMIN
        )
        assert r.status_code == 400 and text in r.json["error"], (sub, r.json)
    assert len(seen) == before  # nothing was sent to Prolific
    r = admin.post(
        "/admin/api/crowdsourcing/prolific/submissions/SUB2/reject",
        json={"message": "m" * 120, "rejection_category": "FAILED_CHECK"},
        headers=ADMIN,
    )
    assert r.json["submission"]["status"] == "REJECTED"

    r = admin.get(
        "/admin/api/crowdsourcing/prolific/submissions?study_id=000000000000000000000000",
        headers=ADMIN,
    )
    assert r.status_code == 502 and "Study not found" in r.json["error"]


def test_bad_study_id_never_reaches_prolific(example, fake_prolific, monkeypatch):  # noqa: F811
    url, seen = fake_prolific

    def api(config):
        config["crowdsourcing"]["prolific"]["api_url"] = url

    app = example(PROLIFIC, edit=api)
    monkeypatch.setenv("PROLIFIC_API_TOKEN", TOKEN)
    admin = app.test_client()
    before = len(seen)
    for bad in ("..", "%2E%2E", "../../users/me", "65f0c0ffee0000000000beef/..", "x" * 24):
        r = admin.get(
            f"/admin/api/crowdsourcing/prolific/submissions?study_id={bad}", headers=ADMIN
        )
        assert r.status_code == 400 and "24 hex digits" in r.json["error"], (bad, r.json)
    assert len(seen) == before  # nothing was sent to Prolific
