"""Quality checks look like any other item on the page (issue 21, point 8): a neutral id,
counted in the visible progress, and never repeated for one annotator."""

from __future__ import annotations

import re

from tests.conftest import login
from tests.web.test_quality_control import annotate, qc_only
from tests.web.test_study_flow import study  # noqa: F401 - the fixture


def shown(client) -> tuple[str, str]:
    page = client.get("/annotate").get_data(as_text=True)
    progress = re.search(r'data-testid="progress">([^<]+)<', page).group(1)
    shown_id = re.search(r'data-testid="instance-id">([^<]+)<', page).group(1)
    return progress, shown_id


def test_a_check_is_counted_and_shows_a_neutral_id(study):  # noqa: F811
    # 24 items; an attention check after every 4th, from a pool of two: 26 in all.
    app = study(edit=qc_only(gold_standards={"enabled": False}))
    c = login(app.test_client(), "reader")
    for n in range(1, 5):
        assert shown(c)[0] == f"{n} of 26"
        annotate(c)
    progress, shown_id = shown(c)
    assert c.get("/api/current_instance").json["instance_id"] == "attn_1"
    assert progress == "5 of 26"
    assert "attn" not in shown_id and re.fullmatch(r"[0-9a-f]{8}", shown_id)
    assert shown(c)[1] == shown_id  # stable on reload
    annotate(c, "negative")
    assert shown(c) == ("6 of 26", "review_05")


def test_a_check_never_repeats_for_one_annotator(study):  # noqa: F811
    app = study(edit=qc_only(gold_standards={"enabled": False}, attention_checks={"frequency": 1}))
    c = login(app.test_client(), "reader")
    seen = []
    for _ in range(12):
        body = annotate(c, "negative")
        if body["instance_id"].startswith("attn_"):
            seen.append(body["instance_id"])
    assert seen == ["attn_1", "attn_2"]  # the pool has two: no third check
