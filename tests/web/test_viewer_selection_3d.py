"""viewer_selection's 3-D view: the page carries one C-alpha per residue (in sequence order,
per chain) for a PDB generated here, with the three.js URL; residues without a C-alpha and bad
coordinates are null; structures without coordinates, unreadable or oversized ones render the
page without a 3-D view and without a 500."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from potato_like.media import structures
from tests.conftest import login

EXAMPLE = Path(__file__).resolve().parents[2] / "example_projects" / "structures"
TRACE = re.compile(r'<script type="application/json" data-role="structure-trace">(.*?)</script>')


def atom(n, name, resn, chain, resi, xyz, record="ATOM  "):
    x, y, z = xyz
    return f"{record}{n:5d} {name:<4} {resn:>3} {chain}{resi:4d}    {x:8.3f}{y:8.3f}{z:8.3f}  1.00 20.00"


def backbone(chain, resi, resn, ca, start):
    """N, CA, C, O of one residue: only the CA should reach the page."""
    x, y, z = ca
    return [
        atom(start, "N", resn, chain, resi, (x - 1.2, y, z)),
        atom(start + 1, "CA", resn, chain, resi, ca),
        atom(start + 2, "C", resn, chain, resi, (x + 1.1, y + 0.4, z)),
        atom(start + 3, "O", resn, chain, resi, (x + 1.5, y + 1.3, z)),
    ]


def page_of(example_project, text, name="gen.pdb"):
    def edit(config):
        config["data_files"] = ["gen.jsonl"]

    files = {
        "gen.jsonl": json.dumps({"id": "g", "text": "t", "structure": name}) + "\n",
        f"media/{name}": text,
    }
    app = example_project(EXAMPLE, edit=edit, files=files, require_password=False)
    r = login(app.test_client(), "ann").get("/annotate")
    assert r.status_code == 200
    return r.data.decode()


def traces_of(page):
    found = TRACE.findall(page)
    return json.loads(found[0]) if found else None


def test_the_page_carries_one_c_alpha_per_residue(example_project):
    lines = []
    cas = {"A": [(1.0, 2.0, 3.0), (4.8, 2.0, 3.0), (8.6, 2.5, 3.0)], "B": [(0.0, 10.0, -1.0)]}
    names = {"A": ["MET", "HIS", "GLY"], "B": ["CYS"]}
    for chain in ("A", "B"):
        for i, ca in enumerate(cas[chain]):
            lines += backbone(chain, 10 + i, names[chain][i], ca, len(lines) + 1)
    lines.append(atom(99, "ZN", "ZN", "B", 50, (5.0, 5.0, 5.0), "HETATM"))  # no C-alpha
    lines.append(atom(100, "O", "HOH", "B", 60, (9.0, 9.0, 9.0), "HETATM"))  # water: left out
    page = page_of(example_project, "\n".join(lines) + "\nEND\n")
    assert traces_of(page) == [
        [[1.0, 2.0, 3.0], [4.8, 2.0, 3.0], [8.6, 2.5, 3.0]],
        [[0.0, 10.0, -1.0], None],
    ]
    assert 'data-role="structure-3d"' in page and "vendor/three/three.module.min.js" in page
    assert 'data-testid="viewer-3d-site"' in page
    assert page.count('class="vs-res"') == 5  # the sequence view is still there


def test_nucleotides_use_c4_prime_and_bad_coordinates_are_null():
    lines = [
        atom(1, "P", "DA", "C", 1, (0.0, 0.0, 0.0)),
        atom(2, "C4'", "DA", "C", 1, (1.0, 1.0, 1.0)),
        atom(3, "CA", "ALA", "D", 1, (0.0, 0.0, 0.0)).replace("   0.000", "     nan", 1),
    ]
    chains = structures.parse("\n".join(lines))
    assert [c["trace"] for c in chains] == [[[1.0, 1.0, 1.0]], [None]]


def test_mmcif_coordinates_match_the_pdb(example_project):
    pdb = structures.parse((EXAMPLE / "media" / "mini.pdb").read_text())
    cif = structures.parse((EXAMPLE / "media" / "mini.cif").read_text())
    assert [c["trace"] for c in pdb] == [c["trace"] for c in cif]
    assert pdb[0]["trace"][6] == [-1.15, -1.99, 9.0]  # His57 of the example helix


def test_a_structure_without_coordinates_has_no_3d_view(example_project):
    cif = (
        "data_X\nloop_\n_atom_site.group_PDB\n_atom_site.auth_seq_id\n_atom_site.auth_comp_id\n"
        "_atom_site.auth_asym_id\nATOM 1 GLY A\nATOM 2 HIS A\n#\n"
    )
    page = page_of(example_project, cif, "nocoords.cif")
    assert page.count('class="vs-res"') == 2
    assert traces_of(page) is None and 'data-role="structure-3d"' not in page


@pytest.mark.parametrize(
    "text, problem",
    [
        ("ATOM      1  CA  GLY A  xx       1.000   1.000   1.000\n", "bad residue number"),
        ("just some text\n", "no ATOM records"),
    ],
)
def test_unreadable_structures_show_the_problem_and_no_3d_view(example_project, text, problem):
    page = page_of(example_project, text)
    assert "The structure cannot be shown" in page and problem in page
    assert traces_of(page) is None and 'data-role="structure-3d"' not in page


def test_oversized_structures_are_refused_without_coordinates(example_project, monkeypatch):
    limit = structures.MAX_RESIDUES
    too_many = "\n".join(
        atom(i % 99999 + 1, "CA", "GLY", "A", i % 9999, (0.0, 0.0, 0.0)).replace(
            " A", f" {'ABC'[i // 9999]}", 1
        )
        for i in range(limit + 1)
    )
    page = page_of(example_project, too_many)
    assert f"more than {limit} residues" in page and traces_of(page) is None

    monkeypatch.setattr(structures, "MAX_BYTES", 1000)
    page = page_of(example_project, "\n".join(backbone("A", 1, "GLY", (0, 0, 0), 1) * 10))
    assert "larger than 1000 bytes" in page and traces_of(page) is None
