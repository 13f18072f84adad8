"""Static files carry their content hash in the URL and are cached for a year (issue 21, 14)."""

from __future__ import annotations

import hashlib
import re

from potato_like.web.static_assets import AssetHashes
from tests.conftest import REPO, login


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', html)


def test_pages_link_static_files_by_content_hash(make_project):
    app = make_project()
    client = login(app.test_client(), "ann")
    page = client.get("/annotate").get_data(as_text=True)
    links = linked_assets(page)
    assert any("annotate.js" in link for link in links), links
    for link in links:
        path, _, query = link.partition("?v=")
        assert query, f"{link} has no content hash"
        data = (REPO / path.lstrip("/")).read_bytes()
        assert query == hashlib.sha256(data).hexdigest()[:12]


def test_hashed_url_is_immutable_and_others_revalidate(make_project):
    app = make_project()
    client = login(app.test_client(), "ann")
    page = client.get("/annotate").get_data(as_text=True)
    link = next(x for x in linked_assets(page) if "annotate.js" in x)
    fresh = client.get(link)
    assert fresh.status_code == 200
    assert fresh.cache_control.immutable and fresh.cache_control.max_age == 31536000
    assert fresh.cache_control.public
    # Old links (no hash, or the hash of an earlier version) still work but revalidate.
    for stale in (link.split("?")[0], link.split("?")[0] + "?v=000000000000"):
        response = client.get(stale)
        assert response.status_code == 200
        assert response.cache_control.no_cache and not response.cache_control.immutable
        assert response.cache_control.max_age is None


def test_a_changed_file_gets_a_new_hash_and_paths_stay_inside(tmp_path):
    (tmp_path / "a.js").write_text("one")
    hashes = AssetHashes(tmp_path)
    first = hashes.hash_of("a.js")
    (tmp_path / "a.js").write_text("two!")
    assert hashes.hash_of("a.js") not in (None, first)
    assert hashes.hash_of("missing.js") is None
    (tmp_path.parent / "secret.txt").write_text("x")
    assert hashes.hash_of("../secret.txt") is None
