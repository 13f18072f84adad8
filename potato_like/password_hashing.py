"""Password hashes: argon2id at OWASP's minimum (m = 19 MiB, t = 2, p = 1), via argon2-cffi.

Why argon2id and not werkzeug's default (scrypt N = 2^15, r = 8, p = 1): OWASP's minimum
for scrypt is N = 2^17, four times the memory and time of werkzeug's default, about 0.5 s of
CPU per hash on the reference machine (docs/performance.md, "Registration with passwords");
argon2id at OWASP's minimum takes a fraction of that, and argon2-cffi computes it with the GIL
released, so the other request threads of the process keep running while a password is
hashed. At most `os.cpu_count()` hashes run at once per process (`HASHING_SLOTS`): eight people
registering in the same instant queue for a slot instead of all competing for the CPUs with
every other request.

Hashes made before (werkzeug's `scrypt:` / `pbkdf2:` strings) still verify; `verify` says
when a stored hash should be replaced, and the login replaces it with an argon2id hash of
the password it just checked (auth.py).
"""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from werkzeug.security import check_password_hash

# OWASP Password Storage Cheat Sheet, argon2id minimum configuration.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
HASHING_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def hash_password(password: str) -> str:
    with HASHING_SLOTS:
        return HASHER.hash(password)


def verify(stored: str, password: str) -> tuple[bool, bool]:
    """(matches, should be rehashed): a werkzeug hash or argon2 with other parameters is
    replaced at the next successful login."""
    if stored.startswith("$argon2"):
        try:
            with HASHING_SLOTS:
                HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, False
        return True, HASHER.check_needs_rehash(stored)
    with HASHING_SLOTS:
        return check_password_hash(stored, password), True
