"""The webhook outbox against a real receiver on a loopback port and a real SQLite file."""

from __future__ import annotations

import shutil
import time

import pytest

from potato_like.errors import BadRequest
from potato_like.store import Store
from potato_like.webhooks import outbox, signing
from tests.webhook_receiver import receive_webhooks

LOCAL = outbox.DeliverySettings(allow_hosts=("127.0.0.1",), timeout=5.0)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """One migrated database file, copied for each test (migrating takes most of a second)."""
    path = tmp_path_factory.mktemp("outbox") / "template.sqlite3"
    Store.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def store_path(tmp_path, migrated):
    shutil.copy(migrated, tmp_path / "outbox.sqlite3")
    return f"sqlite:///{tmp_path / 'outbox.sqlite3'}"


@pytest.fixture
def store(store_path):
    s = Store.open(store_path)
    outbox.configure(s, LOCAL)
    yield s
    s.close()


def test_delivery_posts_the_payload_with_headers_and_a_valid_signature(store):
    with receive_webhooks() as hook:
        delivery = outbox.enqueue(
            store,
            url=hook.url,
            event="job.done",
            payload={"job_id": "j1", "status": "done", "text": "é"},
            headers={"X-Token": "abc"},
        )
        assert outbox.deliver_due(store) == 1
        (got,) = hook.wait(1)
    assert got.path == "/hook"
    assert got.json == {"job_id": "j1", "status": "done", "text": "é"}
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-token"] == "abc"
    assert got.headers["webhook-id"] == delivery
    secret = outbox.secret(store)
    assert secret.startswith("whsec_")
    signing.verify(secret, got.headers, got.body, now=time.time())  # raises when wrong
    with pytest.raises(signing.BadSignature):
        signing.verify(secret, got.headers, got.body + b" ", now=time.time())
    with pytest.raises(signing.BadSignature):
        signing.verify("whsec_" + "A" * 44, got.headers, got.body, now=time.time())
    row = store.outbox.get(delivery)
    assert row["status"] == "delivered" and row["attempts"] == 1
    assert row["last_status_code"] == 200 and row["last_error"] is None
    assert outbox.deliver_due(store) == 0  # delivered once, never again


def test_a_failed_first_delivery_is_retried_within_30_seconds_with_the_same_id(store):
    with receive_webhooks(answers=[500, 200]) as hook:
        t0 = time.time()
        delivery = outbox.enqueue(store, url=hook.url, event="e", payload={"n": 1}, now=t0)
        assert outbox.deliver_due(store, now=t0) == 1
        row = store.outbox.get(delivery)
        assert row["status"] == "pending" and row["attempts"] == 1
        assert row["last_status_code"] == 500 and "HTTP 500" in row["last_error"]
        assert t0 < row["next_attempt_at"] <= t0 + 30
        assert outbox.deliver_due(store, now=t0 + 1) == 0  # not due yet
        assert outbox.deliver_due(store, now=row["next_attempt_at"]) == 1
        first, second = hook.wait(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery
    assert first.body == second.body
    signing.verify(outbox.secret(store), second.headers, second.body, now=time.time())
    row = store.outbox.get(delivery)
    assert row["status"] == "delivered" and row["attempts"] == 2


def test_backoff_grows_and_gives_up_after_24_hours(store):
    assert outbox.retry_delay(1) <= 30
    delays = [outbox.retry_delay(n) for n in range(1, 12)]
    assert delays == sorted(delays) and delays[1] > delays[0]
    with receive_webhooks(answers=[503]) as hook:
        t = time.time()
        delivery = outbox.enqueue(store, url=hook.url, event="e", payload={}, now=t)
        attempts = 0
        while (row := store.outbox.get(delivery))["status"] == "pending":
            t = row["next_attempt_at"]
            attempts += outbox.deliver_due(store, now=t)
            assert attempts < 40
        hook.wait(attempts)
    assert row["status"] == "failed"
    assert row["attempts"] == attempts
    assert row["last_attempt_at"] <= row["created_at"] + outbox.MAX_AGE_SECONDS
    assert row["last_attempt_at"] > row["created_at"] + 12 * 3600  # kept trying for a day
    # A re-send queues it again with a fresh window.
    assert outbox.resend(store, delivery, now=t)
    row = store.outbox.get(delivery)
    assert row["status"] == "pending" and row["retry_until"] == t + outbox.MAX_AGE_SECONDS
    assert not outbox.resend(store, "msg_nope")


def test_resend_of_a_delivered_webhook_sends_it_again(store):
    with receive_webhooks() as hook:
        delivery = outbox.enqueue(store, url=hook.url, event="e", payload={"a": 1})
        outbox.deliver_due(store)
        assert outbox.resend(store, delivery)
        assert outbox.deliver_due(store) == 1
        _, second = hook.wait(2)
    assert second.json == {"a": 1} and store.outbox.get(delivery)["attempts"] == 2


def test_pending_deliveries_survive_a_restart(store_path):
    first = Store.open(store_path)
    with receive_webhooks(answers=[500, 200]) as hook:
        delivery = outbox.enqueue(first, url=hook.url, event="e", payload={"k": "v"})
        outbox.configure(first, LOCAL)
        outbox.deliver_due(first)
        secret = outbox.secret(first)
        first.close()
        again = Store.open(store_path)  # a new process: nothing but the SQLite file
        outbox.configure(again, LOCAL)
        assert outbox.secret(again) == secret
        due = again.outbox.get(delivery)["next_attempt_at"]
        assert outbox.deliver_due(again, now=due) == 1
        _, second = hook.wait(2)
        signing.verify(secret, second.headers, second.body, now=time.time())
        assert again.outbox.get(delivery)["status"] == "delivered"
        again.close()


def test_enqueue_in_the_callers_transaction_rolls_back_with_it(store):
    with pytest.raises(RuntimeError), store.write() as conn:
        outbox.enqueue(store, url="https://example.org/h", event="e", payload={}, conn=conn)
        raise RuntimeError("the completion failed")
    assert store.outbox.recent() == []
    with store.write() as conn:
        delivery = outbox.enqueue(
            store, url="https://example.org/h", event="e", payload={}, conn=conn
        )
    assert store.outbox.get(delivery)["status"] == "pending"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",  # loopback, not allow-listed in this test
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://localhost/hook",
    ],
)
def test_private_targets_are_refused_and_never_retried(store_path, url):
    s = Store.open(store_path)  # default settings: no allow-list
    delivery = outbox.enqueue(s, url=url, event="e", payload={})
    assert outbox.deliver_due(s) == 1
    row = s.outbox.get(delivery)
    assert row["status"] == "failed"
    assert "non-public address" in row["last_error"]
    assert row["next_attempt_at"] is None
    s.close()


def test_allow_listed_loopback_is_delivered_but_a_redirect_is_not_followed(store):
    with receive_webhooks(answers=[302]) as hook:
        delivery = outbox.enqueue(store, url=hook.url, event="e", payload={})
        outbox.deliver_due(store)
        hook.wait(1)
    row = store.outbox.get(delivery)
    assert row["status"] == "pending" and row["last_status_code"] == 302


def test_an_unreachable_receiver_is_retried(store):
    delivery = outbox.enqueue(store, url="http://127.0.0.1:9/closed", event="e", payload={})
    assert outbox.deliver_due(store) == 1
    row = store.outbox.get(delivery)
    assert row["status"] == "pending" and "could not reach" in row["last_error"]


def test_email_target_without_smtp_is_logged_undeliverable(store, caplog):
    delivery = outbox.enqueue(store, url="ops@example.org", event="batch.completed", payload={})
    outbox.deliver_due(store)
    row = store.outbox.get(delivery)
    assert row["status"] == "undeliverable" and "SMTP" in row["last_error"]
    assert "ops@example.org" in caplog.text


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("ftp://example.org/x", None),
        ("not a url", None),
        ("", None),
        (None, None),
        ("https://example.org/h", {"X-A": "one\r\nInjected: yes"}),
        ("https://example.org/h", {"bad name": "v"}),
        ("https://example.org/h", ["not", "a", "dict"]),
    ],
)
def test_bad_targets_and_headers_are_refused_at_enqueue(store, url, headers):
    with pytest.raises(BadRequest):
        outbox.enqueue(store, url=url, event="e", payload={}, headers=headers)
    assert store.outbox.recent() == []


def test_two_passes_never_send_one_row_twice(store):
    with receive_webhooks() as hook:
        delivery = outbox.enqueue(store, url=hook.url, event="e", payload={})
        row = store.outbox.due(time.time())[0]
        assert store.outbox.claim(delivery, row["next_attempt_at"], time.time() + 60)
        assert not store.outbox.claim(delivery, row["next_attempt_at"], time.time() + 60)
        assert outbox.deliver_due(store) == 0  # held by the first claim
        assert hook.requests == []


@pytest.mark.postgres
def test_the_outbox_on_postgresql(pg_url):
    s = Store.open(pg_url)
    outbox.configure(s, LOCAL)
    try:
        with receive_webhooks(answers=[500, 200]) as hook:
            with s.write() as conn:
                delivery = outbox.enqueue(s, url=hook.url, event="e", payload={"pg": 1}, conn=conn)
            secret = outbox.secret(s)
            assert outbox.secret(s) == secret
            assert outbox.deliver_due(s) == 1
            row = s.outbox.get(delivery)
            assert row["status"] == "pending" and row["last_status_code"] == 500
            assert not s.outbox.claim(delivery, row["next_attempt_at"] - 1, time.time())
            assert outbox.deliver_due(s, now=row["next_attempt_at"]) == 1
            _, second = hook.wait(2)
        signing.verify(secret, second.headers, second.body, now=time.time())
        assert s.outbox.counts()["delivered"] == 1
        assert s.outbox.recent()[0]["id"] == delivery
    finally:
        s.close()
