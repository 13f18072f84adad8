"""Macromolecular structures read on the server for residue selection: PDB files (ATOM and
HETATM records, fixed columns) and mmCIF files (the `_atom_site` loop), optionally
gzipped, as chains of residues in file order: `{chain, resi, resn, icode}` with the author
chain id and residue number (PDB columns 22 and 23-26, mmCIF `auth_asym_id` and
`auth_seq_id`). Waters are left out. Only the first model is read.

Each chain also carries `trace`: per residue (same order) the coordinates `[x, y, z]` (Å,
rounded to 0.01) of its C-alpha atom (`CA`; `C4'` for nucleotides), or None when the residue
has neither, for the 3-D view. One atom per residue keeps what the page gets bounded: at most
`MAX_RESIDUES` points.
"""

from __future__ import annotations

import gzip
import shlex
from pathlib import Path
from typing import Any

MAX_BYTES = 50_000_000
MAX_RESIDUES = 20_000
WATERS = ("HOH", "WAT", "DOD")
TRACE_ATOMS = ("CA", "C4'")
ONE_LETTER = {
    "ALA": "A", "ARG": "R", "ASN": "N", "ASP": "D", "CYS": "C", "GLN": "Q", "GLU": "E",
    "GLY": "G", "HIS": "H", "ILE": "I", "LEU": "L", "LYS": "K", "MET": "M", "PHE": "F",
    "PRO": "P", "SER": "S", "THR": "T", "TRP": "W", "TYR": "Y", "VAL": "V", "SEC": "U",
    "PYL": "O", "DA": "A", "DC": "C", "DG": "G", "DT": "T", "A": "A", "C": "C", "G": "G",
    "U": "U",
}  # fmt: skip


class StructureError(ValueError):
    """The file is not a structure this reader understands."""


def read_text(path: Path) -> str:
    if path.stat().st_size > MAX_BYTES:
        raise StructureError(f"{path.name} is larger than {MAX_BYTES} bytes")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def parse(text: str) -> list[dict[str, Any]]:
    """[{chain, residues: [{resi, resn, icode, code}], trace: [[x, y, z] | None]}]."""
    records = _cif_atoms(text) if "_atom_site." in text else _pdb_atoms(text)
    chains: dict[str, list[dict[str, Any]]] = {}
    traces: dict[str, list[Any]] = {}
    seen: dict[tuple[str, int, str], int] = {}
    for chain, resi, resn, icode, atom, xyz in records:
        key = (chain, resi, icode)
        if resn in WATERS:
            continue
        if key not in seen:
            residue = {
                "resi": resi,
                "resn": resn,
                "icode": icode,
                "code": ONE_LETTER.get(resn, "X"),
            }
            seen[key] = len(chains.setdefault(chain, []))
            chains[chain].append(residue)
            traces.setdefault(chain, []).append(None)
            if len(seen) > MAX_RESIDUES:
                raise StructureError(f"more than {MAX_RESIDUES} residues")
        if xyz is not None and atom in TRACE_ATOMS:
            slot = traces[chain]
            n = seen[key]
            if slot[n] is None or atom == "CA":
                slot[n] = xyz
    if not chains:
        raise StructureError("no ATOM records (PDB) or _atom_site rows (mmCIF) found")
    return [{"chain": c, "residues": r, "trace": traces[c]} for c, r in chains.items()]


def _xyz(x: str, y: str, z: str) -> list[float] | None:
    """Coordinates rounded to 0.01 Å; None when a value is not a finite number."""
    try:
        out = [round(float(v), 2) for v in (x, y, z)]
    except ValueError:
        return None
    return out if all(abs(v) < 1e6 for v in out) else None


def _pdb_atoms(text: str):
    for line in text.splitlines():
        if line.startswith("ENDMDL"):
            break
        if not line.startswith(("ATOM  ", "HETATM")) or len(line) < 27:
            continue
        try:
            resi = int(line[22:26])
        except ValueError:
            raise StructureError(f"bad residue number in {line[:27]!r}") from None
        atom = line[12:16].strip()
        xyz = _xyz(line[30:38], line[38:46], line[46:54]) if len(line) >= 54 else None
        yield line[21].strip() or "_", resi, line[17:20].strip(), line[26].strip(), atom, xyz


def _cif_atoms(text: str):
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip() == "loop_":
            columns: list[str] = []
            for line in lines:
                stripped = line.strip()
                if stripped.startswith("_"):
                    columns.append(stripped.split()[0])
                    continue
                break
            if not columns or not columns[0].startswith("_atom_site."):
                continue
            names = [c.split(".", 1)[1] for c in columns]
            want = ("auth_asym_id", "auth_seq_id", "auth_comp_id")
            if not all(w in names for w in want):
                raise StructureError("_atom_site lacks auth_asym_id/auth_seq_id/auth_comp_id")
            at = {n: names.index(n) for n in names}
            atom_col = next((c for c in ("auth_atom_id", "label_atom_id") if c in at), None)
            coords = ("Cartn_x", "Cartn_y", "Cartn_z")
            has_xyz = all(c in at for c in coords)
            first_model = None
            row = line
            while row is not None and row.strip() and not row.startswith(("#", "loop_", "_")):
                values = shlex.split(row, posix=True)
                if len(values) == len(names):
                    model = values[at["pdbx_PDB_model_num"]] if "pdbx_PDB_model_num" in at else "1"
                    first_model = first_model or model
                    if model != first_model:
                        return
                    icode = values[at["pdbx_PDB_ins_code"]] if "pdbx_PDB_ins_code" in at else ""
                    try:
                        resi = int(values[at["auth_seq_id"]])
                    except ValueError:
                        raise StructureError(f"bad auth_seq_id in {row!r}") from None
                    atom = values[at[atom_col]] if atom_col else ""
                    xyz = _xyz(*(values[at[c]] for c in coords)) if has_xyz else None
                    yield (
                        values[at["auth_asym_id"]],
                        resi,
                        values[at["auth_comp_id"]],
                        "" if icode in ("?", ".") else icode,
                        atom,
                        xyz,
                    )
                row = next(lines, None)
            return
