"""The seed tests find shared/seeds in any parent directory of the repo, and say where they
looked when it is nowhere."""

from __future__ import annotations

from tests.seeds import find_seed


def test_the_seed_is_found_in_a_grandparent_directory(tmp_path):
    seeds = tmp_path / "shared" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "003_abc.txt").write_text("seed")
    repo = tmp_path / "wt" / "branch"
    repo.mkdir(parents=True)
    found, reason = find_seed("003_*.txt", repo)
    assert found == seeds / "003_abc.txt"
    assert reason == ""


def test_the_nearest_seeds_directory_wins(tmp_path):
    for base in (tmp_path, tmp_path / "wt"):
        (base / "shared" / "seeds").mkdir(parents=True)
        (base / "shared" / "seeds" / "003_x.txt").write_text(str(base))
    repo = tmp_path / "wt" / "branch"
    repo.mkdir()
    found, _ = find_seed("003_*.txt", repo)
    assert found == tmp_path / "wt" / "shared" / "seeds" / "003_x.txt"


def test_a_missing_seed_names_every_directory_tried(tmp_path):
    (tmp_path / "shared" / "seeds").mkdir(parents=True)  # there, but without the file
    repo = tmp_path / "clone"
    repo.mkdir()
    found, reason = find_seed("003_*.txt", repo)
    assert found is None
    assert "003_*.txt" in reason
    assert str(tmp_path / "shared" / "seeds") in reason
    assert "/shared/seeds" in reason.rsplit(", ", 1)[-1]  # up to the root
