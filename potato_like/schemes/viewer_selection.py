"""`annotation_type: viewer_selection` — residues selected in a macromolecular structure
(a binding site, an epitope), optionally labelled. Potato's options: `viewer_field` (the item
field naming the structure), `labels` (with `color`), `min_selections`, `max_selections`,
`instructions`.

Potato pairs it with a 3-D viewer display (`protein_structure`); here the page shows the
structure in 3-D (the C-alpha trace and one pickable sphere per residue, three.js) and its
residue sequence, chain by chain, both kept in sync, parsed on the server from the file the
`viewer_field` names (a PDB or mmCIF file in the project directory or its `media/` folder,
optionally gzipped, or the file's text itself): keyboard-navigable, with ranges selected by
Shift+arrows. Genome loci (`genome_locus`) are not supported.

Wire format (Potato's hidden input): `"<schema>:<schema>": "<JSON>"` with
`{"viewer": "protein_structure", "items": [{"chain", "resi", "resn", "icode"?, "label"?}]}`,
one item per residue. Saved residues must exist in the item's structure (with that residue
name); with labels, every item names one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .record import RecordScheme, counts, mean
from .registry import register

COLOURS = ("#c2255c", "#2b8a3e", "#6741d9", "#8f5a2b", "#087f5b", "#a61e4d", "#495057")
MAX_ITEMS = 5000


def structure_of(task_dir, value: Any) -> list[dict[str, Any]]:
    """The chains of the structure an item field names (a file path) or holds (text)."""
    from ..media.structures import StructureError, parse, read_text

    if not isinstance(value, str) or not value.strip():
        raise StructureError("the item names no structure")
    if "\n" in value:
        return parse(value)
    from ..media.paths import relative_media_path

    root = task_dir.resolve()
    for candidate in (value, f"media/{value}"):
        clean = relative_media_path(candidate)
        if clean is None:
            continue
        path = (root / clean).resolve()
        if not path.is_relative_to(root):
            continue
        inside = not any(p.startswith(".") for p in path.relative_to(root).parts)
        if inside and path.is_file():
            return parse(read_text(path))
    raise StructureError(f"{value!r} is not a structure file in the project")


@register("viewer_selection")
class ViewerSelection(RecordScheme):
    macro = "schemes/viewer_selection.html"
    script = "js/viewer-selection.js"
    stylesheet = "css/viewer-selection.css"
    agreement_metric = None
    agreement_skip_reason = "residue selections have no agreement measure here yet"
    option_keys = ("viewer_field", "labels", "min_selections", "max_selections", "instructions")
    chains: list[dict[str, Any]] = []
    structure_problem: str = ""

    def parse_options(self, reader: ConfigReader) -> None:
        self.viewer_field = reader.str("viewer_field", "", required=True) or ""
        if reader.has("labels"):
            self.read_labels(reader)
        self.map_labels = list(self.labels)
        self.map_label_names = [label.name for label in self.map_labels]
        self.colors = {
            lb.name: lb.color or COLOURS[i % len(COLOURS)] for i, lb in enumerate(self.map_labels)
        }
        self.min_selections = reader.number("min_selections", None, integer=True, minimum=0)
        self.max_selections = reader.number("max_selections", None, integer=True, minimum=1)
        if (self.min_selections or 0) > (self.max_selections or MAX_ITEMS):
            reader.problem("max_selections", "is below min_selections")
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""

    # -- the page ------------------------------------------------------------------------
    def for_page(self, fields, annotator, item_id, seed) -> ViewerSelection:
        from ..media.structures import StructureError

        try:
            return self.page_view(chains=structure_of(self.task_dir, fields.get(self.viewer_field)))
        except (StructureError, OSError) as exc:
            return self.page_view(chains=[], structure_problem=str(exc))

    def traces(self) -> list[list[Any]]:
        """Per chain, each residue's C-alpha `[x, y, z]` or None, for the 3-D view; empty when
        the structure has no coordinates (or could not be read)."""
        traces = [c.get("trace") or [None] * len(c["residues"]) for c in self.chains]
        return traces if any(p for t in traces for p in t) else []

    def page_config(self) -> dict[str, Any]:
        return {
            "labels": [
                {"name": lb.name, "text": lb.shown, "color": self.colors[lb.name]}
                for lb in self.map_labels
            ],
            "maxSelections": self.max_selections,
        }

    # -- values --------------------------------------------------------------------------
    def check_record(self, record: Mapping[str, Any]) -> dict[str, Any] | None:
        extra = sorted(set(record) - {"viewer", "items"})
        if extra:
            raise BadAnnotation(f"{self.name}: unknown key {extra[0]!r} (viewer, items)")
        viewer = record.get("viewer", "protein_structure")
        if viewer != "protein_structure":
            raise BadAnnotation(f"{self.name}: viewer {viewer!r} is not supported here "
                                "(protein_structure)")  # fmt: skip
        raw = record.get("items")
        if not isinstance(raw, list):
            raise BadAnnotation(f"{self.name}: 'items' must be a list of residues")
        limit = self.max_selections or MAX_ITEMS
        if len(raw) > limit:
            raise BadAnnotation(f"{self.name}: {len(raw)} residues selected, at most {limit}")
        items, seen = [], set()
        for n, item in enumerate(raw):
            entry = self._item(item, f"{self.name}: items[{n}]")
            key = (entry["chain"], entry["resi"], entry.get("icode", ""))
            if key in seen:
                raise BadAnnotation(
                    f"{self.name}: items[{n}]: residue {_name(entry)} is selected twice"
                )
            seen.add(key)
            items.append(entry)
        if not items:
            return None
        return {"viewer": "protein_structure", "items": items}

    def _item(self, raw: Any, where: str) -> dict[str, Any]:
        if not isinstance(raw, Mapping):
            raise BadAnnotation(f"{where}: must be an object with chain, resi, resn")
        unknown = sorted(set(raw) - {"chain", "resi", "resn", "icode", "label"})
        if unknown:
            raise BadAnnotation(f"{where}: unknown key {unknown[0]!r}")
        chain, resi = raw.get("chain"), raw.get("resi")
        if not isinstance(chain, str) or not 0 < len(chain) <= 4:
            raise BadAnnotation(f"{where}.chain: must be a chain id (1-4 characters)")
        if isinstance(resi, bool) or not isinstance(resi, int):
            raise BadAnnotation(f"{where}.resi: must be a whole residue number, got {resi!r}")
        entry: dict[str, Any] = {"chain": chain, "resi": resi}
        resn = raw.get("resn")
        if resn is not None:
            if not isinstance(resn, str) or not 0 < len(resn) <= 4:
                raise BadAnnotation(f"{where}.resn: must be a residue name such as 'HIS'")
            entry["resn"] = resn.upper()
        icode = raw.get("icode")
        if icode not in (None, ""):
            if not isinstance(icode, str) or len(icode) != 1:
                raise BadAnnotation(f"{where}.icode: must be one insertion-code character")
            entry["icode"] = icode
        label = raw.get("label")
        if self.map_label_names:
            names = self.map_label_names
            if label not in names:
                raise BadAnnotation(
                    f"{where}.label: {label!r} is not one of {', '.join(names)}"
                    f"{hint(str(label), names)}"
                )
            entry["label"] = label
        elif label not in (None, ""):
            raise BadAnnotation(f"{where}.label: this scheme has no labels")
        return entry

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """Every selected residue must exist in the item's structure (same residue name)."""
        answer = self.answer(label_map)
        if not answer:
            return
        from ..media.structures import StructureError

        try:
            chains = structure_of(self.task_dir, fields.get(self.viewer_field))
        except (StructureError, OSError) as exc:
            raise BadAnnotation(
                f"{self.name}: the item's structure cannot be read ({exc})"
            ) from None
        known = {
            (c["chain"], r["resi"], r["icode"]): r["resn"] for c in chains for r in c["residues"]
        }
        for n, item in enumerate(answer["items"]):
            key = (item["chain"], item["resi"], item.get("icode", ""))
            if key not in known:
                raise BadAnnotation(f"{self.name}: items[{n}]: residue {_name(item)} is not in "
                                    "the item's structure")  # fmt: skip
            if item.get("resn") and item["resn"] != known[key]:
                raise BadAnnotation(f"{self.name}: items[{n}]: residue {_name(item)} is "
                                    f"{known[key]}, not {item['resn']}")  # fmt: skip

    def missing_requirement(self, label_map) -> str | None:
        chosen = len((self.answer(label_map or {}) or {}).get("items", []))
        if self.min_selections and chosen < self.min_selections:
            return f"select at least {self.min_selections} residues (now {chosen})"
        return super().missing_requirement(label_map)

    def dashboard_summary(self, label_maps):
        answers = [self.answer(m) for m in label_maps if m]
        items = [i for a in answers for i in a["items"]]
        top = counts(_name(i) for i in items)
        return {
            "selections_by_label": counts(i.get("label", "(none)") for i in items),
            "most_selected_residues": dict(list(top.items())[:10]),
            "mean_residues_per_answer": mean([float(len(a["items"])) for a in answers]),
        }

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "labels": self.map_label_names,
                "viewer_field": self.viewer_field}  # fmt: skip


def _name(item: Mapping[str, Any]) -> str:
    return f"{item['chain']}:{item['resi']}{item.get('icode', '')}"
