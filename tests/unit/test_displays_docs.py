"""docs/displays.md keeps up with the display registry and the instance_display keys."""

from __future__ import annotations

from potato_like.displays import config as display_config
from potato_like.displays import docs
from potato_like.displays.registry import display_class, type_names


def test_the_generated_table_is_current():
    current = docs.PAGE.read_text(encoding="utf-8")
    assert docs.render_page(current) == current, "run: python -m potato_like.displays.docs"
    assert docs.main(["--check"]) == 0


def test_every_type_option_and_key_is_documented():
    page = docs.PAGE.read_text(encoding="utf-8")
    for name in type_names():
        cls = display_class(name)
        assert f"| `{name}` |" in page
        for option in (*cls.options, *cls.later):
            assert f"`{option}`" in page, (name, option)
    keys = (
        *display_config.FIELD_KEYS,
        *display_config.DISPLAY_KEYS,
        *display_config.LAYOUT_KEYS,
        *display_config.LATER_FIELD_KEYS,
        *display_config.LATER_DISPLAY_KEYS,
    )
    for key in keys:
        assert f"`{key}`" in page, key


def test_config_reference_points_to_the_display_page():
    config_doc = (docs.PAGE.parent / "config.md").read_text(encoding="utf-8")
    assert "`instance_display`" in config_doc and "(displays.md)" in config_doc
