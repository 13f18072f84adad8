"""Where the seed documents (Potato's own docs the project was built from) are.

They live in `shared/seeds/` beside the repo (CI checks the repo out next to `shared/`), but a
worktree or a clone may sit deeper, so every parent directory of the repo is tried.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO


def seed_dirs(repo: Path = REPO) -> list[Path]:
    """The candidate `shared/seeds` directories, nearest first."""
    return [parent / "shared" / "seeds" for parent in repo.resolve().parents]


def find_seed(pattern: str, repo: Path = REPO) -> tuple[Path | None, str]:
    """(the first file matching `pattern` in the nearest seeds directory, a skip reason)."""
    dirs = seed_dirs(repo)
    for directory in dirs:
        found = sorted(directory.glob(pattern))
        if found:
            return found[0], ""
    looked = ", ".join(str(d) for d in dirs)
    return None, f"seed {pattern} not found in shared/seeds of any parent of the repo: {looked}"
