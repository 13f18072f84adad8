"""listening_test: blinded, per-annotator randomised slots (the page and the API never name a
condition or a file), Potato's answer records on the wire, bad answers refused with nothing
written, unblinded exports and the dashboard's statistics checked against worked examples."""

from __future__ import annotations

import csv
import io
import json
import re
import wave
from pathlib import Path

import pytest

from potato_like.quality import listening_stats as stats
from potato_like.schemes import listening_plan as lp
from tests.conftest import ADMIN, current_id, login

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "listening_tests"
CONDITION_WORDS = ("lowpass", "noisy", "original", "hidden_reference", "anchor", "ref1", "ref2")


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE)


def send(client, iid, schema, record):
    value = record if isinstance(record, str) else json.dumps(record)
    return client.post(
        "/updateinstance",
        json={"instance_id": iid, "annotations": {f"{schema}:{schema}": value}},
    )


def stored(client, iid, schema):
    got = client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    raw = got.get(schema, {}).get(schema)
    return json.loads(raw) if raw else None


def page_slots(page: str, schema: str) -> list[str]:
    part = page.split(f'data-scheme="{schema}" data-type="listening_test"', 1)[1]
    part = part.split("</fieldset>", 1)[0]
    return re.findall(r'class="lt-play" data-slot="([^"]+)"', part)


def test_the_page_and_the_api_never_name_a_condition_or_a_file(app):
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert 'data-type="listening_test"' in page and "js/listening-test.js" in page
    for word in CONDITION_WORDS:
        assert word not in page, word
    assert ".wav" not in page
    data = ann.get("/api/current_instance").json["data"]
    assert not {"stimuli", "reference", "pair", "clip", "codec"} & set(data)
    assert data["prompt"] == "Listening trial 1"
    iid = current_id(ann)
    plan = ann.get(f"/api/listening/plan?schema=mushra&instance_id={iid}")
    assert plan.status_code == 200 and plan.headers["Cache-Control"] == "no-store"
    text = plan.get_data(as_text=True)
    for word in CONDITION_WORDS:
        assert word not in text, word
    view = plan.json
    assert view["method"] == "mushra" and view["require_one_at_100"] is True
    # two stimuli + hidden reference + one anchor, behind s1..s4
    assert [s["slot"] for s in view["slots"]] == ["s1", "s2", "s3", "s4"]
    assert page_slots(page, "mushra") == ["ref", "s1", "s2", "s3", "s4"]
    assert page_slots(page, "abx") == ["A", "B", "X"]


def test_the_order_is_randomised_per_annotator_and_stable(app):
    config = app.extensions["potato_like"].config
    scheme = config.scheme("mushra")
    fields = json.loads((EXAMPLE / "items.jsonl").read_text().splitlines()[0])
    orders = {
        tuple(s["condition"] for s in scheme.plan(fields, f"user{i}", "trial1")["slots"])
        for i in range(12)
    }
    assert len(orders) > 3  # 4! orders; twelve annotators do not all share one
    again = scheme.plan(fields, "user1", "trial1")["slots"]
    assert again == scheme.plan(fields, "user1", "trial1")["slots"]
    assert sorted(s["condition"] for s in again) == [
        "anchor_lp3500",
        "hidden_reference",
        "lowpass",
        "noisy",
    ]
    x_sides = {
        scheme_plan["x_is"]
        for scheme_plan in (
            config.scheme("abx").plan(fields, f"user{i}", "trial1") for i in range(12)
        )
    }
    assert x_sides == {"A", "B"}


def test_slot_audio_is_served_padded_so_equal_files_differ(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    view = ann.get(f"/api/listening/plan?schema=abx&instance_id={iid}").json
    urls = {s["slot"]: s["url"] for s in view["slots"]}
    bodies = {}
    for slot, url in urls.items():
        r = ann.get(url)
        assert r.status_code == 200 and r.mimetype in ("audio/x-wav", "audio/wav")
        assert "ETag" not in r.headers and "Last-Modified" not in r.headers
        assert r.headers["Cache-Control"] == "private, no-store"
        bodies[slot] = r.data
    # X is A or B, yet its bytes match neither; the samples are unchanged
    assert bodies["X"] != bodies["A"] and bodies["X"] != bodies["B"]

    def samples(data):
        with wave.open(io.BytesIO(data)) as w:
            return w.readframes(w.getnframes())

    assert samples(bodies["X"]) in (samples(bodies["A"]), samples(bodies["B"]))
    assert ann.get(urls["A"]).data != bodies["A"]  # a fresh padding length every time


def test_the_mushra_anchor_is_the_reference_low_passed(app):
    import numpy as np

    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    scheme = app.extensions["potato_like"].config.scheme("mushra")
    plan = scheme.plan(
        json.loads((EXAMPLE / "items.jsonl").read_text().splitlines()[0]), "ann", iid
    )
    slot = next(s["slot"] for s in plan["slots"] if s["condition"] == "anchor_lp3500")
    data = ann.get(f"/api/listening/audio/mushra/{iid}/{slot}").data
    with wave.open(io.BytesIO(data)) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
        rate = w.getframerate()
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / rate)
    # the reference's 3300 Hz tone is under the 3500 Hz cut-off and survives; nothing above
    assert spectrum[(freqs > 3600)].max() < 0.01 * spectrum.max()
    assert spectrum[(freqs > 3250) & (freqs < 3350)].max() > 0.1 * spectrum.max()


def test_audio_route_refuses_strangers_unknown_slots_and_schemes(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    assert ann.get(f"/api/listening/audio/mushra/{iid}/s9").status_code == 404
    assert ann.get(f"/api/listening/audio/nope/{iid}/s1").status_code == 404
    assert ann.get("/api/listening/audio/mushra/no-such-item/s1").status_code == 404
    assert ann.get("/api/listening/plan?schema=mushra").status_code == 400
    assert app.test_client().get(f"/api/listening/audio/mushra/{iid}/s1").status_code in (401, 302)


def test_answers_are_stored_as_potatos_records(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    ratings = {"s1": 100, "s2": 35, "s3": 80, "s4": 20}
    assert send(ann, iid, "mushra", {"ratings": ratings, "played": ["s1", "s2"]}).status_code == 200
    assert stored(ann, iid, "mushra") == {"ratings": ratings, "played": ["s1", "s2"]}
    assert send(ann, iid, "abx", {"choice": "B", "played": ["A", "B", "X"]}).status_code == 200
    assert send(ann, iid, "acr", {"rating": 1}).status_code == 200
    assert send(ann, iid, "p835", {"sig": 0, "bak": 2, "ovrl": 1}).status_code == 200
    assert stored(ann, iid, "p835") == {"sig": 0, "bak": 2, "ovrl": 1, "played": []}


@pytest.mark.parametrize(
    ("schema", "record", "problem"),
    [
        ("mushra", {"ratings": {"s1": 101}}, "0 to 100"),
        ("mushra", {"ratings": {"s1": "high"}}, "must be a number"),
        ("mushra", {"ratings": {"s9": 50}}, "not a slot"),
        ("mushra", {"ratings": {"s1": 90, "s2": 50, "s3": 40, "s4": 30}}, "at least one"),
        ("mushra", {"ratings": [1, 2]}, "map slots"),
        ("abx", {"choice": "X"}, "'A' or 'B'"),
        ("acr", {"rating": 5}, "0..4"),
        ("acr", {"rating": True}, "category index"),
        ("p835", {"sig": -1}, "0..4"),
        ("acr", {"rating": 1, "condition": "noisy"}, "unknown field"),
        ("abx", {"choice": "A", "played": "A"}, "list of slot names"),
        ("abx", "{not json", "not valid JSON"),
    ],
)
def test_bad_answers_are_refused_naming_the_problem(app, schema, record, problem):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, schema, record)
    assert r.status_code == 400 and problem in r.json["error"], r.json
    assert stored(ann, iid, schema) is None


def _annotate(app, user, mushra_by_condition, abx_correct=True):
    client = login(app.test_client(), user)
    fields_by_id = {
        json.loads(line)["id"]: json.loads(line)
        for line in (EXAMPLE / "items.jsonl").read_text().splitlines()
    }
    config = app.extensions["potato_like"].config
    for _ in range(2):
        iid = current_id(client)
        fields = fields_by_id[iid]
        plan = config.scheme("mushra").plan(fields, user, iid, config.random_seed)
        ratings = {s["slot"]: mushra_by_condition[s["condition"]] for s in plan["slots"]}
        x_is = config.scheme("abx").plan(fields, user, iid, config.random_seed)["x_is"]
        choice = x_is if abx_correct else ("B" if x_is == "A" else "A")
        body = {
            "instance_id": iid,
            "annotations": {
                "mushra:mushra": json.dumps({"ratings": ratings}),
                "abx:abx": json.dumps({"choice": choice}),
                "acr:acr": json.dumps({"rating": 1}),
            },
        }
        assert client.post("/updateinstance", json=body).status_code == 200
        client.post("/annotate", json={"action": "next_instance", "instance_id": iid})
    return client


GOOD = {"hidden_reference": 100, "lowpass": 60, "noisy": 40, "anchor_lp3500": 20}
CARELESS = {"hidden_reference": 70, "lowpass": 100, "noisy": 40, "anchor_lp3500": 20}


def test_export_unblinds_every_score(app):
    _annotate(app, "ann", GOOD)
    admin = app.test_client()
    r = admin.post("/admin/api/export", json={"format": "listening_ratings"}, headers=ADMIN)
    assert r.status_code == 200, r.data[:300]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    mushra = [x for x in rows if x["schema"] == "mushra"]
    assert len(mushra) == 8
    assert {x["condition"]: float(x["score"]) for x in mushra} == GOOD
    abx = [x for x in rows if x["schema"] == "abx"]
    assert [x["score"] for x in abx] == ["1", "1"]
    assert {x["condition"] for x in abx} == {"lowpass|original"}
    acr = {(x["instance_id"], x["condition"], x["score"]) for x in rows if x["schema"] == "acr"}
    assert acr == {("trial1", "noisy", "4"), ("trial2", "lowpass", "4")}


def test_dashboard_applies_post_screening_and_shows_abx_binomial(app):
    _annotate(app, "good1", GOOD)
    _annotate(app, "good2", {**GOOD, "lowpass": 70})
    _annotate(app, "careless", CARELESS, abx_correct=False)
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    page = admin.get("/admin/questions/?fresh=1")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "post-screened out: careless" in text
    model = (
        app.extensions["potato_like"]
        .config.scheme("mushra")
        .analysis(_answers(app, "mushra"), app.extensions["potato_like"].config.random_seed)
    )
    assert model["excluded"] == ["careless"]
    means = {r["condition"]: r for r in model["tables"][0]["rows"]}
    assert means["lowpass"]["mean"] == 65.0 and means["lowpass"]["n"] == 4
    assert means["hidden_reference"]["mean"] == 100.0
    abx = (
        app.extensions["potato_like"]
        .config.scheme("abx")
        .analysis(_answers(app, "abx"), app.extensions["potato_like"].config.random_seed)
    )
    everyone = abx["tables"][0]["rows"][-1]
    assert everyone["assessor"] == "(all)" and everyone["trials"] == 6
    assert everyone["correct"] == 4 and everyone["p_one_sided"] == pytest.approx(22 / 64)


def _answers(app, schema):
    project = app.extensions["potato_like"]
    return [
        (row.fields, row.item_id, row.label_maps[schema], row.user)
        for row in project.store.annotations.iter_annotated()
        if schema in row.label_maps
    ]


def test_mean_ci_matches_a_hand_worked_student_t_interval():
    # Five ratings 4, 5, 3, 4, 4: mean 4, s = sqrt(2/4) = 0.7071; t(0.975, 4) = 2.776
    # (Student's t table); half-width 2.776 * 0.7071 / sqrt(5) = 0.878 (BS.1534-3 §9.2.2).
    got = stats.mean_ci([4, 5, 3, 4, 4])
    assert got["mean"] == 4 and got["sd"] == pytest.approx(0.7071, abs=1e-4)
    assert got["ci95"] == pytest.approx([3.122, 4.878], abs=1e-3)
    assert stats.mean_ci([3])["ci95"] is None


def test_binomial_p_matches_the_abx_tables():
    # 12 of 16 correct: P(X >= 12) = (1820 + 560 + 120 + 16 + 1) / 65536 = 0.0384, the
    # smallest 16-trial score significant at 5% in ABX tables (Clark 1982; Boley & Lester 2009)
    assert stats.binomial_p(12, 16) == pytest.approx(2517 / 65536)
    assert stats.binomial_p(11, 16) > 0.05
    assert stats.binomial_p(0, 10) == 1.0 and stats.binomial_p(0, 0) is None


def test_screening_follows_the_15_percent_rule():
    # 10 items each; "a" rates the hidden reference below 90 once (10%: kept), "b" twice
    # (20%: excluded), "c" gives the mid anchor above 90 on 2 of 10 items (excluded).
    rows = []
    for i in range(10):
        rows.append(
            {
                "user": "a",
                "item": i,
                "condition": "hidden_reference",
                "score": 85 if i == 0 else 100,
            }
        )
        rows.append(
            {"user": "b", "item": i, "condition": "hidden_reference", "score": 80 if i < 2 else 100}
        )
        rows.append({"user": "c", "item": i, "condition": "hidden_reference", "score": 100})
        rows.append(
            {"user": "c", "item": i, "condition": "anchor_lp7000", "score": 95 if i < 2 else 30}
        )
    got = stats.screening(rows, "anchor_lp7000")
    assert [u for u, s in got.items() if s["excluded"]] == ["b", "c"]
    assert got["a"]["hidden_reference_share"] == 0.1


def test_bs1116_gives_difference_grades_and_ccr_scores_both_sides():
    plan = {
        "slots": [
            {"slot": "A", "condition": "hidden_reference"},
            {"slot": "B", "condition": "codec"},
        ]
    }
    rows = stats.scores("bs1116", {"ratings": {"A": 5.0, "B": 3.8}}, plan)
    assert {"slot": "B", "condition": "codec", "scale": "diff_grade", "score": -1.2} in rows
    ccr_plan = {"slots": [{"slot": "s1", "condition": "x"}, {"slot": "s2", "condition": "y"}]}
    rows = stats.scores("ccr", {"rating": 1}, ccr_plan)  # "Better": the second is better
    assert {(r["condition"], r["score"]) for r in rows} == {("y", 2), ("x", -2)}


def test_config_problems_are_reported(make_project):
    from potato_like.errors import ConfigError

    bad = [
        {"annotation_type": "listening_test", "name": "a", "method": "mos"},
        {"annotation_type": "listening_test", "name": "b", "method": "abx", "anchors": [3500]},
        {"annotation_type": "listening_test", "name": "c", "anchors": [100]},
        {"annotation_type": "listening_test", "name": "d", "method": "acr", "scale_labels": ["x"]},
    ]
    with pytest.raises(ConfigError) as err:
        make_project(schemes=bad)
    text = str(err.value) + " ".join(getattr(err.value, "problems", []))
    assert "'mos' is not one of" in text
    assert "mushra only" in text and "500 to 20000" in text and "5 non-empty strings" in text


def test_item_problems_name_what_is_missing():
    settings = {
        "name": "m",
        "method": "mushra",
        "stimuli_field": "stimuli",
        "reference_field": "reference",
        "condition_field": "condition",
        "hidden_reference": True,
        "anchors": [],
    }
    assert lp.item_problems(settings, {"stimuli": {"hidden_reference": "a.wav"}}) == [
        "no reference (field 'reference')",
        "a stimulus is named 'hidden_reference', a name kept for the hidden reference/anchors",
    ]


def test_an_incomplete_item_says_what_is_missing_on_the_page(example_project):
    app = example_project(
        EXAMPLE,
        files={
            "items.jsonl": json.dumps(
                {"id": "t1", "prompt": "p", "stimuli": {"a": "media/noisy1.wav"}}
            )
        },
    )
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert "This trial is incomplete: no reference (field &#39;reference&#39;)" in page
    assert "0 stimuli, abx needs 2" in page


def test_stimulus_files_cannot_be_fetched_by_name_except_by_admins(example_project):
    app = example_project(
        EXAMPLE,
        admin_users=["boss"],
        user_config={
            "allow_all_users": True,
            "users": [{"username": "boss", "password": "pw-boss-1"}],
        },
    )
    ann = login(app.test_client(), "ann")
    for path in (
        "/project_files/media/ref1.wav",
        "/media/noisy2.wav",
        "/project_files/media/lowpass1.wav",
    ):
        assert ann.get(path).status_code == 404, path
    boss = login(app.test_client(), "boss", "pw-boss-1")
    assert boss.get("/project_files/media/ref1.wav").status_code == 200


def test_every_potato_key_is_accepted_without_a_warning(make_project):
    schemes = [
        {"annotation_type": "listening_test", "name": "m", "description": "d", "method": "mushra",
         "stimuli_field": "stimuli", "reference_field": "reference", "condition_field": "condition",
         "hidden_reference": True, "anchors": [3500, 7000], "loop": True,
         "require_full_playback": False, "require_all_played": True, "require_one_at_100": True,
         "allow_replay": True, "instructions": "Listen carefully"},
        {"annotation_type": "listening_test", "name": "a", "description": "d", "method": "acr",
         "scale_labels": ["5", "4", "3", "2", "1"]},
    ]  # fmt: skip
    app = make_project(schemes=schemes)
    warnings = app.extensions["potato_like"].config.warnings
    assert not [w for w in warnings if "annotation_schemes" in w], warnings


def test_a_stimulus_in_the_text_field_is_unblinded_too(example_project):
    rows = [{"id": "c1", "audio": "media/noisy1.wav", "codec": "opus"}]
    app = example_project(
        EXAMPLE,
        files={"items.jsonl": "".join(json.dumps(r) + "\n" for r in rows)},
        item_properties={"id_key": "id", "text_key": "audio"},
        annotation_schemes=[
            {"annotation_type": "listening_test", "name": "acr", "method": "acr",
             "stimuli_field": "audio", "condition_field": "codec"}
        ],
    )  # fmt: skip
    ann = login(app.test_client(), "ann")
    assert send(ann, current_id(ann), "acr", {"rating": 0}).status_code == 200
    r = app.test_client().post(
        "/admin/api/export", json={"format": "listening_ratings"}, headers=ADMIN
    )
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [(x["condition"], x["score"]) for x in rows] == [("opus", "5")]
