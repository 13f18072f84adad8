"""ui_language: the bundled catalogues and how the config chooses and overrides strings."""

from __future__ import annotations

import re
from string import Formatter

import pytest
import yaml

from potato_like.config.validate import build_config
from potato_like.i18n import LANGUAGES, MESSAGES_DIR, UiStrings, catalogue, message_keys
from tests.conftest import base_config


def _fields(text):
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def test_potato_languages_and_english_are_bundled():
    assert set(LANGUAGES) == {"en", "ar", "de", "es", "fr", "hi", "ja", "ko", "pt", "ru", "zh"}
    assert {p.stem for p in MESSAGES_DIR.glob("*.yaml")} == set(LANGUAGES)


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_catalogue_has_every_english_key_and_its_placeholders(code):
    english = catalogue("en")
    with open(MESSAGES_DIR / f"{code}.yaml", encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    assert set(raw) == set(english), f"{code}: missing {set(english) - set(raw)}"
    for key, text in raw.items():
        assert isinstance(text, str) and text.strip(), (code, key)
        assert _fields(text) == _fields(english[key]), (code, key)
    assert raw["html_lang"] == code
    assert raw["html_dir"] == ("rtl" if code == "ar" else "ltr")


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_catalogues_are_translated_not_copied(code):
    english, other = catalogue("en"), catalogue(code)
    same = [k for k in english if other[k] == english[k] and re.search("[a-z]{3}", english[k])]
    assert len(same) <= 3, f"{code}: still English: {same}"


def _cfg(tmp_path, value):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    return build_config(base_config(ui_language=value), tmp_path)


def test_default_is_english(tmp_path):
    cfg = _cfg(tmp_path, None)
    assert cfg.ui == UiStrings() and cfg.ui.lang == "en" and cfg.ui.dir == "ltr"


def test_language_code_and_potato_mapping_shapes(tmp_path):
    assert _cfg(tmp_path, "ar").ui.dir == "rtl"
    assert _cfg(tmp_path, "pt-BR").ui.language == "pt"
    ui = _cfg(tmp_path, {"_base": "de", "next_button": "Weiter!"}).ui
    assert ui.language == "de" and ui.messages["next_button"] == "Weiter!"
    assert ui.messages["logout"] == catalogue("de")["logout"]
    # legacy shape: English plus overrides
    ui = _cfg(tmp_path, {"logout": "Sign off"}).ui
    assert ui.language == "en" and ui.messages["logout"] == "Sign off"


def test_unknown_language_warns_with_did_you_mean_and_falls_back_to_english(tmp_path):
    cfg = _cfg(tmp_path, "fra")
    assert cfg.ui.language == "en"
    assert any("ui_language" in w and "did you mean 'fr'" in w for w in cfg.warnings)


def test_unknown_override_key_warns_with_did_you_mean(tmp_path):
    cfg = _cfg(tmp_path, {"_base": "es", "next_buton": "Siguiente"})
    assert "next_buton" not in cfg.ui.messages
    assert any("next_buton" in w and "did you mean 'next_button'" in w for w in cfg.warnings)


def test_override_with_foreign_placeholder_is_ignored(tmp_path):
    # {user.__class__} would reach into Python objects when the page formats the string
    cfg = _cfg(tmp_path, {"progress_count": "{n.__class__} of {total}", "done_count": "{x}"})
    assert cfg.ui.messages["progress_count"] == "{n} of {total}"
    assert sum("placeholders" in w for w in cfg.warnings) == 2


def test_bad_shapes_warn_and_stay_english(tmp_path):
    cfg = _cfg(tmp_path, ["ar"])
    assert cfg.ui.language == "en" and any("ui_language" in w for w in cfg.warnings)
    cfg = _cfg(tmp_path, {"_base": "ar", "html_dir": "sideways", "logout": ["x"]})
    assert cfg.ui.dir == "rtl" and cfg.ui.messages["logout"] == catalogue("ar")["logout"]
    assert sum("ui_language." in w for w in cfg.warnings) == 2


def test_html_lang_override_to_a_right_to_left_language_reads_right_to_left(tmp_path):
    ui = _cfg(tmp_path, {"html_lang": "he", "logout": "יציאה"}).ui
    assert ui.lang == "he" and ui.dir == "rtl"


def test_script_messages_are_the_js_keys():
    js = UiStrings("de").script_messages()
    assert js["saved"] == catalogue("de")["js_saved"]
    assert set(js) == {k[3:] for k in message_keys() if k.startswith("js_")}


def test_every_string_the_pages_and_scripts_use_is_in_the_catalogue():
    """Templates use `t.<key>`; the page scripts (annotate.js, spans.js through i18n.js) use
    `t("<key>")` for the catalogue's `js_<key>`; with the test above, every language has them."""
    from potato_like import ROOT

    keys = set(message_keys())
    used_in_templates = set()
    for path in (ROOT / "templates").rglob("*.html"):
        used_in_templates |= set(re.findall(r"\bt\.([a-z_]+)\b", path.read_text("utf-8")))
    assert {"flag_title", "text_size", "not_completed_title", "admin_tab_overview"} <= (
        used_in_templates
    )
    assert used_in_templates <= keys, used_in_templates - keys
    for script in ("annotate.js", "spans.js"):
        text = (ROOT / "static" / "js" / script).read_text("utf-8")
        assert 'import { t } from "./i18n.js"' in text
        used = set(re.findall(r"\bt\(\"([a-z_]+)\"", text))
        assert used, script
        assert {f"js_{k}" for k in used} <= keys, {k for k in used if f"js_{k}" not in keys}
