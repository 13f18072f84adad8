"""Potato's page options of a scheme: display_logic, dynamic_options, option_randomization and
humanize_labels (config validation, what the page renders, what the server enforces and
records)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from potato_like.config import load_config
from potato_like.errors import ConfigError
from potato_like.schemes.display_logic import Condition, matches
from potato_like.store.tables import events
from tests.conftest import base_config, current_id, login, radio, write_config

from .display_util import annotate_page, assert_csp_clean, elements


def _load(tmp_path, schemes, **overrides):
    (tmp_path / "data.jsonl").write_text('{"id": "a", "text": "x"}\n')
    return load_config(write_config(tmp_path, base_config(annotation_schemes=schemes, **overrides)))


def _problems(tmp_path, schemes, **overrides) -> str:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, schemes, **overrides)
    return str(info.value)


def _follow_up(**rule):
    return {
        "annotation_type": "text",
        "name": "why",
        "description": "Why?",
        "display_logic": {"show_when": [{"schema": "pii", **rule}]},
        "label_requirement": {"required": True},
    }


PII = radio("pii", ["yes", "no"])


# -- config -----------------------------------------------------------------------------
def test_display_logic_config_is_read(tmp_path):
    config = _load(tmp_path, [PII, _follow_up(operator="equals", value="yes")])
    rule = config.scheme("why").display_logic
    assert rule.logic == "all" and rule.watched == ["pii"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"operator": "equal", "value": "yes"}, "did you mean 'equals'"),
        ({"operator": "gt", "value": "x"}, "needs a number"),
        ({"operator": "in_range", "value": [5, 1]}, "greater than max"),
        ({"operator": "matches", "value": "(["}, "invalid regular expression"),
        ({"operator": "equals"}, "needs a value"),
    ],
)
def test_bad_conditions_are_refused_with_their_path(tmp_path, rule, message):
    text = _problems(tmp_path, [PII, _follow_up(**rule)])
    assert "annotation_schemes[1].display_logic.show_when[0]" in text
    assert message in text


def test_unknown_watched_scheme_cycles_and_bad_shapes_are_refused(tmp_path):
    unknown = _follow_up(operator="equals", value="yes")
    unknown["display_logic"]["show_when"][0]["schema"] = "pi"
    assert "'pi' is not a scheme of this project (did you mean 'pii'" in _problems(
        tmp_path, [PII, unknown]
    )
    a = radio("a", ["x"], display_logic={"show_when": [{"schema": "b", "operator": "not_empty"}]})
    b = radio("b", ["x"], display_logic={"show_when": [{"schema": "a", "operator": "not_empty"}]})
    assert "circular dependency: a -> b -> a" in _problems(tmp_path, [a, b])
    bad = radio("c", ["x"], display_logic={"show_when": []})
    assert "show_when: must be a non-empty list" in _problems(tmp_path, [bad])
    logic = radio("d", ["x"], display_logic={"show_when": [{"schema": "a"}], "logic": "some"})
    assert "'all' or 'any'" in _problems(tmp_path, [radio("a", ["x"]), logic])


def test_option_keys_are_validated(tmp_path):
    config = _load(
        tmp_path,
        [radio("r", ["a", "b"], option_randomization=True, dynamic_options=True)],
    )
    assert config.scheme("r").dynamic_field == "visible_labels"
    assert not any("option_randomization" in w for w in config.warnings)
    text = _problems(tmp_path, [radio("r", ["a"], option_randomization="sometimes")])
    assert "option_randomization" in text


# -- comparisons ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("operator", "value", "actual", "expected"),
    [
        ("equals", "Yes", "yes", True),
        ("equals", ["a", "b"], "b", True),
        ("not_equals", "a", "b", True),
        ("contains", "x", ["x", "y"], True),
        ("contains", "ell", "hello", True),
        ("gt", 3, "4", True),
        ("lte", 3, 4, False),
        ("in_range", [1, 5], "3", True),
        ("empty", None, None, True),
        ("not_empty", None, "", False),
        ("length_gt", 3, "abcd", True),
        ("matches", "^a.c$", "ABC", True),
        ("gt", 3, None, False),
    ],
)
def test_conditions_compare_like_potato(operator, value, actual, expected):
    assert matches(Condition("s", operator, value), actual) is expected


def test_case_sensitive_conditions():
    assert not matches(Condition("s", "equals", "Yes", case_sensitive=True), "yes")


# -- page and server --------------------------------------------------------------------
def _app(open_app, tmp_path, schemes, rows=None, **overrides):
    rows = rows or [{"id": "a", "text": "first"}, {"id": "b", "text": "second"}]
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = base_config(annotation_schemes=schemes, assignment_strategy="fixed_order", **overrides)
    return open_app(write_config(tmp_path, config))


def _slot(html: str, name: str) -> dict:
    return next(a for t, a in elements(html) if a.get("data-scheme-slot") == name)


def test_hidden_scheme_starts_hidden_and_carries_its_rule(open_app, tmp_path):
    app = _app(open_app, tmp_path, [PII, _follow_up(operator="equals", value="yes")])
    html = annotate_page(app)
    slot = _slot(html, "why")
    assert "hidden" in slot
    assert json.loads(slot["data-display-logic"]) == {
        "logic": "all",
        "show_when": [
            {"schema": "pii", "operator": "equals", "value": "yes", "case_sensitive": False}
        ],
    }
    assert "hidden" not in _slot(html, "pii") and "data-display-logic" not in _slot(html, "pii")
    assert "/static/js/display-logic.js" in html
    assert_csp_clean(html)


def test_required_applies_only_while_visible(open_app, tmp_path):
    app = _app(open_app, tmp_path, [PII, _follow_up(operator="equals", value="yes")])
    client = login(app.test_client(), "ann")
    iid = current_id(client)

    def submit(**labels):
        body = {"instance_id": iid, "annotations": labels}
        return client.post("/updateinstance", json=body)

    # "no" hides the follow-up: submitting without it is fine
    assert submit(**{"pii:no": "1"}).status_code == 200
    # "yes" shows it: now it is required
    response = submit(**{"pii:yes": "1"})
    assert response.status_code == 400
    assert response.json["missing_schemas"] == ["why"]
    assert submit(**{"pii:yes": "1", "why:text_box": "a name"}).status_code == 200
    # an answer to a hidden scheme is accepted and kept (Potato keeps it as well)
    assert submit(**{"pii:no": "1", "why:text_box": "kept"}).status_code == 200
    maps = client.get(f"/get_annotations?instance_id={iid}").json
    assert "kept" in json.dumps(maps)
    # and the page shows the follow-up once its rule holds for the stored answers
    submit(**{"pii:yes": "1"})
    assert "hidden" not in _slot(client.get("/annotate").get_data(as_text=True), "why")


def _labels(html: str, scheme: str) -> list[str]:
    return [
        a["data-label"]
        for t, a in elements(html)
        if t == "input" and a.get("data-scheme") == scheme and a.get("data-label")
    ]


def test_dynamic_options_filter_labels_per_item(open_app, tmp_path):
    rows = [
        {"id": "a", "text": "first", "offer": ["b", "c"]},
        {"id": "b", "text": "second"},
    ]
    scheme = radio("r", ["a", "b", "c"], dynamic_options=True, dynamic_options_field="offer")
    app = _app(open_app, tmp_path, [scheme], rows=rows)
    client = login(app.test_client(), "ann")
    assert _labels(client.get("/annotate").get_data(as_text=True), "r") == ["b", "c"]
    # answers are checked against all the scheme's labels, as in Potato
    ok = client.post("/updateinstance", json={"instance_id": "a", "annotations": {"r:a": "1"}})
    assert ok.status_code == 200
    client.post("/updateinstance", json={"instance_id": "a", "annotations": {"r:b": "1"}})
    client.post("/go_to", json={"action": "next_instance"})
    # no field on the item: every label
    assert _labels(client.get("/annotate").get_data(as_text=True), "r") == ["a", "b", "c"]


LABELS = [f"l{i}" for i in range(8)]


def test_option_randomization_is_seeded_per_annotator_and_item_and_recorded(open_app, tmp_path):
    app = _app(open_app, tmp_path, [radio("r", LABELS, option_randomization=True)], random_seed=7)
    orders = {}
    for user in ("ann", "bob", "cy", "dee"):
        client = login(app.test_client(), user)
        html = client.get("/annotate").get_data(as_text=True)
        shown = _labels(html, "r")
        assert sorted(shown) == LABELS
        assert json.loads(_slot(html, "r")["data-option-order"]) == shown
        # the same annotator on the same item sees the same order again
        assert _labels(client.get("/annotate").get_data(as_text=True), "r") == shown
        orders[user] = shown
        ok = client.post("/updateinstance", json={"instance_id": "a", "annotations": {"r:l3": "1"}})
        assert ok.status_code == 200
    assert len({tuple(o) for o in orders.values()}) > 1  # annotators differ
    project = app.extensions["potato_like"]
    with project.store.read() as conn:
        rows = conn.execute(
            select(events.c.data).where(events.c.kind.in_(("save", "submit")))
        ).all()
    recorded = [json.loads(r.data)["option_order"]["r"] for r in rows]
    assert sorted(map(tuple, recorded)) == sorted(map(tuple, orders.values()))


def test_orders_are_not_recorded_without_randomization(open_app, tmp_path):
    app = _app(open_app, tmp_path, [radio("r", ["a", "b"])])
    client = login(app.test_client(), "ann")
    assert "data-option-order" not in client.get("/annotate").get_data(as_text=True)
    client.post("/updateinstance", json={"instance_id": "a", "annotations": {"r:a": "1"}})
    with app.extensions["potato_like"].store.read() as conn:
        data = conn.execute(
            select(events.c.data).where(events.c.kind.in_(("save", "submit")))
        ).scalar_one()
    assert "option_order" not in json.loads(data)


def test_humanize_labels(open_app, tmp_path):
    schemes = [
        radio("r", ["very_positive", "NOT_SURE", {"name": "meh", "displayed_label": "so-so"}]),
        radio("raw", ["very_positive"], humanize_labels=False),
    ]
    app = _app(open_app, tmp_path, schemes)
    html = annotate_page(app)
    assert '<span class="label-name">Very Positive</span>' in html
    assert '<span class="label-name">NOT SURE</span>' in html
    assert '<span class="label-name">so-so</span>' in html
    assert '<span class="label-name">very_positive</span>' in html  # humanize_labels: false
    assert 'data-label="very_positive"' in html  # the stored value never changes


# -- survey questions of phases -----------------------------------------------------------
SCREENING = json.dumps(
    [
        {"id": "english", "text": "English?", "schema": "radio", "choices": ["Yes", "not_sure"]},
        {"id": "shopping", "text": "How often?", "schema": "radio", "choices": ["Never", "Often"]},
        {
            "id": "why_never",
            "text": "Why never?",
            "schema": "text",
            "label_requirement": {"required": True},
            "display_logic": {
                "show_when": [{"schema": "shopping", "operator": "equals", "value": "never"}]
            },
        },
    ]
)


def test_survey_questions_follow_display_logic(example_project):
    from tests.conftest import REPO

    app = example_project(
        REPO / "example_projects" / "study_flow",
        files={"phases/screening.json": SCREENING},
        require_password=False,
    )
    consent = {"adult:Yes": "1", "agree:I agree": "1"}

    def start(user):
        client = login(app.test_client(), user)
        ok = client.post("/phase", json={"phase": "consent", "annotations": consent})
        assert ok.status_code == 200, ok.json
        return client

    client = start("often")
    page = client.get("/phase").get_data(as_text=True)
    slot = _slot(page, "why_never")
    assert "hidden" in slot and json.loads(slot["data-display-logic"])["show_when"]
    assert "/static/js/display-logic.js" in page
    assert '<span class="label-name">not_sure</span>' in page  # survey choices: as written
    assert_csp_clean(page)
    answers = {"english:Yes": "1", "shopping:Often": "1"}
    done = client.post("/phase", json={"phase": "prestudy", "annotations": answers})
    assert done.status_code == 200, done.json

    client = start("never")
    answers = {"english:Yes": "1", "shopping:Never": "1"}
    refused = client.post("/phase", json={"phase": "prestudy", "annotations": answers})
    assert refused.status_code == 400 and "why_never" in json.dumps(refused.json)
    answers["why_never:text_box"] = "no time"
    done = client.post("/phase", json={"phase": "prestudy", "annotations": answers})
    assert done.status_code == 200, done.json


def test_survey_display_logic_must_watch_a_known_question(example_project):
    from tests.conftest import REPO

    bad = json.loads(SCREENING)
    bad[2]["display_logic"]["show_when"][0]["schema"] = "shoping"
    with pytest.raises(ConfigError) as info:
        example_project(
            REPO / "example_projects" / "study_flow",
            files={"phases/screening.json": json.dumps(bad)},
            require_password=False,
        )
    assert "questions[2].display_logic.show_when[0]" in str(info.value)
    assert "did you mean 'shopping'" in str(info.value)


def test_survey_display_logic_reads_answers_of_earlier_phases(example_project):
    from tests.conftest import REPO

    questions = json.loads(SCREENING)
    # shown only to those who agreed on the consent page (every user here)
    questions.append(
        {
            "id": "adult_note",
            "text": "Anything to add?",
            "schema": "text",
            "label_requirement": {"required": True},
            "display_logic": {
                "show_when": [{"schema": "agree", "operator": "equals", "value": "I agree"}]
            },
        }
    )
    app = example_project(
        REPO / "example_projects" / "study_flow",
        files={"phases/screening.json": json.dumps(questions)},
        require_password=False,
    )
    client = login(app.test_client(), "ann")
    consent = {"adult:Yes": "1", "agree:I agree": "1"}
    assert (
        client.post("/phase", json={"phase": "consent", "annotations": consent}).status_code == 200
    )
    page = client.get("/phase").get_data(as_text=True)
    form = next(a for t, a in elements(page) if a.get("id") == "phase-form")
    assert json.loads(form["data-known-answers"]) == {"adult": "Yes", "agree": "I agree"}
    answers = {"english:Yes": "1", "shopping:Often": "1"}
    refused = client.post("/phase", json={"phase": "prestudy", "annotations": answers})
    assert refused.status_code == 400 and "adult_note" in json.dumps(refused.json)
    answers["adult_note:text_box"] = "no"
    assert (
        client.post("/phase", json={"phase": "prestudy", "annotations": answers}).status_code == 200
    )


def test_training_page_carries_display_logic(example_project):
    from tests.conftest import REPO

    def edit(config):
        config["annotation_schemes"].append(
            {
                "annotation_type": "text",
                "name": "why_negative",
                "description": "Why negative?",
                "display_logic": {
                    "show_when": [
                        {"schema": "sentiment", "operator": "equals", "value": "negative"}
                    ]
                },
            }
        )

    app = example_project(REPO / "example_projects" / "study_flow", edit, require_password=False)
    client = login(app.test_client(), "ann")
    client.post(
        "/phase", json={"phase": "consent", "annotations": {"adult:Yes": "1", "agree:I agree": "1"}}
    )
    client.post(
        "/phase",
        json={"phase": "prestudy", "annotations": {"english:Yes": "1", "shopping:Often": "1"}},
    )
    client.post("/phase", json={"phase": "instructions"})
    page = client.get("/phase").get_data(as_text=True)
    assert "Training question 1 of 3" in page
    slot = _slot(page, "why_negative")
    assert "hidden" in slot and "data-display-logic" in slot
    assert "/static/js/display-logic.js" in page
    assert_csp_clean(page)


def test_only_radio_and_multiselect_humanize_by_default(open_app, tmp_path):
    # Potato humanizes radio and multiselect labels; span labels (entity tags such as
    # TRAVELLED_TO, or_any_name) and select options are shown as written unless asked.
    schemes = [
        {"annotation_type": "multiselect", "name": "m", "description": "m", "labels": ["a_b"]},
        {"annotation_type": "span", "name": "s", "description": "s", "labels": ["TRAVELLED_TO"]},
        {
            "annotation_type": "span",
            "name": "s2",
            "description": "s2",
            "labels": ["went_to"],
            "humanize_labels": True,
        },
    ]
    html = annotate_page(_app(open_app, tmp_path, schemes))
    assert "A B" in html
    assert "TRAVELLED_TO" in html and "TRAVELLED TO" not in html
    assert "Went To" in html
