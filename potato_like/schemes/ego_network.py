"""`annotation_type: ego_network` — a personal network: the respondent (ego) names people
(alters) in `name_generator` stages, answers questions about each in `name_interpreter`
stages, says for every pair whether they know each other in `dyad_census` stages, and sees
the network drawn in `sociogram` stages (where ties can also be added or removed).

Sent as Potato does, one JSON value `"schema:schema"`: `{"alters": [{"id": "a1", "name":
"Ann", "named_in": ["discuss"]}], "attributes": {"a1": {"closeness": "close"}}, "ties":
[["a1", "a2"]], "positions": {"a1": [0.4, 0.3]}, "census": {"a1|a2": true},
"tie_attributes": {"a1|a2": {"strength": "Strong"}}}` (a tie or census key carries its
stage's `relation` as a third part). The questions page shows each network's size, ties,
density (ties / possible pairs) and dyad census (connected and unconnected pairs)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .base import Label, json_payload
from .json_document import JsonDocumentScheme
from .registry import register

STAGE_TYPES = ("name_generator", "name_interpreter", "dyad_census", "sociogram")
QUESTION_TYPES = ("radio", "multiselect", "number", "text")
STAGE_KEYS = {
    "name_generator": ("min_alters", "max_alters", "roster", "roster_field", "sets", "placeholder"),
    "name_interpreter": ("questions", "required"),
    "dyad_census": ("relation", "strength_labels", "strength_variable", "yes_label", "no_label"),
    "sociogram": ("relation", "allow_ties", "rings"),
}
COMMON_STAGE_KEYS = ("type", "id", "title", "prompt", "instructions")
QUESTION_KEYS = (
    "name",
    "description",
    "type",
    "labels",
    "required",
    "min",
    "max",
    "step",
    "placeholder",
)
TITLES = {
    "name_generator": "Name people",
    "name_interpreter": "About each person",
    "dyad_census": "Who knows whom",
    "sociogram": "Your network",
}
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MAX_ALTERS = 100
MAX_TEXT = 1000
MAX_NETWORKS_SHOWN = 50


def _label_texts(raw: Any) -> dict[str, str]:
    """name -> shown text of labels written as {name, text}."""
    return {
        str(e.get("name", e.get("value"))).strip(): str(e.get("text") or e.get("label"))
        for e in (raw if isinstance(raw, list) else [])
        if isinstance(e, Mapping) and (e.get("text") or e.get("label"))
    }


def _labels(raw: Any, reader: ConfigReader, key: str) -> list[str]:
    out = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, Mapping):
            entry = entry.get("name", entry.get("value"))
        if isinstance(entry, bool) or entry is None or not str(entry).strip():
            reader.problem(key, "a label is a string or {name, text} (quote Yes/No in YAML)")
            continue
        out.append(str(entry).strip())
    if len(out) < 2:
        reader.problem(key, "needs at least two options")
    return out


def network_measures(alter_ids: list[str], ties: list[tuple[str, str]]) -> dict[str, Any]:
    """Size, ties, density and the undirected dyad census (Wasserman & Faust 1994, 4.2 and
    13.1: density = L / (g(g-1)/2); every pair is either connected or not), isolates and
    components."""
    g = len(alter_ids)
    pairs = g * (g - 1) // 2
    edges = {frozenset(t) for t in ties if t[0] != t[1]}
    parent = {a: a for a in alter_ids}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for e in edges:
        a, b = tuple(e)
        parent[root(a)] = root(b)
    touched = {a for e in edges for a in e}
    return {
        "alters": g,
        "ties": len(edges),
        "density": (len(edges) / pairs) if pairs else None,
        "connected_pairs": len(edges),
        "unconnected_pairs": pairs - len(edges),
        "isolates": sum(1 for a in alter_ids if a not in touched),
        "components": len({root(a) for a in alter_ids}),
    }


@register("ego_network")
class EgoNetwork(JsonDocumentScheme):
    macro = "schemes/ego_network.html"
    script = "js/ego-network.js"
    stylesheet = "css/fieldwork.css"
    option_keys = ("stages", "stage_layout", "instructions")
    summarizes_answers = True
    analysis_title = "Networks: size, density, dyad census"
    agreement_skip_reason = "each ego network is one respondent's own; no agreement measure"

    def parse_options(self, reader: ConfigReader) -> None:
        self.stage_layout = reader.str("stage_layout", "steps", choices=("steps", "stacked"))
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self.stages: list[dict[str, Any]] = []
        seen_ids: set[str] = set()
        question_names: set[str] = set()
        for i, sub in reader.entries("stages", "a mapping with a type"):
            stype = sub.str("type", "", required=True, choices=STAGE_TYPES)
            if stype not in STAGE_TYPES:
                continue
            sub.warn_unknown(COMMON_STAGE_KEYS + STAGE_KEYS[stype])
            sid = sub.str("id", f"{stype}_{i + 1}")
            if not NAME.match(sid) or sid in seen_ids:
                sub.problem(
                    "id", f"{sid!r} must be a new name: a letter, then letters, digits, _ -"
                )
            seen_ids.add(sid)
            stage: dict[str, Any] = {
                "type": stype,
                "id": sid,
                "title": sub.str("title", TITLES[stype]),
                "prompt": sub.str("prompt", ""),
                "instructions": sub.str("instructions", ""),
            }
            if stype != "name_generator" and not any(
                s["type"] == "name_generator" for s in self.stages
            ):
                sub.problem("type", f"{stype} comes before any name_generator stage")
            if stype == "name_generator":
                stage["min_alters"] = sub.number("min_alters", 0, integer=True, minimum=0)
                stage["max_alters"] = sub.number("max_alters", None, integer=True, minimum=1)
                if stage["max_alters"] and stage["max_alters"] < stage["min_alters"]:
                    sub.problem("max_alters", "is less than min_alters")
                roster = sub.raw.get("roster")
                stage["roster"] = [
                    str(r.get("name") if isinstance(r, Mapping) else r).strip()
                    for r in (roster if isinstance(roster, list) else [])
                ]
                if roster is not None and sub.has("roster_field"):
                    sub.problem("roster", "use roster or roster_field, not both")
                stage["roster_field"] = sub.str("roster_field", None)
                sets = sub.raw.get("sets") or {}
                if not isinstance(sets, Mapping):
                    sub.problem("sets", "must map attribute names to plain values")
                    sets = {}
                stage["sets"] = dict(sets)
                stage["placeholder"] = sub.str("placeholder", "Type a name, then press Enter")
            elif stype == "name_interpreter":
                required = sub.bool("required", False)
                stage["questions"] = []
                for _j, q in sub.entries("questions", "a mapping with name and type"):
                    q.warn_unknown(QUESTION_KEYS)
                    name = q.str("name", "", required=True)
                    if name and (not NAME.match(name) or name in question_names):
                        q.problem("name", f"{name!r} must be a new name (letters, digits, _ -)")
                    question_names.add(name)
                    qtype = q.str("type", "radio", choices=QUESTION_TYPES)
                    entry = {
                        "name": name,
                        "type": qtype,
                        "description": q.str("description", name),
                        "required": q.bool("required", required),
                    }
                    if qtype in ("radio", "multiselect"):
                        entry["labels"] = _labels(q.raw.get("labels"), q, "labels")
                        entry["texts"] = _label_texts(q.raw.get("labels"))
                    if qtype == "number":
                        entry["min"] = q.number("min", None)
                        entry["max"] = q.number("max", None)
                        entry["step"] = q.number("step", None)
                    stage["questions"].append(entry)
                if not stage["questions"]:
                    sub.problem("questions", "must be a non-empty list")
            else:
                stage["relation"] = sub.str("relation", None)
                if stage["relation"] and not NAME.match(stage["relation"]):
                    sub.problem("relation", "must be a plain name (letters, digits, _ -)")
            if stype == "dyad_census":
                stage["yes_label"] = sub.str("yes_label", "Yes")
                stage["no_label"] = sub.str("no_label", "No")
                stage["strength_labels"] = (
                    _labels(sub.raw["strength_labels"], sub, "strength_labels")
                    if sub.raw.get("strength_labels") is not None
                    else []
                )
                stage["strength_texts"] = _label_texts(sub.raw.get("strength_labels"))
                stage["strength_variable"] = sub.str("strength_variable", "strength")
            if stype == "sociogram":
                stage["allow_ties"] = sub.bool("allow_ties", True)
                stage["rings"] = sub.number("rings", 3, integer=True, minimum=0, maximum=6)
            self.stages.append(stage)
        if not self.stages and not reader.problems:
            reader.problem("stages", "must be a non-empty list of stages")
        self.labels = [Label(self.name)]
        self.labels_configured = False

    # -- helpers ------------------------------------------------------------------------
    def of_type(self, stype: str) -> list[dict[str, Any]]:
        return [s for s in self.stages if s["type"] == stype]

    @property
    def questions(self) -> dict[str, dict[str, Any]]:
        return {q["name"]: q for s in self.of_type("name_interpreter") for q in s["questions"]}

    @property
    def relations(self) -> set[str | None]:
        return {s.get("relation") for s in self.stages if s["type"] in ("dyad_census", "sociogram")}

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        """The stages with each `roster_field` read from the item."""
        if not any(s.get("roster_field") for s in self.stages):
            return self
        view = copy.copy(self)
        view.stages = [
            {**s, "roster": [str(x) for x in fields.get(s["roster_field"]) or []]}
            if s.get("roster_field")
            else s
            for s in self.stages
        ]
        return view

    # -- values -------------------------------------------------------------------------
    def _pair(self, key: str, index: dict[str, int], what: str) -> tuple[str, str, str | None]:
        parts = key.split("|")
        if len(parts) not in (2, 3) or parts[0] not in index or parts[1] not in index:
            raise BadAnnotation(f"{self.name}: {what} {key!r} must be 'a|b' with two alter ids")
        rel = parts[2] if len(parts) == 3 else None
        if rel not in self.relations:
            raise BadAnnotation(f"{self.name}: {what} {key!r}: unknown relation {rel!r}")
        if parts[0] == parts[1]:
            raise BadAnnotation(f"{self.name}: {what} {key!r} joins an alter to itself")
        return parts[0], parts[1], rel

    def _answer_value(self, q: dict[str, Any], value: Any, who: str) -> Any:
        where = f"{self.name}: {q['name']!r} for {who}"
        if value is None or value == "" or value == []:
            return None
        if q["type"] == "radio":
            if value not in q["labels"]:
                raise BadAnnotation(f"{where}: {value!r} is not one of {', '.join(q['labels'])}")
        elif q["type"] == "multiselect":
            if not isinstance(value, list) or any(v not in q["labels"] for v in value):
                raise BadAnnotation(f"{where}: must be a list of {', '.join(q['labels'])}")
        elif q["type"] == "number":
            if isinstance(value, str):
                try:
                    value = float(value)
                except ValueError:
                    raise BadAnnotation(f"{where}: {value!r} is not a number") from None
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise BadAnnotation(f"{where}: must be a number")
            if (q.get("min") is not None and value < q["min"]) or (
                q.get("max") is not None and value > q["max"]
            ):
                raise BadAnnotation(f"{where}: {value:g} is outside {q.get('min')}..{q.get('max')}")
            value = int(value) if float(value).is_integer() else value
        elif not isinstance(value, str) or len(value) > MAX_TEXT:
            raise BadAnnotation(f"{where}: must be text of at most {MAX_TEXT} characters")
        return value

    def parse_network(self, raw: Any) -> dict[str, Any]:
        data = json_payload(self.name, raw, "network")
        alters_raw = data.get("alters")
        if not isinstance(alters_raw, list):
            raise BadAnnotation(f"{self.name}: 'alters' must be a list of {{id, name}}")
        if len(alters_raw) > MAX_ALTERS:
            raise BadAnnotation(f"{self.name}: at most {MAX_ALTERS} people")
        generators = {s["id"]: s for s in self.of_type("name_generator")}
        alters, index = [], {}
        for i, a in enumerate(alters_raw):
            if not isinstance(a, Mapping) or not isinstance(a.get("id"), str) or not a["id"]:
                raise BadAnnotation(f"{self.name}: person {i + 1} needs an id")
            name = a.get("name")
            if not isinstance(name, str) or not name.strip() or len(name) > 200:
                raise BadAnnotation(f"{self.name}: person {i + 1} needs a name")
            if a["id"] in index:
                raise BadAnnotation(f"{self.name}: id {a['id']!r} is used twice")
            named_in = a.get("named_in") or []
            unknown = [s for s in named_in if s not in generators]
            if not isinstance(named_in, list) or unknown:
                raise BadAnnotation(
                    f"{self.name}: {name!r} is named in {unknown[0] if unknown else named_in!r}, "
                    f"not a name_generator stage ({', '.join(generators)})"
                )
            for sid in named_in:
                roster = generators[sid]["roster"]
                if roster and name.strip() not in roster:
                    raise BadAnnotation(f"{self.name}: {name!r} is not on the roster of {sid!r}")
            index[a["id"]] = i
            alters.append({"id": a["id"], "name": name.strip(), "named_in": list(named_in)})
        for sid, stage in generators.items():
            n = sum(1 for a in alters if sid in a["named_in"])
            if stage["max_alters"] and n > stage["max_alters"]:
                raise BadAnnotation(
                    f"{self.name}: {stage['title']}: {n} people; at most {stage['max_alters']}"
                )
        names = {a["id"]: a["name"] for a in alters}
        questions = self.questions
        attributes: dict[str, dict[str, Any]] = {}
        for aid, answers in (data.get("attributes") or {}).items():
            if aid not in index or not isinstance(answers, Mapping):
                raise BadAnnotation(f"{self.name}: attributes for unknown person {aid!r}")
            clean = {}
            for qname, value in answers.items():
                if qname not in questions:
                    sets = {k for s in generators.values() for k in s["sets"]}
                    if qname in sets:
                        clean[qname] = value
                        continue
                    raise BadAnnotation(f"{self.name}: unknown question {qname!r}")
                v = self._answer_value(questions[qname], value, repr(names[aid]))
                if v is not None:
                    clean[qname] = v
            if clean:
                attributes[aid] = clean
        census: dict[str, bool] = {}
        for key, value in (data.get("census") or {}).items():
            self._pair(key, index, "census pair")
            if not isinstance(value, bool):
                raise BadAnnotation(f"{self.name}: census {key!r} must be true or false")
            census[key] = value
        ties, seen = [], set()
        for t in data.get("ties") or []:
            if not isinstance(t, list) or len(t) not in (2, 3):
                raise BadAnnotation(f"{self.name}: a tie is [a, b] or [a, b, relation]")
            a, b, rel = self._pair("|".join(str(x) for x in t), index, "tie")
            key = (frozenset((a, b)), rel)
            if key in seen:
                continue
            seen.add(key)
            first, second = sorted((a, b), key=index.__getitem__)
            pair = f"{first}|{second}" + (f"|{rel}" if rel else "")
            if census.get(pair) is False:
                raise BadAnnotation(
                    f"{self.name}: {names[a]!r} and {names[b]!r} are tied, but the census "
                    "says they do not know each other"
                )
            ties.append([first, second] + ([rel] if rel else []))
        positions = {}
        for aid, xy in (data.get("positions") or {}).items():
            ok = isinstance(xy, list) and len(xy) == 2
            if (
                aid not in index
                or not ok
                or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in xy)
            ):
                raise BadAnnotation(f"{self.name}: position of {aid!r} must be [x, y] in 0..1")
            positions[aid] = [float(xy[0]), float(xy[1])]
        strength = {
            s["strength_variable"]: s["strength_labels"]
            for s in self.of_type("dyad_census")
            if s["strength_labels"]
        }
        tie_attributes = {}
        for key, values in (data.get("tie_attributes") or {}).items():
            self._pair(key, index, "tie attribute pair")
            if not isinstance(values, Mapping):
                raise BadAnnotation(f"{self.name}: tie attributes of {key!r} must be a mapping")
            for var, v in values.items():
                if var not in strength or v not in strength[var]:
                    raise BadAnnotation(
                        f"{self.name}: tie attribute {var!r}={v!r} of {key!r} is not one of the "
                        "strength_labels"
                    )
            tie_attributes[key] = dict(values)
        return {
            "alters": alters,
            "attributes": attributes,
            "ties": ties,
            "positions": positions,
            "census": census,
            "tie_attributes": tie_attributes,
        }

    document_noun = "network"

    def parse_document(self, raw: Any) -> dict[str, Any]:
        return self.parse_network(raw)

    def is_blank(self, data: Mapping[str, Any]) -> bool:
        return not data["alters"]

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """People named in a stage with a `roster_field` must be on that item's roster."""
        net = self.answer(label_map)
        if not net:
            return
        for stage in self.for_page(fields, "", "", None).stages:
            if not stage.get("roster_field"):
                continue
            for a in net["alters"]:
                if stage["id"] in a["named_in"] and a["name"] not in stage["roster"]:
                    raise BadAnnotation(
                        f"{self.name}: {a['name']!r} is not on the roster of {stage['id']!r}"
                    )

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        net = self.answer(label_map or {}) or {"alters": [], "attributes": {}, "census": {}}
        alters = net["alters"]
        if label_map or self.required:
            for s in self.of_type("name_generator"):
                n = sum(1 for a in alters if s["id"] in a["named_in"])
                if n < s["min_alters"]:
                    return f"{s['title']}: name at least {s['min_alters']} people ({n} so far)"
            for q in self.questions.values():
                if not q["required"]:
                    continue
                left = [
                    a["name"]
                    for a in alters
                    if (net["attributes"].get(a["id"]) or {}).get(q["name"]) in (None, "", [])
                ]
                if left:
                    return f"{q['description']!r} is not answered for {', '.join(left)}"
            for s in self.of_type("dyad_census"):
                suffix = f"|{s['relation']}" if s.get("relation") else ""
                total = len(alters) * (len(alters) - 1) // 2
                done = sum(
                    1
                    for i, a in enumerate(alters)
                    for b in alters[i + 1 :]
                    if f"{a['id']}|{b['id']}{suffix}" in net["census"]
                )
                if done < total:
                    return f"{s['title']}: {done} of {total} pairs answered"
        return super().missing_requirement(label_map)

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        return []

    def measures(self, label_map: Mapping[str, str]) -> dict[str, Any]:
        net = self.answer(label_map) or {"alters": [], "ties": []}
        return network_measures(
            [a["id"] for a in net["alters"]], [tuple(t[:2]) for t in net["ties"]]
        )

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        ms = [self.measures(m) for m in label_maps]
        dens = [m["density"] for m in ms if m["density"] is not None]
        return {
            "networks": len(ms),
            "mean_size": round(sum(m["alters"] for m in ms) / len(ms), 2) if ms else None,
            "mean_density": round(sum(dens) / len(dens), 3) if dens else None,
            "connected_pairs": sum(m["connected_pairs"] for m in ms),
            "unconnected_pairs": sum(m["unconnected_pairs"] for m in ms),
        }

    def analysis(self, answers: Any) -> dict[str, Any]:
        rows = []
        for _fields, item_id, label_map in answers:
            m = self.measures(label_map)
            rows.append(
                [
                    f"{item_id} #{len(rows) + 1}",
                    m["alters"],
                    m["ties"],
                    None if m["density"] is None else round(m["density"], 3),
                    m["connected_pairs"],
                    m["unconnected_pairs"],
                    m["isolates"],
                    m["components"],
                ]
            )
        if not rows:
            return {"attributes": {}, "note": "no submitted networks yet", "choices": 0}
        cols = [
            "network",
            "alters",
            "ties",
            "density",
            "connected pairs",
            "unconnected pairs",
            "isolates",
            "components",
        ]
        return {
            "attributes": {},
            "tables": [
                {
                    "caption": f"{len(rows)} networks",
                    "testid": "networks",
                    "columns": cols,
                    "rows": rows[:MAX_NETWORKS_SHOWN],
                }
            ],
        }
