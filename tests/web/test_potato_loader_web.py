"""Loader rules seen by annotators (issue 15 part 1): displayed_label and key_binding on the
page, a watched data_directory picking up new files, items without the text field shown
with what they have."""

from __future__ import annotations

import json
import time

import pytest

from tests.conftest import annotate_all, base_config, current_id, login, radio, write_config


def test_displayed_label_and_key_binding_on_the_page(make_project):
    labels = [
        {"name": "pos", "displayed_label": "Looks <good>", "key_binding": "g"},
        {"name": "neg", "description": "ignored with a warning"},
    ]
    app = make_project(schemes=[radio("s", labels)])
    client = login(app.test_client(), "ann")
    page = client.get("/annotate").get_data(as_text=True)
    assert "Looks &lt;good&gt;" in page  # shown, escaped
    assert 'data-label="pos"' in page and 'data-key="g"' in page
    assert "<kbd>g</kbd>" in page and "<kbd>1</kbd>" in page  # neg keeps a number key
    # The stored value is the label's name.
    iid = current_id(client)
    response = client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"s:pos": "1"}}
    )
    assert response.status_code == 200, response.json
    assert client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == {
        "s": {"pos": "1"}
    }


@pytest.mark.slow  # waits for the poll interval (1 s minimum, as in Potato)
def test_watched_data_directory_serves_new_files(tmp_path, open_app):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "first.jsonl").write_text('{"id": "a1", "text": "first"}\n', encoding="utf-8")
    config = base_config(data_directory="inbox", watch_data_directory=True, watch_poll_interval=1)
    del config["data_files"]
    app = open_app(write_config(tmp_path, config))
    client = login(app.test_client(), "ann")
    assert annotate_all(client) == ["a1"]
    assert client.get("/api/current_instance").json["finished"] is True

    (inbox / "second.jsonl").write_text('{"id": "b1", "text": "second"}\n', encoding="utf-8")
    (inbox / "broken.jsonl").write_text("{not json\n", encoding="utf-8")
    time.sleep(1.1)
    # A file that cannot be read yet (being written, bad rows) changes nothing...
    assert client.get("/api/current_instance").json["finished"] is True
    (inbox / "broken.jsonl").unlink()
    time.sleep(1.1)
    # ...and once it is gone or fixed, the new items are served.
    assert current_id(client) == "b1"
    assert app.extensions["potato_like"].store.items.count() == 2


@pytest.mark.slow  # waits for the poll interval (1 s minimum, as in Potato)
def test_unwatched_data_directory_is_read_at_start_only(tmp_path, open_app):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "first.jsonl").write_text('{"id": "a1", "text": "first"}\n', encoding="utf-8")
    config = base_config(data_directory="inbox", watch_poll_interval=1)
    del config["data_files"]
    app = open_app(write_config(tmp_path, config))
    client = login(app.test_client(), "ann")
    (inbox / "second.jsonl").write_text('{"id": "b1", "text": "second"}\n', encoding="utf-8")
    time.sleep(1.1)
    assert annotate_all(client) == ["a1"]


def test_item_without_text_key_shows_its_fields(tmp_path, open_app):
    row = {"id": "img1", "image_url": "cat.png", "caption": "<b>a cat</b>"}
    (tmp_path / "images.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    app = open_app(write_config(tmp_path, base_config(items_file="images.jsonl")))
    client = login(app.test_client(), "ann")
    page = client.get("/annotate").get_data(as_text=True)
    assert "image_url" in page and "cat.png" in page
    assert "&lt;b&gt;a cat&lt;/b&gt;" in page  # still escaped text
