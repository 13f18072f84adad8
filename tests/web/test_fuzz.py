"""Throw 1,000+ malformed requests at the session API: every one gets a 4xx JSON error, the
store does not change, and the server keeps serving."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from potato_like import create_app
from potato_like.store.tables import annotations, assignments, events, users
from tests.conftest import base_config, login, write_config, write_items

LABELS = ("positive", "negative", "neutral")
FUZZ = settings(
    max_examples=350,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fuzz")
    write_items(tmp / "data.jsonl", 5)
    app = create_app(
        write_config(
            tmp,
            base_config(
                max_annotations_per_item=1,
                annotation_schemes=[
                    {
                        "annotation_type": "radio",
                        "name": "sentiment",
                        "description": "s",
                        "labels": list(LABELS),
                    },
                    {
                        "annotation_type": "number",
                        "name": "n",
                        "description": "n",
                        "min_value": 0,
                        "max_value": 5,
                    },
                ],
            ),
        )
    )
    client = login(app.test_client(), "fuzzer")
    assert client.get("/api/current_instance").json["instance_id"] == "item_001"
    other = login(app.test_client(), "other")
    assert other.get("/api/current_instance").json["instance_id"] == "item_002"
    yield app, client
    app.extensions["potato_like"].close()


def snapshot(app):
    store = app.extensions["potato_like"].store
    with store.read() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (annotations, assignments, events, users)
        )


def check(app, response):
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    assert isinstance(response.json, dict) and response.json.get("error")


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# Ids that exist but are not the user's, or do not exist at all; or are not strings.
bad_ids = st.one_of(
    st.sampled_from(["item_002", "item_003", "item_005"]),
    st.text(min_size=1, max_size=30).filter(
        lambda s: s.strip() not in {"item_001", ""} and not s.strip().isdigit()
    ),
    st.integers(min_value=10_000),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.booleans(),
)
# Annotation maps that are wrong: unknown schema, unknown label, wrong value types, broken keys.
bad_annotations = st.one_of(
    st.dictionaries(
        st.text(max_size=12).filter(lambda k: ":" not in k), json_scalars, min_size=1, max_size=3
    ),
    st.dictionaries(
        st.text(max_size=8).map(lambda s: f"zz{s}:positive"), json_scalars, min_size=1, max_size=3
    ),
    st.dictionaries(
        st.text(max_size=8).filter(lambda s: s not in LABELS).map(lambda s: f"sentiment:{s}"),
        st.just("1"),
        min_size=1,
        max_size=3,
    ),
    st.dictionaries(
        st.sampled_from([f"sentiment:{x}" for x in LABELS]),
        st.lists(json_scalars, min_size=1, max_size=2)
        | st.dictionaries(st.text(max_size=3), json_scalars, min_size=1, max_size=2),
        min_size=1,
        max_size=2,
    ),
    st.just({"sentiment:positive": "1", "sentiment:negative": "1"}),
    st.dictionaries(
        st.just("n:number"), st.sampled_from(["abc", "99", "-4", "nan", "1e999", "[]"]), min_size=1
    ),
    st.lists(json_scalars, max_size=3),
    st.text(max_size=20),
)


@FUZZ
@given(
    instance_id=bad_ids, body_extra=st.dictionaries(st.text(max_size=8), json_values, max_size=3)
)
def test_updateinstance_with_bad_instance_ids(fuzz_app, instance_id, body_extra):
    app, client = fuzz_app
    before = snapshot(app)
    body = {**body_extra, "instance_id": instance_id, "annotations": {"sentiment:positive": "1"}}
    check(app, client.post("/updateinstance", json=body))
    assert snapshot(app) == before


@FUZZ
@given(anns=bad_annotations, draft=st.booleans())
def test_updateinstance_with_bad_annotations(fuzz_app, anns, draft):
    app, client = fuzz_app
    before = snapshot(app)
    check(
        app,
        client.post(
            "/updateinstance", json={"instance_id": "item_001", "annotations": anns, "draft": draft}
        ),
    )
    assert snapshot(app) == before


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode)))
def test_broken_json_bodies(fuzz_app, raw):
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        parsed = None
    app, client = fuzz_app
    before = snapshot(app)
    for path in ("/updateinstance", "/go_to", "/annotate"):
        if parsed is not None and path != "/updateinstance":
            continue  # valid JSON may be a valid navigation
        check(app, client.post(path, data=raw, content_type="application/json"))
    assert snapshot(app) == before


@FUZZ
@given(
    target=st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=50),
        st.text(max_size=30).filter(lambda s: s.strip() and not s.strip().isdigit()),
        st.floats(),
        st.lists(st.integers(), max_size=2),
    ),
    action=st.one_of(
        st.none(),
        st.text(max_size=15).filter(
            lambda a: a not in ("next_instance", "prev_instance", "go_to", "init", "home")
        ),
    ),
)
def test_go_to_with_bad_targets(fuzz_app, target, action):
    app, client = fuzz_app
    before = snapshot(app)
    body = {"go_to": target} if action is None else {"go_to": target, "action": action}
    check(app, client.post("/go_to", json=body))
    assert snapshot(app) == before


@FUZZ
@given(instance_id=st.text(min_size=1, max_size=60).filter(lambda s: s != "item_001"))
def test_reads_of_items_that_are_not_yours(fuzz_app, instance_id):
    app, client = fuzz_app
    before = snapshot(app)
    check(app, client.get("/get_annotations", query_string={"instance_id": instance_id}))
    if "/" not in instance_id and instance_id.strip() not in ("", ".", ".."):
        check(app, client.get(f"/api/spans/{instance_id}"))
    assert snapshot(app) == before


def test_server_still_serves_after_fuzzing(fuzz_app):
    _app, client = fuzz_app
    assert client.get("/health").status_code == 200
    assert client.get("/api/current_instance").json["instance_id"] == "item_001"
    r = client.post(
        "/updateinstance",
        json={"instance_id": "item_001", "annotations": {"sentiment:positive": "1"}},
    )
    assert r.status_code == 200
