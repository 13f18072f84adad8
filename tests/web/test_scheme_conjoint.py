"""conjoint: `schema:schema` = the chosen profile's number or "none"; profiles are the same
for every annotator of an item; part-worths by a logit model."""

from tests.web.scale_util import agreement_of, annotator, page, refused, send, stored

CONJ = {
    "annotation_type": "conjoint",
    "name": "pick",
    "description": "Which?",
    "profiles_per_set": 2,
    "attributes": [
        {"name": "Speed", "levels": ["slow", "fast"]},
        {"name": "Price", "levels": ["high", "low"]},
    ],
}


def test_conjoint_choice_and_shared_profiles(make_project):
    app = make_project(schemes=[CONJ], max_annotations_per_item=2)
    ann, bob = annotator(app), annotator(app, "bob")
    html = page(ann)
    assert 'data-value="none"' in html and ">Speed</th>" in html
    assert (
        html.split('<table class="conjoint-profiles">')[1].split("</table>")[0]
        == (page(bob).split('<table class="conjoint-profiles">')[1].split("</table>")[0])
    )
    iid, r = send(ann, {"pick:pick": "2"}, draft=False)
    assert r.status_code == 200, r.json
    assert stored(ann, iid, "pick") == {"pick": "2"}
    refused(ann, {"pick:pick": "3"}, "'3' is not a choice", "pick")
    refused(ann, {"pick:other": "1"}, "unknown label 'other'", "pick")
    send(bob, {"pick:pick": "none"}, draft=False, iid=iid)
    assert agreement_of(app, "pick")["metric_type"] == "nominal"


def test_part_worths_follow_the_choices(make_project):
    app = make_project(schemes=[CONJ])
    project_scheme = next(s for s in _schemes(app) if s.name == "pick")
    choices = []
    for i in range(60):  # always pick the fast one (or the cheaper among equals)
        profiles = project_scheme.profiles_for({}, f"i{i}")
        best = max(
            range(2), key=lambda j: (profiles[j]["Speed"] == "fast", profiles[j]["Price"] == "low")
        )
        choices.append(({}, f"i{i}", {"pick": str(best + 1)}))
    worths = project_scheme.part_worths(choices)
    assert worths["choices"] == 60
    assert worths["attributes"]["Speed"]["fast"] > 1 > worths["attributes"]["Speed"]["slow"] == 0
    assert worths["importance"]["Speed"] > worths["importance"]["Price"]


def _schemes(app):
    from potato_like.web.security import current_project

    with app.app_context():
        return current_project().config.schemes


def test_the_questions_page_shows_part_worths(make_project):
    from tests.conftest import ADMIN

    app = make_project(items=30, schemes=[CONJ])
    ann = annotator(app)
    for _ in range(30):
        html = page(ann)
        table = html.split('<table class="conjoint-profiles">')[1].split("</table>")[0]
        cells = [row.split("<td>")[1:] for row in table.split("<tr>")[2:]]
        speeds = [c.split("<")[0] for c in cells[0]]  # the Speed row, per option
        choice = str(speeds.index("fast") + 1) if "fast" in speeds else "1"
        _, r = send(ann, {"pick:pick": choice}, draft=False)
        assert r.status_code == 200, r.json
        ann.post("/go_to", json={"action": "next_instance"})
    body = app.test_client().get("/admin/api/questions?fresh=1", headers=ADMIN).json
    model = next(q for q in body["questions"] if q["name"] == "pick")["model"]
    assert model["title"].startswith("Part-worths") and model["choices"] == 30
    assert model["attributes"]["Speed"]["fast"] > model["attributes"]["Speed"]["slow"] == 0
    admin = app.test_client()
    admin.post("/admin/login", data={"key": ADMIN["X-API-Key"]})
    assert 'data-testid="model-pick-Speed"' in admin.get("/admin/questions/").data.decode()
