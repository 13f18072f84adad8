"""Password hashes: argon2id at OWASP's minimum; werkzeug hashes of before still verify and
are replaced by argon2id at the next login."""

from __future__ import annotations

from werkzeug.security import generate_password_hash

from potato_like.password_hashing import hash_password, verify
from tests.conftest import login


def test_new_hashes_are_argon2id_at_owasp_minimum():
    stored = hash_password("a long passphrase")
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify(stored, "a long passphrase") == (True, False)
    assert verify(stored, "another passphrase") == (False, False)
    assert verify("$argon2id$garbage", "x") == (False, False)


def test_werkzeug_hashes_still_verify_and_ask_for_a_rehash():
    old = generate_password_hash("old-password-1", method="pbkdf2:sha256:1000")
    assert verify(old, "old-password-1") == (True, True)
    assert verify(old, "wrong")[0] is False


def test_a_login_replaces_an_old_hash_with_argon2id(make_project):
    app = make_project(require_password=True)
    store = app.extensions["potato_like"].store
    old = generate_password_hash("old-password-1", method="pbkdf2:sha256:1000")
    user_id = store.users.create("ann", old, login_kind="password").id
    c = app.test_client()
    assert c.post("/auth", json={"username": "ann", "password": "wrong-pw"}).status_code == 401
    assert store.users.by_name("ann").password_hash == old  # a failed login changes nothing
    login(c, "ann", "old-password-1")
    assert c.get("/api/current_instance").status_code == 200
    stored = store.users.by_name("ann").password_hash
    assert stored.startswith("$argon2id$") and store.users.get(user_id) is not None
    login(app.test_client(), "ann", "old-password-1")  # the new hash verifies too
    assert store.users.by_name("ann").password_hash == stored
