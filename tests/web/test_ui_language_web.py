"""ui_language on the served pages: <html lang dir>, translated strings, overrides."""

from __future__ import annotations

import json
import re

from potato_like.i18n import catalogue
from tests.conftest import login


def _html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_arabic_page_is_right_to_left_and_translated(make_project):
    app = make_project(items=2, ui_language="ar")
    ar = catalogue("ar")
    login_page = app.test_client().get("/").data.decode()
    assert _html_tag(login_page) == '<html lang="ar" dir="rtl">'
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").data.decode()
    assert _html_tag(page) == '<html lang="ar" dir="rtl">'
    for key in ("next_button", "logout", "keyboard_shortcuts", "item_heading", "go_button"):
        assert ar[key] in page, key
    assert "Submit &amp; next" not in page and "Log out" not in page
    strings = json.loads(re.search(r'id="ui-strings">(.*?)</script>', page).group(1))
    assert strings["saved"] == ar["js_saved"]


def test_override_wins_over_the_catalogue(make_project):
    app = make_project(items=2, ui_language={"_base": "de", "next_button": "Speichern!"})
    c = login(app.test_client(), "ann")
    page = c.get("/annotate").data.decode()
    assert _html_tag(page) == '<html lang="de" dir="ltr">'
    assert "Speichern!" in page and catalogue("de")["next_button"] not in page
    assert catalogue("de")["logout"] in page


def test_override_is_escaped(make_project):
    app = make_project(items=2, ui_language={"logout": "<b>bye</b>"})
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "&lt;b&gt;bye&lt;/b&gt;" in page and "<b>bye</b>" not in page


def test_finished_page_is_translated(make_project):
    app = make_project(items=1, ui_language="fr")
    c = login(app.test_client(), "ann")
    iid = c.get("/api/current_instance").json["instance_id"]
    c.post("/updateinstance", json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}})
    c.post("/go_to", json={"action": "next_instance"})
    page = c.get("/done").data.decode()
    assert catalogue("fr")["done_title"] in page
    assert "Vous avez terminé <strong>1</strong> élément." in page


def test_unknown_language_serves_english(make_project):
    app = make_project(items=1, ui_language="klingon")
    page = app.test_client().get("/").data.decode()
    assert _html_tag(page) == '<html lang="en" dir="ltr">'
    warnings = app.extensions["potato_like"].config.warnings
    assert any("klingon" in w for w in warnings)


def test_flag_dialog_text_size_admin_and_script_strings_are_translated(make_project):
    from html import escape

    from tests.conftest import ADMIN

    app = make_project(items=2, ui_language="de")
    de = catalogue("de")
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    for key in ("flag_button", "flag_title", "flag_prompt", "flag_send", "text_size"):
        assert escape(de[key], quote=False) in page, key
    assert "Flag this item" not in page and "Text size" not in page
    strings = json.loads(re.search(r'id="ui-strings">(.*?)</script>', page).group(1))
    assert strings["flagged"] == de["js_flagged"]
    assert strings["not_saved_because"] == "Nicht gespeichert: {why}"
    assert strings["kb_dialog"] == de["js_kb_dialog"]  # spans.js
    client = app.test_client()
    sign_in = client.get("/admin/login").data.decode()
    assert de["admin_key_label"] in sign_in and de["admin_open_button"] in sign_in
    client.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    admin = client.get("/admin").data.decode()
    assert de["admin_tab_overview"] in admin and de["admin_leave"] in admin
    assert ">Overview<" not in admin and "Leave admin" not in admin
