"""Where a user's files live: `<output_annotation_dir>/<user_dir_name(username)>/`.

The one mapping from usernames to directory names; everything that writes or reads per-user
files goes through it. It is injective (two users never share a directory: percent-decoding
the directory name gives the username back) and stable (a name made of the safe characters
A-Z a-z 0-9 . _ @ + - keeps the directory it has always had):

- every other character becomes `%XX` per UTF-8 byte, `%` itself included (`zed<` ->
  `zed%3C`, `zed%3C` -> `zed%253C`, `a/b` -> `a%2Fb`, NUL -> `%00`);
- the first character is encoded too when the name would otherwise be hidden or special: a
  leading `.` (`.`, `..`, `.secret_key`), a Windows device name (`CON`, `nul.txt`, `COM1`),
  or the project's database file (`potato_like.sqlite3`, `-wal`, `-shm`), which share the
  output directory.

A name whose directory name would exceed the file-system limit (255 bytes), or whose
directory cannot be created, is refused when the account is created (`prepare_user_dir`).
Case-insensitive file systems (macOS, Windows defaults) would still fold `Bob` and `bob`
into one directory; serve from a case-sensitive one (Linux) when names differ only in case.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import BadRequest
from ..private_files import make_private_dir

SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+-")
MAX_NAME_BYTES = 255
_WINDOWS_DEVICES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)", re.IGNORECASE)
_DATABASE_PREFIX = "potato_like.sqlite3"


def _encode(ch: str) -> str:
    return "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))


def user_dir_name(username: str) -> str:
    """The directory name of a user (see the module doc for the rules)."""
    name = "".join(ch if ch in SAFE else _encode(ch) for ch in username)
    if name.startswith(".") or _WINDOWS_DEVICES.match(name) or name.startswith(_DATABASE_PREFIX):
        name = _encode(name[0]) + name[1:]
    return name


def username_of_dir(dir_name: str) -> str:
    """The inverse of user_dir_name (percent-decoding)."""
    raw = bytearray()
    i = 0
    while i < len(dir_name):
        if dir_name[i] == "%":
            raw.append(int(dir_name[i + 1 : i + 3], 16))
            i += 3
        else:
            raw.extend(dir_name[i].encode("ascii"))
            i += 1
    return raw.decode("utf-8", "surrogatepass")


def user_dir(output_dir: Path, username: str) -> Path:
    return output_dir / user_dir_name(username)


def prepare_user_dir(output_dir: Path, username: str) -> Path:
    """Create the user's directory now, when the account is made, so a name that cannot have
    one is refused with a clear message instead of failing every flush later."""
    name = user_dir_name(username)
    if len(name.encode("ascii")) > MAX_NAME_BYTES:
        raise BadRequest(
            "this username is too long to name the user's output directory; choose a shorter one"
        )
    path = output_dir / name
    try:
        make_private_dir(path)  # 0700, like every directory the server creates
    except OSError as exc:
        raise BadRequest(
            f"this username cannot be used: its output directory cannot be created "
            f"({exc.strerror or exc})"
        ) from None
    return path
