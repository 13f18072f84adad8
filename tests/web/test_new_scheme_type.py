"""Adding an annotation type is one class (plus its template): a test-only `stars` type,
registered here and nowhere else, loads from a config, renders on the annotation page,
saves through /updateinstance and the no-JavaScript form, exports, and shows up on the
dashboard's questions and agreement pages, with no change to any module outside schemes/.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader

from potato_like.errors import BadAnnotation
from potato_like.schemes import registry
from potato_like.schemes.base import Label, Scheme
from tests.conftest import ADMIN, current_id, login

STARS_TEMPLATE = """{% macro render(scheme, value) %}
<fieldset class="scheme stars" data-scheme="{{ scheme.name }}" data-testid="stars">
  <legend>{{ scheme.description }}</legend>
  {% for label in scheme.labels %}
  <label><input type="radio" name="{{ scheme.name }}:stars" value="{{ label.name }}"
    {% if value.get('stars') == label.name %}checked{% endif %}>{{ label.name }}&#9733;</label>
  {% endfor %}
</fieldset>
{% endmacro %}"""


class Stars(Scheme):
    """A rating of 1..`max_stars` stars, stored as {"stars": "4"}."""

    macro = "schemes/stars.html"
    option_keys = ("max_stars",)
    tallied = True
    agreement_metric = "ordinal"
    confusion_matrix = True

    def parse_options(self, reader) -> None:
        top = reader.number("max_stars", 5, integer=True, minimum=1, maximum=10)
        self.labels = [Label(str(i)) for i in range(1, top + 1)]

    def normalize(self, label_map: Mapping[str, Any]) -> dict[str, str]:
        value = label_map.get("stars")
        if set(label_map) - {"stars"}:
            raise BadAnnotation(f"{self.name}: send the rating as '{self.name}:stars'")
        if value in (None, ""):
            return {}
        if str(value) not in self.label_names:
            raise BadAnnotation(f"{self.name}: {value!r} is not 1..{len(self.labels)} stars")
        return {"stars": str(value)}

    def answer(self, label_map: Mapping[str, str]) -> Any:
        return int(label_map["stars"]) if "stars" in label_map else None

    def answer_map(self, value: Any) -> dict[str, Any]:
        return {"stars": value}

    def scale_values(self) -> list[Any]:
        return [int(n) for n in self.label_names]  # what answer() gives, in label order

    def table_keys(self) -> list[str]:
        return ["stars"]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return [label_map.get("stars")]


@pytest.fixture
def stars_app(make_project, monkeypatch):
    registry.type_names()  # the built-in types first, then a private copy of the registry
    monkeypatch.setattr(registry, "_TYPES", dict(registry._TYPES))
    monkeypatch.setattr(Stars, "type_name", "")
    registry.register("stars")(Stars)
    app = make_project(
        items=3,
        max_annotations_per_item=2,
        schemes=[{"annotation_type": "stars", "name": "rating", "max_stars": 5}],
    )
    # Its template: a file in templates/schemes/ for a real type; a dict loader here.
    app.jinja_loader  # noqa: B018  (Flask builds the loader lazily)
    app.jinja_env.loader = ChoiceLoader(
        [app.jinja_env.loader, DictLoader({"schemes/stars.html": STARS_TEMPLATE})]
    )
    return app


def rate(client, stars: str):
    iid = current_id(client)
    body = {"instance_id": iid, "annotations": {"rating:stars": stars}}
    return iid, client.post("/updateinstance", json=body)


def test_a_registered_type_renders_saves_exports_and_is_summarised(stars_app):
    ann = login(stars_app.test_client(), "ann")
    page = ann.get("/annotate")
    assert page.status_code == 200 and b'data-testid="stars"' in page.data
    assert b'name="rating:stars" value="5"' in page.data

    iid, r = rate(ann, "4")
    assert r.status_code == 200, r.json
    assert ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"] == {
        "rating": {"stars": "4"}
    }
    _, bad = rate(ann, "9")
    assert bad.status_code == 400 and "not 1..5 stars" in bad.json["error"]

    bob = login(stars_app.test_client(), "bob")
    assert current_id(bob) == iid
    assert rate(bob, "4")[1].status_code == 200

    admin = stars_app.test_client()
    rows = admin.post("/admin/api/export", json={"format": "jsonl"}, headers=ADMIN).data
    answers = [json.loads(line)["answers"] for line in rows.decode().splitlines()]
    assert answers == [{"rating": 4}, {"rating": 4}]
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data
    assert [r["rating:::stars"] for r in csv.DictReader(io.StringIO(table.decode()))] == ["4", "4"]

    questions = admin.get("/admin/api/questions", headers=ADMIN).json["questions"]
    for question in questions:  # Potato's keys (tests/web/test_potato_wire.py)
        assert question.pop("total_annotations") == question["total_answers"]
        question.pop("analysis")
    assert questions == [
        {
            "name": "rating",
            "type": "stars",
            "description": "rating",
            "total_answers": 2,
            "distribution": {"1": 0, "2": 0, "3": 0, "4": 2, "5": 0},
        }
    ]
    agreement = admin.get("/admin/api/agreement", headers=ADMIN).json
    assert agreement["by_schema"]["rating"]["metric_type"] == "ordinal"
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    page = admin.get("/admin/agreement/").data.decode()
    assert 'data-testid="confusion-rating"' in page
    assert re.search(
        r'<th scope="row">4</th>(\s*<td[^>]*>0</td>){3}\s*<td class="num diag"[^>]*>2<', page
    )
    assert 'data-testid="question-rating"' in admin.get("/admin/questions/").data.decode()


def test_a_registered_type_reads_the_no_javascript_form(stars_app):
    ann = login(stars_app.test_client(), "ann")
    iid = current_id(ann)
    page = ann.get("/annotate")
    token = page.data.decode().split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "instance_id": iid, "action": "next_instance"}
    r = ann.post("/annotate", data={**form, "rating:stars": "2"})
    assert r.status_code in (200, 302)
    got = ann.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]
    assert got == {"rating": {"stars": "2"}}


def test_a_registered_type_validates_its_own_config_keys(stars_app, make_project):
    with pytest.raises(Exception, match="max_stars"):
        make_project(schemes=[{"annotation_type": "stars", "name": "r", "max_stars": 50}])
