"""docs/compatibility.md is generated from the registries and Potato's names
(potato_like/potato_reference.yaml): it must be current, and every registry entry of ours must
be on it."""

from __future__ import annotations

import re

import pytest

from potato_like import compat_report
from potato_like.compat_report import DONE, IGNORED, MISSING, Ours
from potato_like.config import compat
from potato_like.schemes.registry import type_names


@pytest.fixture(scope="module")
def ours() -> Ours:
    return compat_report.collect_ours()


@pytest.fixture(scope="module")
def page() -> str:
    assert compat_report.PAGE.is_file(), f"{compat_report.PAGE} is missing"
    return compat_report.PAGE.read_text(encoding="utf-8")


def test_the_page_is_current(ours, page):
    expected = compat_report.render(compat_report.load_reference(), ours)
    assert page == expected, "docs/compatibility.md is stale: python -m potato_like.compat_report"


def test_every_annotation_type_of_the_registry_is_on_the_page(page):
    missing = [name for name in type_names() if f"`{name}`" not in page]
    assert not missing, f"annotation types not on docs/compatibility.md: {missing}"


def test_every_config_key_we_know_is_on_the_page(page):
    known = [*compat.IMPLEMENTED, *compat.LATER]
    missing = [key for key in known if f"`{key}`" not in page]
    assert not missing, f"config keys not on docs/compatibility.md: {missing}"


def test_every_route_of_the_app_is_on_the_page(ours, page):
    listed = {compat_report.normalise_route(m) for m in re.findall(r"`([A-Z]+ /[^`]*)`", page)}
    missing = sorted(ours.routes - listed)
    assert not missing, f"routes not on docs/compatibility.md: {missing}"


def test_check_fails_on_a_stale_page_and_passes_on_a_current_one(tmp_path, capsys):
    out = tmp_path / "compatibility.md"
    assert compat_report.main(["--out", str(out)]) == 0
    assert compat_report.main(["--check", "--out", str(out)]) == 0
    out.write_text(out.read_text().replace("| done |", "| missing |", 1))
    assert compat_report.main(["--check", "--out", str(out)]) == 1
    assert "stale" in capsys.readouterr().err
    out.unlink()
    assert compat_report.main(["--check", "--out", str(out)]) == 1


def test_the_seed_api_is_done_and_states_follow_the_registries(ours):
    reference = compat_report.load_reference()
    core = reference["endpoints"]["potato/routes"]
    for entry in ("POST /updateinstance", "GET /api/current_instance", "POST /go_to"):
        assert entry in core
        assert compat_report.route_state(entry, ours) == DONE
    assert compat_report.route_state("GET /api/spans/<instance_id>", ours) == DONE
    assert compat_report.route_state("GET /no/such/endpoint", ours) == MISSING
    for name in type_names():
        assert compat_report.type_state(name, ours) == DONE
    assert compat_report.type_state("no_such_type", ours) == MISSING
    assert compat_report.key_state("annotation_task_name", ours) == DONE
    assert compat_report.key_state("num_annotators_per_item", ours).startswith(DONE)
    assert compat_report.key_state(compat._LATER_NAMES[0], ours).startswith(IGNORED)
    assert compat_report.key_state("no_such_key", ours).startswith(MISSING)


def test_a_new_registry_entry_shows_on_the_page(ours):
    reference = compat_report.load_reference()
    grown = Ours(
        types=ours.types | {"brand_new_type"},
        keys=ours.keys | {"brand_new_key"},
        aliases=ours.aliases,
        later=ours.later,
        routes=ours.routes | {"GET /brand/new/{}"},
    )
    text = compat_report.render(reference, grown)
    for entry in ("`brand_new_type`", "`brand_new_key`", "`GET /brand/new/{}`"):
        assert entry in text
