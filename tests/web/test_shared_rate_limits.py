"""Rate limits counted in the store (run.py --workers N): two processes' apps on one project
allow together what one would; the window moves on; one process alone counts in memory."""

from __future__ import annotations

from limits import parse

from potato_like import create_app
from potato_like.config import load_config
from potato_like.project import Project
from potato_like.store.rate_hits import StoreRateLimiter
from tests.conftest import base_config, write_config, write_items


def worker_app(config_path):
    project = Project.open(load_config(config_path))
    project.shared_rate_limits = True  # what cli.py sets in each worker process
    app = create_app(project)
    app.config["TESTING"] = True
    return app, project


def test_two_workers_share_one_registration_window(tmp_path):
    write_items(tmp_path / "data.jsonl", 3)
    config = write_config(tmp_path, base_config(registration_rate_limit="3 per hour"))
    (a, pa), (b, pb) = worker_app(config), worker_app(config)
    try:
        codes = []
        for i, app in enumerate([a, b, a, b, a]):
            r = app.test_client().post(
                "/register", data={"username": f"new{i}", "password": "long-enough-pw"}
            )
            codes.append(r.status_code)
        assert codes[:3] == [201, 201, 201] or codes[:3] == [302, 302, 302]
        assert codes[3:] == [429, 429]  # the fourth, whichever process it reached
    finally:
        pa.close()
        pb.close()


def test_store_limiter_moving_window(tmp_path):
    write_items(tmp_path / "data.jsonl", 1)
    project = Project.open(load_config(write_config(tmp_path, base_config())))
    try:
        now = [1000.0]
        limiter = StoreRateLimiter(project.store, clock=lambda: now[0])
        item = parse("2 per minute")
        assert limiter.hit(item, "login", "1.2.3.4|ann")
        now[0] += 30
        assert limiter.hit(item, "login", "1.2.3.4|ann")
        assert not limiter.hit(item, "login", "1.2.3.4|ann")  # 2 in the last minute
        assert limiter.hit(item, "login", "1.2.3.4|bob")  # another key counts apart
        assert not limiter.test(item, "login", "1.2.3.4|ann")
        stats = limiter.get_window_stats(item, "login", "1.2.3.4|ann")
        assert stats.reset_time == 1060.0 and stats.remaining == 0
        now[0] += 31  # the first hit left the window
        assert limiter.test(item, "login", "1.2.3.4|ann")
        assert limiter.hit(item, "login", "1.2.3.4|ann")
    finally:
        project.close()


def test_one_process_counts_in_memory(make_project):
    app = make_project()
    limiter = app.extensions["potato_like_limits"].login._limiter
    assert not isinstance(limiter, StoreRateLimiter)
