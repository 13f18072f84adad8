"""Rules for new passwords: a minimum length and none of the most common passwords."""

from __future__ import annotations

from .errors import BadRequest

MIN_PASSWORD_LENGTH = 8

# Passwords that top every leaked-password ranking (our own short list, lower case): refusing
# them stops the first guesses of any spraying attempt.
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "password1234",
        "passw0rd",
        "p@ssword",
        "p@ssw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "0123456789",
        "87654321",
        "11111111",
        "00000000",
        "12341234",
        "11223344",
        "123123123",
        "abcd1234",
        "abc12345",
        "1q2w3e4r",
        "1qaz2wsx",
        "qwertyui",
        "qwerty12",
        "qwerty123",
        "qwerty1234",
        "qwertyuiop",
        "asdfghjk",
        "asdfghjkl",
        "zxcvbnm1",
        "iloveyou",
        "iloveyou1",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "batman123",
        "starwars",
        "trustno1",
        "letmein1",
        "letmein!",
        "welcome1",
        "welcome123",
        "monkey12",
        "dragon12",
        "master12",
        "shadow12",
        "whatever",
        "changeme",
        "changeme1",
        "secret12",
        "secret123",
        "admin123",
        "admin1234",
        "administrator",
        "annotator",
        "annotation",
        "potato123",
        "default1",
        "computer",
        "internet",
        "michael1",
        "jennifer",
        "jordan23",
        "liverpool",
        "chelsea1",
        "arsenal1",
        "freedom1",
        "hello123",
    ]
)


def check_new_password(password: str, username: str = "") -> None:
    """BadRequest naming what is wrong with a password someone chooses."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"choose a password of at least {MIN_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) == 1:
        raise BadRequest("this password is among the most common ones; choose another")
    if username and lowered == username.lower():
        raise BadRequest("the password must differ from the username")
