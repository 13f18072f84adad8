"""Data files that are not UTF-8: a declared `encoding` (Potato's key on a data_files entry,
`data_directory_encoding`), else byte-order marks, else Windows-1252 with a warning."""

from __future__ import annotations

import json

import pytest

from potato_like.data.readers import detect_encoding
from tests.conftest import base_config, write_config

TEXT = "Café crème à Zürich — naïve"


def rows(n=2):
    return [{"id": f"i{k}", "text": f"{TEXT} {k}"} for k in range(1, n + 1)]


def jsonl(items):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in items)


def shown_text(app, item_id="i1"):
    store = app.extensions["potato_like"].store
    return store.items.by_id(item_id).text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_byte_order_marks_decide(tmp_path, open_app, encoding):
    (tmp_path / "data.jsonl").write_bytes(jsonl(rows()).encode(encoding))
    app = open_app(write_config(tmp_path, base_config()))
    assert shown_text(app) == f"{TEXT} 1"
    assert not [w for w in app.extensions["potato_like"].import_report.warnings if "UTF" in w]


def test_latin1_without_declaration_is_read_with_a_warning(tmp_path, open_app):
    (tmp_path / "data.jsonl").write_bytes(jsonl(rows()).replace("—", "-").encode("latin-1"))
    app = open_app(write_config(tmp_path, base_config()))
    assert shown_text(app) == f"{TEXT} 1".replace("—", "-")
    warnings = app.extensions["potato_like"].import_report.warnings
    assert any("data.jsonl: not UTF-8" in w and "cp1252" in w for w in warnings)


def test_declared_encoding_wins(tmp_path, open_app):
    # KOI8-R bytes would be misread as cp1252 by the fallback
    items = [{"id": "i1", "text": "Привет"}, {"id": "i2", "text": "мир"}]
    (tmp_path / "data.csv").write_bytes(
        ("id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in items)).encode("koi8-r")
    )
    config = base_config(data_files=[{"path": "data.csv", "encoding": "koi8-r"}])
    app = open_app(write_config(tmp_path, config))
    assert shown_text(app) == "Привет"


def test_data_directory_encoding(tmp_path, open_app):
    (tmp_path / "incoming").mkdir()
    (tmp_path / "incoming" / "a.jsonl").write_bytes(
        jsonl([{"id": "i1", "text": "Grüße"}]).encode("cp1252")
    )
    config = base_config(data_directory="incoming", data_directory_encoding="cp1252")
    config.pop("data_files")
    app = open_app(write_config(tmp_path, config))
    assert shown_text(app) == "Grüße"
    assert not [w for w in app.extensions["potato_like"].import_report.warnings if "UTF-8" in w]


def test_unknown_declared_encoding_stops_the_start(tmp_path, open_app):
    from potato_like.errors import ConfigError

    (tmp_path / "data.jsonl").write_text(jsonl(rows()), encoding="utf-8")
    config = base_config(data_files=[{"path": "data.jsonl", "encoding": "klingon-8"}])
    with pytest.raises(ConfigError, match="unknown encoding 'klingon-8'"):
        open_app(write_config(tmp_path, config))


def test_detection_units(tmp_path):
    f = tmp_path / "x.jsonl"
    f.write_bytes("ascii only\n".encode("utf-16-le"))
    assert detect_encoding(f)[0] == "utf-16-le"
    f.write_bytes("ascii only\n".encode("utf-16-be"))
    assert detect_encoding(f)[0] == "utf-16-be"
    f.write_bytes("plain ütf8\n".encode())
    assert detect_encoding(f) == ("utf-8-sig", None)
    f.write_bytes(b"\x81\x8d\x8f\x90\x9d\n")  # not cp1252 either
    assert detect_encoding(f)[0] == "latin-1"
    assert detect_encoding(f, "koi8_r") == ("koi8_r", None)
