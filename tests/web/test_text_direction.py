"""Right-to-left items and answers lay out by their own text (issue 21, point 9): the item's
text, dialogue turns, HTML and every free-text box carry dir="auto"."""

from __future__ import annotations

import json
import re

from tests.conftest import base_config, login, write_config


def test_items_and_text_boxes_follow_their_own_direction(make_project, tmp_path):
    schemes = [
        {"annotation_type": "text", "name": "note", "description": "Note?"},
        {"annotation_type": "text", "name": "essay", "description": "Essay?", "textarea": True},
        {"annotation_type": "radio", "name": "mood", "description": "Mood?",
         "labels": ["a", "b"], "has_free_response": {"instruction": "Other"}},
    ]  # fmt: skip
    app = make_project(items=2, schemes=schemes)
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").get_data(as_text=True)
    assert re.search(r'id="instance-text"[^>]*dir="auto"', page)
    boxes = re.findall(r"<(?:textarea|input type=\"text\")[^>]*>", page)
    boxes = [b for b in boxes if "data-scheme" in b]
    assert len(boxes) == 3 and all('dir="auto"' in b for b in boxes), boxes


def test_displayed_fields_follow_their_own_direction(tmp_path, open_app):
    item = {"id": "ar_1", "text": "مرحبا بالعالم", "html": "<p>שלום</p>",
            "turns": ["أ: مرحبا", "ب: أهلا"]}  # fmt: skip
    (tmp_path / "data.jsonl").write_text(json.dumps(item, ensure_ascii=False) + "\n", "utf-8")
    display = {"fields": [{"key": "text", "type": "text"}, {"key": "html", "type": "html"},
                          {"key": "turns", "type": "dialogue"}]}  # fmt: skip
    app = open_app(write_config(tmp_path, base_config(instance_display=display)))
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").get_data(as_text=True)
    assert re.search(r'class="text display-text[^"]*" dir="auto"', page)
    assert re.search(r'class="display-html" dir="auto"', page)
    assert len(re.findall(r'<li dir="auto" class="turn', page)) == 2
