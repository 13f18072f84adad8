"""Files that hold annotations, accounts or secrets are readable by the server's user only.

Everything the server creates in the output directory (the SQLite database and its -wal/-shm
files, per-user output, knowledge-base indexes, the secret and admin-key files) and the files
`run.py export` writes are created 0600, directories 0700. The mode is given when each file
is created; the process umask is never changed, since that would change it for everything
else in the process too (a library user's own files, other threads). A database created
world-readable by an older version loses its "other" permissions at the next start; group
permissions an operator gave it are kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")

log = logging.getLogger("potato_like")


def make_private_dir(path: Path) -> None:
    """Create `path` 0700 (missing parents as usual); an existing directory keeps its mode."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open that creates the file 0600."""
    return os.open(path, flags, FILE_MODE)


def touch_private(path: Path) -> None:
    """Create an empty file 0600 unless it exists (SQLite then uses it, and creates its -wal
    and -shm files with the same mode as the database file)."""
    with contextlib.suppress(FileExistsError):
        os.close(open_private(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))


def prepare_sqlite_file(database: Path) -> None:
    """Before SQLite opens `database`: create it 0600, or take away the "other" permissions
    of an existing one and its side files."""
    make_private_dir(database.parent)
    touch_private(database)
    for path in (database, *(Path(f"{database}{s}") for s in SQLITE_SIDE_FILES)):
        drop_other_access(path)


def drop_other_access(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o007:
            path.chmod(mode & ~0o007)
    except FileNotFoundError:
        pass
    except OSError as exc:  # not ours to change (another owner, a read-only mount)
        log.warning("cannot restrict the permissions of %s: %s", path, exc.strerror or exc)
