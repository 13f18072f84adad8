"""Phases in order: consent, prestudy, instructions, training, annotation, poststudy.

Built on the shipped example_projects/study_flow (copied to a temp dir, with overrides)."""

from __future__ import annotations

import pytest

from potato_like.errors import ConfigError
from tests.conftest import ADMIN, REPO, login, with_csrf

EXAMPLE = REPO / "example_projects" / "study_flow"
CONSENT_OK = {"adult:Yes": "1", "agree:I agree": "1"}
SCREEN_OK = {"english:Yes": "1", "shopping:Often": "1"}
TRAINING = {"train_1": "positive", "train_2": "negative", "train_3": "neutral"}


@pytest.fixture
def study(example_project):
    """study(edit=None, files=None, **overrides) -> app for a copy of the study_flow example
    project, logging in without a password."""

    def make(edit=None, files=None, **overrides):
        return example_project(EXAMPLE, edit, files, **{"require_password": False, **overrides})

    return make


def phase(client) -> dict:
    r = client.get("/api/phase")
    assert r.status_code == 200, r.json
    return r.json


def submit(client, name: str, annotations: dict | None = None, **extra):
    body = {"phase": name, **extra}
    if annotations is not None:
        body["annotations"] = annotations
    return client.post("/phase", json=body)


def train(client, answers: dict[str, str] = TRAINING) -> list[dict]:
    out = []
    while (p := phase(client))["type"] == "training" and p["status"] == "active":
        qid = p["question"]["id"]
        r = submit(client, "training", {f"sentiment:{answers[qid]}": "1"}, question=qid)
        assert r.status_code == 200, r.json
        out.append(r.json)
    return out


def through_to_annotation(client) -> None:
    assert submit(client, "consent", CONSENT_OK).json["phase"] == "prestudy"
    assert submit(client, "prestudy", SCREEN_OK).json["phase"] == "instructions"
    assert submit(client, "instructions").json["phase"] == "training"
    train(client)
    assert phase(client)["type"] == "annotation"


def test_a_user_walks_every_phase_in_order_and_resumes_after_logout(study):
    app = study()
    c = login(app.test_client(), "ann")
    p = phase(c)
    assert (p["phase"], p["status"], p["phases"][0]) == ("consent", "active", "consent")
    assert [q["name"] for q in p["questions"]] == ["adult", "agree"]
    # The page itself, and the annotation page sends people to their phase.
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    page = c.get("/phase")
    assert page.status_code == 200 and b"Consent to take part" in page.data

    # A required question left out: 400 naming it, nothing changes.
    r = submit(c, "consent", {"adult:Yes": "1"})
    assert r.status_code == 400 and "agree" in r.json["error"]
    assert phase(c)["phase"] == "consent"
    assert submit(c, "consent", CONSENT_OK).json == {
        "status": "success",
        "phase": "prestudy",
        "study_status": "active",
    }
    # Logging out and in again resumes in the same phase.
    c.post("/logout")
    c = login(app.test_client(), "ann")
    assert phase(c)["phase"] == "prestudy"
    assert submit(c, "prestudy", SCREEN_OK).json["phase"] == "instructions"
    p = phase(c)
    assert "<strong>product reviews</strong>" in p["html"] and p["questions"] == []
    assert submit(c, "instructions").json["phase"] == "training"
    train(c)
    assert c.get("/annotate").status_code == 200
    # The admin sees each user's phase; the answers are kept.
    annotators = c.get("/admin/api/annotators", headers=ADMIN).json["annotators"]
    assert annotators[0]["current_phase"] == "annotation"
    store = app.extensions["potato_like"].store
    answers = store.study.phase_answers(store.users.by_name("ann").id)
    assert answers["consent"] == {"adult": {"Yes": "1"}, "agree": {"I agree": "1"}}
    assert answers["prestudy"]["shopping"] == {"Often": "1"}
    state = c.get("/admin/user_state/ann", headers=ADMIN).json
    assert state["study_status"] == "active" and state["current_phase"] == "annotation"
    assert state["phase_answers"]["consent"]["agree"] == {"I agree": "1"}
    assert state["training"]["completed"] is True and state["training"]["correct_answers"] == 2
    assert state["quality_control"]["attention_checks"] == {"passed": 0, "failed": 0}


def test_phases_cannot_be_skipped_by_url_or_api(study):
    app = study()
    c = login(app.test_client(), "skipper")
    assert c.get("/phase/annotation").headers["Location"].endswith("/phase")
    assert c.get("/annotate").status_code == 302
    r = c.get("/api/current_instance")
    assert r.status_code == 409 and r.json["phase"] == "consent"
    assert "consent" in r.json["error"].lower()
    r = c.post("/updateinstance", json={"instance_id": "review_01", "annotations": {}})
    assert r.status_code == 409
    r = submit(c, "training", {"sentiment:positive": "1"})
    assert r.status_code == 409 and "consent" in r.json["error"]
    assert phase(c)["phase"] == "consent"


def test_failing_a_gate_ends_the_study_politely(study):
    app = study()
    c = login(app.test_client(), "minor")
    r = submit(c, "consent", {"adult:No": "1", "agree:I agree": "1"})
    assert r.json["study_status"] == "failed"
    page = c.get("/phase")
    assert b"not able to take part" in page.data
    assert c.get("/api/current_instance").status_code == 409
    assert submit(c, "consent", CONSENT_OK).status_code == 409  # no second try


def test_training_feedback_retry_and_pass(study):
    app = study()
    c = login(app.test_client(), "learner")
    for name, answers in (("consent", CONSENT_OK), ("prestudy", SCREEN_OK)):
        submit(c, name, answers)
    submit(c, "instructions")
    p = phase(c)
    assert p["question"]["id"] == "train_1" and p["training"]["total_questions"] == 3
    wrong = submit(c, "training", {"sentiment:negative": "1"}, question="train_1").json
    assert wrong["feedback"]["correct"] is False and wrong["feedback"]["retry"] is True
    assert "Strong praise" in wrong["feedback"]["explanation"]
    assert phase(c)["question"]["id"] == "train_1"  # asked again
    page = c.get("/phase")
    assert b"Not quite" in page.data and b"try again" in page.data
    # An answer to a question other than the one asked now is refused.
    stale = submit(c, "training", {"sentiment:negative": "1"}, question="train_3")
    assert stale.status_code == 409
    submit(c, "training", {"sentiment:positive": "1"}, question="train_1")  # right, but retried
    r = submit(c, "training", {"sentiment:negative": "1"}, question="train_2").json
    assert r["phase"] == "training" and r["feedback"]["correct"] is True
    r = submit(c, "training", {"sentiment:neutral": "1"}, question="train_3").json
    assert r["phase"] == "annotation"  # 2 first-try correct answers = min_correct


def test_training_failure_after_the_last_attempt(study):
    def edit(config):
        config["training"]["passing_criteria"] = {"require_all_correct": True, "max_attempts": 2}
        config["training"]["allow_retry"] = False

    app = study(edit=edit)
    c = login(app.test_client(), "struggler")
    submit(c, "consent", CONSENT_OK)
    submit(c, "prestudy", SCREEN_OK)
    submit(c, "instructions")
    bad = {"train_1": "negative", "train_2": "negative", "train_3": "neutral"}
    results = train(c, bad)
    assert len(results) == 6  # two rounds of three questions
    assert results[2]["feedback"]["round"] == 2  # the first round ended: training restarts
    assert results[-1]["study_status"] == "failed"
    assert b"did not meet what this study needs" in c.get("/phase").data
    assert c.get("/api/current_instance").status_code == 409
    state = c.get("/admin/api/annotators", headers=ADMIN).json["annotators"][0]
    assert state["current_phase"] == "training"


def test_max_mistakes_ends_training(study):
    def edit(config):
        config["training"]["passing_criteria"] = {"min_correct": 3, "max_mistakes": 2}

    app = study(edit=edit)
    c = login(app.test_client(), "guesser")
    submit(c, "consent", CONSENT_OK)
    submit(c, "prestudy", SCREEN_OK)
    submit(c, "instructions")
    submit(c, "training", {"sentiment:negative": "1"}, question="train_1")
    r = submit(c, "training", {"sentiment:neutral": "1"}, question="train_1").json
    assert r["study_status"] == "failed" and r["feedback"]["mistakes"] == 2


def test_poststudy_after_the_last_item_then_completed(study):
    app = study(
        max_annotations_per_user=2,
        attention_checks={"enabled": False},
        gold_standards={"enabled": False},
    )
    c = login(app.test_client(), "finisher")
    through_to_annotation(c)
    for _ in range(2):
        iid = c.get("/api/current_instance").json["instance_id"]
        r = c.post(
            "/updateinstance",
            json={"instance_id": iid, "annotations": {"sentiment:positive": "1"}},
        )
        assert r.status_code == 200
        c.post("/go_to", json={"action": "next_instance"})
    # No items left: the annotation page moves the user on to the exit survey.
    assert c.get("/annotate").headers["Location"].endswith("/phase")
    assert phase(c)["phase"] == "poststudy"
    assert submit(c, "poststudy", {}).status_code == 400  # difficulty is required
    r = submit(c, "poststudy", {"difficulty:Easy": "1", "comments:text_box": "fine"})
    assert r.json["study_status"] == "completed"
    assert b"completed this study" in c.get("/phase").data
    assert c.get("/done").headers["Location"].endswith("/phase")


def test_html_forms_work_without_javascript(study):
    app = study()
    c = app.test_client()
    c.post("/auth", data={"username": "formuser"})
    with_csrf(c)  # the page's forms carry the token
    r = c.post("/phase", data={"phase": "consent", "adult": "Yes", "agree": "I agree"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/phase")
    r = c.post("/phase", data={"phase": "prestudy", "english": "Yes"})
    assert r.status_code == 400 and b"shopping" in r.data  # the page again, naming it
    c.post("/phase", data={"phase": "prestudy", "english": "Yes", "shopping": "Often"})
    c.post("/phase", data={"phase": "instructions"})
    page = c.get("/phase")
    assert b"Training question 1 of 3" in page.data
    c.post("/phase", data={"phase": "training", "question": "train_1", "sentiment": "positive"})
    assert b"Correct!" in c.get("/phase").data


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda c: c["phases"].update(order=["consent", "annotation", "mystery"]), "mystery"),
        (lambda c: c["phases"]["consent"].update(file="phases/missing.json"), "file not found"),
        (
            lambda c: c["training"].update(data_file="phases/consent.json"),
            "'correct_answers' must map scheme names",
        ),
        (
            lambda c: c["phases"].update(order=["consent", "prestudy"]),
            "exactly one annotation phase",
        ),
        (lambda c: c["attention_checks"].update(frequency=0), "attention_checks.frequency"),
    ],
)
def test_bad_study_configs_are_reported_with_key_paths(study, edit, expected):
    with pytest.raises(ConfigError) as err:
        study(edit=edit)
    assert expected in str(err.value)


def test_wrong_answers_in_files_are_config_errors(study):
    def edit(config):
        config["gold_standards"]["items_file"] = "quality/bad_gold.json"

    bad = '[{"id": "g", "text": "t", "gold_label": {"sentiment": "happy"}}]'
    with pytest.raises(ConfigError) as err:
        study(edit=edit, files={"quality/bad_gold.json": bad})
    assert "gold_label.sentiment" in str(err.value) and "happy" in str(err.value)


def test_annotation_pages_keep_the_step_bar_and_the_instructions(study):
    """Issue 21, point 12: in a phased study the steps and the instructions page stay
    available on every item."""
    app = study()
    c = login(app.test_client(), "ann")
    through_to_annotation(c)
    page = c.get("/annotate").get_data(as_text=True)
    assert 'aria-label="Steps of this study"' in page
    assert 'aria-current="step">Annotation' in page
    panel = page[page.index('data-testid="instructions-panel"') :]
    assert 'data-phase="instructions"' in panel
