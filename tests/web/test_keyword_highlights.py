"""GET /api/keyword_highlights/{id} and the keyword_highlights_file config key."""

from __future__ import annotations

import pytest

from potato_like.config import load_config
from potato_like.errors import ConfigError
from tests.conftest import base_config, login, radio, write_items
from tests.web.test_spans import span_app  # noqa: F401


def keywords_file(tmp_path, text):
    path = tmp_path / "kw.tsv"
    path.write_text(text, encoding="utf-8")
    return path.name


def test_keywords_sorted_deduplicated_with_reasoning_and_colour(span_app, tmp_path):  # noqa: F811
    name = keywords_file(
        tmp_path,
        "Word\tLabel\tSchema\nbarack*\tPERSON\tentities\nParis\tLOCATION\tentities\n"
        "paris\tLOCATION\tentities\nvisit*\tpositive\tsentiment\n",
    )
    app = span_app(keyword_highlights_file=name)
    c = login(app.test_client(), "ann")
    c.get("/api/current_instance")
    body = c.get("/api/keyword_highlights/t1").json
    assert body["instance_id"] == "t1"
    kws = body["keywords"]
    assert [(k["text"], k["start"], k["end"], k["label"]) for k in kws] == [
        ("Barack", 0, 6, "PERSON"),
        ("visited", 13, 20, "positive"),
        ("Paris", 21, 26, "LOCATION"),
    ]
    assert kws[0]["reasoning"] == "Keyword: barack* → PERSON"
    assert kws[0]["schema"] == "entities"
    assert kws[0]["color"] == "#3b82f6"  # PERSON's configured colour
    assert kws[1]["color"].startswith("#")
    # The annotation page outlines them.
    assert b"span-page" in c.get("/annotate").data


def test_no_file_means_no_keywords_and_errors(make_project):
    c = login(make_project().test_client(), "ann")
    c.get("/api/current_instance")
    assert c.get("/api/keyword_highlights/item_001").json == {
        "instance_id": "item_001",
        "keywords": [],
    }
    assert c.get("/api/keyword_highlights/item_004").status_code == 403
    assert c.get("/api/keyword_highlights/nope").status_code == 404
    assert make_project().test_client().get("/api/keyword_highlights/item_001").status_code == 401
    # A page without span schemes or keywords loads no span script.
    assert b"span-page" not in c.get("/annotate").data


def test_bad_keyword_files_stop_the_start(tmp_path):
    write_items(tmp_path / "data.jsonl", 2)
    keywords_file(tmp_path, "Word\tLabel\tSchema\ngood\tpositive\n***\tx\ty\n")
    config = base_config(annotation_schemes=[radio("s", ["a"])], keyword_highlights_file="kw.tsv")
    with pytest.raises(ConfigError) as err:
        load_config(config, config_dir=tmp_path)
    assert "keyword_highlights_file: kw.tsv:2: expected Word<TAB>Label<TAB>Schema" in str(err.value)
    assert "kw.tsv:3: a keyword needs a letter or digit" in str(err.value)
    config["keyword_highlights_file"] = "missing.tsv"
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(config, config_dir=tmp_path)


def test_keywords_keep_combining_marks_inside_words(span_app, tmp_path):  # noqa: F811
    """A combining mark belongs to the word it follows: `cafe` must not match the start of a
    decomposed "café", `क` not the start of "कि", and a wildcard takes the marks along."""
    texts = {"t1": "cafe\u0301 cafe कि क excelle\u0301nt"}
    name = keywords_file(
        tmp_path, "cafe\tORG\tentities\nक\tORG\tentities\nexcel*\tPERSON\tentities\n"
    )
    c = login(span_app(texts=texts, keyword_highlights_file=name).test_client(), "ann")
    c.get("/api/current_instance")
    kws = c.get("/api/keyword_highlights/t1").json["keywords"]
    assert [(k["text"], k["start"]) for k in kws] == [
        ("cafe", 6),
        ("क", 14),
        ("excelle\u0301nt", 16),
    ]


def test_a_leading_wildcard_takes_the_marks_before_it(span_app, tmp_path):  # noqa: F811
    texts = {"t1": "ta\u0301king \u0301king"}
    name = keywords_file(tmp_path, "*ing\tORG\tentities\n")
    c = login(span_app(texts=texts, keyword_highlights_file=name).test_client(), "ann")
    c.get("/api/current_instance")
    kws = c.get("/api/keyword_highlights/t1").json["keywords"]
    assert [(k["text"], k["start"]) for k in kws] == [("ta\u0301king", 0), ("\u0301king", 8)]
