"""The fieldwork types accept Potato 2.12.1's own example schemes unchanged (from the
`x-potato-examples` of its config schema: examples/advanced/cultural-domain,
examples/advanced/ego-network, examples/span/interlinear-gloss): no problems, no warnings,
the page renders, and a Potato-shaped answer is stored."""

import json

import pytest

from potato_like import create_app
from tests.conftest import base_config, write_config
from tests.web.scale_util import annotator, page, send, stored

SCHEMES = {
    "free_list": {
        "annotation_type": "free_list",
        "description": "List all the kinds of fruit you can think of.",
        "instructions": "Type one kind of fruit, then press Enter.",
        "label_requirement": {"required": True},
        "max_items": 60,
        "min_items": 3,
        "name": "fruit_freelist",
        "normalize": True,
    },
    "triad_test": {
        "annotation_type": "triad_test",
        "description": "Triads",
        "instructions": "Choose the one that is most different from the other two.",
        "items_field": "items",
        "label_requirement": {"required": True},
        "name": "triads",
        "question": "Which is most different?",
    },
    "ego_network": {
        "annotation_type": "ego_network",
        "description": "Record the network this person describes",
        "label_requirement": {"required": True},
        "name": "described_network",
        "stage_layout": "stacked",
        "stages": [
            {
                "id": "mentioned",
                "min_alters": 1,
                "prompt": "Add each person.",
                "title": "People mentioned",
                "type": "name_generator",
            },
            {
                "id": "role",
                "prompt": "What is each person to the interviewee?",
                "questions": [
                    {
                        "description": "{name} is the interviewee's",
                        "labels": [
                            {"name": "family", "text": "Family"},
                            {"name": "friend", "text": "Friend"},
                            {"name": "work", "text": "Work or school"},
                            {"name": "unclear", "text": "Not stated"},
                        ],
                        "name": "role",
                        "type": "radio",
                    }
                ],
                "required": True,
                "title": "Role",
                "type": "name_interpreter",
            },
            {
                "id": "ties",
                "no_label": "No or not stated",
                "prompt": "Does the excerpt say {a} and {b} know each other?",
                "title": "Ties between them",
                "type": "dyad_census",
                "yes_label": "Yes",
            },
        ],
    },
    "interlinear_gloss": {
        "abbreviations": "leipzig",
        "annotation_type": "interlinear_gloss",
        "description": "Segment each word into morphemes and gloss every morpheme",
        "gloss_field": "glosses",
        "instructions": "Put - between affixes and = before a clitic, in both lines.",
        "label_requirement": {"required": True},
        "language": "la",
        "metalanguage": "en",
        "morphemes_field": "morphemes",
        "name": "igt",
        "source_field": "text",
        "tiers": ["pos", "notes"],
        "translation_field": "translation",
    },
}
ROW = {
    "id": "r1",
    "text": "puellae rosam dant",
    "items": ["apple", "pear", "lime", "plum"],
    "morphemes": ["puell-ae", "ros-am", "da-nt"],
    "glosses": ["girl-NOM.PL", "rose-ACC.SG", "give-3PL"],
    "translation": "The girls give a rose.",
}
ANSWERS = {
    "free_list": {
        "items": ["apple", "pear", "fig"],
        "timings_ms": [800, 1900, 3000],
        "elapsed_ms": 3500,
        "time_up": False,
        "started": True,
    },
    "triad_test": {
        "design": "complete",
        "triads": [
            ["apple", "pear", "lime", "lime"],
            ["apple", "pear", "plum", "plum"],
            ["apple", "lime", "plum", "apple"],
            ["pear", "lime", "plum", "pear"],
        ],
    },
    "ego_network": {
        "alters": [{"id": "a1", "name": "Ann", "named_in": ["mentioned"]}],
        "attributes": {"a1": {"role": "friend"}},
        "ties": [],
        "positions": {},
        "census": {},
        "tie_attributes": {},
    },
    "interlinear_gloss": {
        "words": [
            {
                "word": "puellae",
                "morphemes": "puell-ae",
                "gloss": "girl-NOM.PL",
                "pos": "n",
                "notes": "",
            },
            {
                "word": "rosam",
                "morphemes": "ros-am",
                "gloss": "rose-ACC.SG",
                "pos": "n",
                "notes": "",
            },
            {"word": "dant", "morphemes": "da-nt", "gloss": "give-3PL", "pos": "v", "notes": ""},
        ],
        "translation": "The girls give a rose.",
    },
}


@pytest.mark.parametrize("kind", sorted(SCHEMES))
def test_potato_example_scheme_runs_unchanged(tmp_path, kind):
    scheme = SCHEMES[kind]
    (tmp_path / "d.jsonl").write_text(json.dumps(ROW) + "\n")
    app = create_app(write_config(tmp_path, base_config("d.jsonl", annotation_schemes=[scheme])))
    app.config["TESTING"] = True
    project = app.extensions["potato_like"]
    assert not [w for w in project.config.warnings if not w.startswith("admin_api_key")]
    ann = annotator(app)
    html = page(ann)
    name = scheme["name"]
    assert f'data-scheme="{name}"' in html
    if kind == "interlinear_gloss":
        assert 'value="girl-NOM.PL"' in html and 'value="The girls give a rose."' in html
    if kind == "ego_network":
        assert "Work or school" in html  # label texts reach the page script
    iid, r = send(ann, {f"{name}:{name}": json.dumps(ANSWERS[kind])}, draft=False)
    assert r.status_code == 200, r.json
    assert r.json["instance_status"] == "completed"
    assert json.loads(stored(ann, iid, name)[name]) == {**ANSWERS[kind]}
