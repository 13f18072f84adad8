"""viewer_selection: residues of a PDB or mmCIF structure parsed on the server, shown as a
sequence; selections in Potato's JSON are checked against the item's structure (existence,
residue name, labels, duplicates, max_selections) with nothing written on a bad one; export
and dashboard summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from potato_like.media.structures import StructureError, parse
from tests.conftest import ADMIN, current_id, login

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "structures"


@pytest.fixture
def app(example_project):
    return example_project(EXAMPLE, require_password=False)


def send(client, iid, value):
    raw = value if isinstance(value, str) else json.dumps(value)
    return client.post(
        "/updateinstance", json={"instance_id": iid, "annotations": {"site:site": raw}}
    )


def stored(client, iid):
    return client.get(f"/get_annotations?instance_id={iid}").json["label_annotations"]


def sel(*items):
    return {"viewer": "protein_structure", "items": list(items)}


HIS57 = {"chain": "A", "resi": 57, "resn": "HIS", "label": "binding site"}


def test_pdb_and_mmcif_parse_to_the_same_chains():
    pdb = parse((EXAMPLE / "media" / "mini.pdb").read_text())
    cif = parse((EXAMPLE / "media" / "mini.cif").read_text())
    assert pdb == cif
    assert [(c["chain"], len(c["residues"])) for c in pdb] == [("A", 10), ("B", 4)]  # no water
    assert pdb[0]["residues"][6] == {"resi": 57, "resn": "HIS", "icode": "", "code": "H"}
    with pytest.raises(StructureError, match="no ATOM records"):
        parse("HEADER nothing here\n")


def test_page_shows_the_sequence_of_each_chain(app):
    page = login(app.test_client(), "ann").get("/annotate").data.decode()
    assert page.count('class="vs-res"') == 14 and "js/viewer-selection.js" in page
    assert 'data-chain="A" data-resi="57" data-resn="HIS"' in page


def test_selections_are_stored_and_shown_after_reload(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    r = send(ann, iid, sel(HIS57, {"chain": "B", "resi": 2, "resn": "cys", "label": "epitope"}))
    assert r.status_code == 200, r.json
    got = json.loads(stored(ann, iid)["site"]["site"])
    assert got["items"][1] == {"chain": "B", "resi": 2, "resn": "CYS", "label": "epitope"}
    assert "&#34;resi&#34;: 57" in ann.get("/annotate").data.decode()


BAD = [
    ("[1]", "must be a JSON object"),
    (sel({**HIS57, "resi": 99}), "residue A:99 is not in the item's structure"),
    (sel({**HIS57, "chain": "C"}), "residue C:57 is not in the item's structure"),
    (sel({**HIS57, "resn": "ALA"}), "residue A:57 is HIS, not ALA"),
    (sel({**HIS57, "label": "pocket"}), "'pocket' is not one of binding site, epitope"),
    (sel({"chain": "A", "resi": 57}), "label: None is not one of"),
    (sel(HIS57, HIS57), "residue A:57 is selected twice"),
    (sel({**HIS57, "resi": "57"}), "must be a whole residue number"),
    ({"viewer": "genome_locus", "items": []}, "viewer 'genome_locus' is not supported"),
    (sel(*({"chain": "A", "resi": i, "label": "epitope"} for i in range(51, 61)),
         *({"chain": "B", "resi": i, "label": "epitope"} for i in range(1, 5)),
         *({"chain": "A", "resi": i, "label": "epitope"} for i in range(100, 107))),
     "21 residues selected, at most 20"),
]  # fmt: skip


def test_bad_selections_are_refused_naming_the_problem_and_nothing_is_written(app):
    ann = login(app.test_client(), "ann")
    iid = current_id(ann)
    for value, problem in BAD:
        r = send(ann, iid, value)
        assert r.status_code == 400 and problem in r.json["error"], (problem, r.json)
    assert stored(ann, iid) == {}


def test_a_missing_structure_file_is_shown_and_refuses_saves(example_project, tmp_path):
    def edit(config):
        config["data_files"] = ["broken.jsonl"]

    app = example_project(
        EXAMPLE,
        edit=edit,
        files={"broken.jsonl": '{"id": "x", "text": "t", "structure": "../secret.pdb"}\n'},
        require_password=False,
    )
    ann = login(app.test_client(), "ann")
    page = ann.get("/annotate").data.decode()
    assert "The structure cannot be shown" in page and "not a structure file" in page
    r = send(ann, current_id(ann), sel(HIS57))
    assert r.status_code == 400 and "structure cannot be read" in r.json["error"]


def test_export_and_dashboard(app):
    for name in ("ann", "bob"):
        client = login(app.test_client(), name)
        assert send(client, current_id(client), sel(HIS57)).status_code == 200
    admin = app.test_client()
    table = admin.post("/admin/api/export", json={"format": "csv"}, headers=ADMIN).data.decode()
    assert "site:::site" in table.splitlines()[0] and "HIS" in table
    questions = admin.get("/admin/api/questions?fresh=1", headers=ADMIN).json["questions"]
    summary = next(q for q in questions if q["name"] == "site")["summary"]
    assert summary["most_selected_residues"] == {"A:57": 2}
    assert summary["selections_by_label"] == {"binding site": 2}
