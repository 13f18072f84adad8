"""The survey-method types (cloze, list_experiment, randomized_response, price_list, bdm,
belief_elicitation) as questions of pre/post-study phase pages: each renders with its
stylesheet and script, is answered through the page's HTML form, is checked on the server
as on the annotation page (bad answers: the page again with the problem, nothing stored)
and lands in the phase's stored answers."""

from __future__ import annotations

import json

import pytest

from potato_like.schemes.list_experiment import assigned_group
from tests.conftest import ADMIN, base_config, login, write_config, write_items

PRESTUDY = [
    {"annotation_type": "cloze", "name": "warmup", "description": "Fill in the words.",
     "text": "The [[cat|kitten]] sat on the [[mat]].", "scoring": "case_insensitive"},
    {"annotation_type": "list_experiment", "name": "lists", "description": "How many are true?",
     "items": ["I own a bicycle.", "I read a newspaper."], "sensitive_item": "I cheated."},
    {"annotation_type": "randomized_response", "name": "exam", "description": "Exams",
     "method": "forced_response", "question": "Have you cheated in an exam?",
     "p_truth": 0.6667, "p_yes": 0.1667, "p_no": 0.1666},
    {"annotation_type": "price_list", "name": "risk", "description": "Which lottery?",
     "preset": "holt_laury", "single_switch": True},
    {"annotation_type": "bdm", "name": "wtp", "description": "The most you would pay?",
     "min": 0, "max": 10, "step": 0.5, "currency": "$"},
    {"annotation_type": "belief_elicitation", "name": "chance", "description": "How likely?",
     "mode": "point", "step": 5},
    {"annotation_type": "belief_elicitation", "name": "turnout", "description": "Turnout?",
     "mode": "bins", "bins": ["low", "middle", "high"]},
]  # fmt: skip
SEED = 7


@pytest.fixture
def app(tmp_path, open_app):
    write_items(tmp_path / "data.jsonl", 2)
    (tmp_path / "pre.json").write_text(json.dumps(PRESTUDY))
    (tmp_path / "post.json").write_text(json.dumps(PRESTUDY[3:]))
    config = base_config(
        random_seed=SEED,
        phases={"order": ["prestudy", "annotation", "poststudy"],
                "prestudy": {"file": "pre.json"}, "poststudy": {"file": "post.json"}},
    )  # fmt: skip
    return open_app(write_config(tmp_path, config))


def user_in(group: str) -> str:
    return next(f"p{i}" for i in range(100) if assigned_group(SEED, "lists", f"p{i}") == group)


def submit(client, fields: dict[str, str]):
    token = client.get("/phase").data.decode().split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/phase", data={"csrf_token": token, "phase": "prestudy", **fields})


def answers(app, user: str) -> dict:
    state = app.test_client().get(f"/admin/user_state/{user}", headers=ADMIN).json
    return state["phase_answers"].get("prestudy", {})


def test_the_phase_page_renders_each_type_with_its_assets(app):
    client = login(app.test_client(), user_in("treatment"))
    page = client.get("/phase").data.decode()
    for kind in ("cloze", "list_experiment", "randomized_response", "bdm"):
        assert f'data-type="{kind}"' in page
    assert "price-list-scheme" in page and 'class="scheme belief' in page
    assert "css/survey-methods.css" in page
    for script in ("js/price-list.js", "js/bdm.js", "js/belief-elicitation.js", "js/phase.js"):
        assert script in page
    assert "kitten" not in page  # the cloze answer key stays on the server
    assert "I cheated." in page  # the treatment list, as drawn for this respondent
    control = login(app.test_client(), user_in("control")).get("/phase").data.decode()
    assert "I cheated." not in control


def test_cloze_on_a_phase_page(app):
    client = login(app.test_client(), "c1")
    r = submit(client, {"warmup:blank_1": "Kitten", "warmup:blank_2": "mat"})
    assert r.status_code == 302
    assert answers(app, "c1")["warmup"] == {"blank_1": "Kitten", "blank_2": "mat"}
    client = login(app.test_client(), "c2")
    r = submit(client, {"warmup:blank_9": "x"})
    assert r.status_code == 400 and "blank_9" in r.data.decode()
    assert answers(app, "c2") == {}


def test_list_experiment_on_a_phase_page_uses_the_respondents_group(app):
    treated, control = user_in("treatment"), user_in("control")
    client = login(app.test_client(), treated)
    assert submit(client, {"lists:number": "3"}).status_code == 302
    assert answers(app, treated)["lists"] == {"number": "3", "group": "treatment"}
    client = login(app.test_client(), control)
    r = submit(client, {"lists:number": "3"})
    assert r.status_code == 400 and "between 0 and 2" in r.data.decode()
    assert answers(app, control) == {}
    assert submit(client, {"lists:number": "2"}).status_code == 302
    assert answers(app, control)["lists"] == {"number": "2", "group": "control"}


def test_randomized_response_on_a_phase_page(app):
    client = login(app.test_client(), "r1")
    assert submit(client, {"exam": "Yes"}).status_code == 302
    assert answers(app, "r1")["exam"] == {"Yes": "1"}
    client = login(app.test_client(), "r2")  # the JSON form of the same page
    r = client.post("/phase", json={"phase": "prestudy", "annotations": {"exam:Maybe": "true"}})
    assert r.status_code == 400 and "Maybe" in r.json["error"]
    assert answers(app, "r2") == {}


def test_price_list_on_a_phase_page(app):
    client = login(app.test_client(), "l1")
    choices = ["A"] * 4 + ["B"] * 6
    assert submit(client, {"risk:risk": json.dumps({"choices": choices})}).status_code == 302
    stored = json.loads(answers(app, "l1")["risk"]["risk"])
    assert stored["choices"] == choices and stored["switch_row"] == 5
    client = login(app.test_client(), "l2")
    bad = ["B", "A"] + ["B"] * 8  # two switches with single_switch
    r = submit(client, {"risk:risk": json.dumps({"choices": bad})})
    assert r.status_code == 400 and answers(app, "l2") == {}


def test_bdm_on_a_phase_page_draws_the_price_on_the_server(app):
    client = login(app.test_client(), "b1")
    assert submit(client, {"wtp:wtp": json.dumps({"bid": 4.5})}).status_code == 302
    record = json.loads(answers(app, "b1")["wtp"]["wtp"])
    assert record["bid"] == 4.5 and 0 <= record["price"] <= 10
    assert record["buys"] == (record["price"] <= 4.5)
    client = login(app.test_client(), "b2")
    r = submit(client, {"wtp:wtp": json.dumps({"bid": 4.5, "price": 0})})
    assert r.status_code == 400 and "drawn by the server" in r.data.decode()


def test_belief_elicitation_on_a_phase_page(app):
    client = login(app.test_client(), "e1")
    r = submit(client, {"chance:chance": json.dumps({"report": 35}),
                        "turnout:turnout": json.dumps({"bins": [20, 50, 30]})})  # fmt: skip
    assert r.status_code == 302
    stored = answers(app, "e1")
    assert json.loads(stored["chance"]["chance"])["report"] == 35
    assert json.loads(stored["turnout"]["turnout"])["bins"] == [20, 50, 30]
    client = login(app.test_client(), "e2")
    r = submit(client, {"turnout:turnout": json.dumps({"bins": [20, 50, 40]})})
    assert r.status_code == 400 and "100" in r.data.decode()
