"""`annotation_type: triad_test` — the items of a domain shown three at a time; the annotator
picks the one most different from the other two (Weller & Romney 1988, ch. 5). The domain is
`labels` or the list in the item's `items_field`; which triads are asked is a design made from
the domain: `complete` (every triad), `steiner` (a balanced incomplete block design with
lambda = 1, a Steiner triple system: every pair in exactly one triad; n = 1 or 3 mod 6),
`sample` (`max_triads` triads, pair counts kept even) or `auto`; seeded by the scheme's name
and the domain, so every annotator answers the same triads, in an order and positions
shuffled per annotator and item.

Sent as Potato does, one JSON value `"schema:schema"`: `{"design": "steiner", "triads":
[["apple", "pear", "lime", "lime"], ...]}`, each triad its three items as shown, then the
odd one (or null). The questions page and `analysis_csv` export show the aggregate
dissimilarity matrix: for each pair, the share of the triads showing both in which one of
them was chosen as the odd one (1 - times judged alike / times shown together)."""

from __future__ import annotations

import copy
import itertools
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..config.reader import ConfigReader, hint
from ..errors import BadAnnotation
from .base import Label, json_payload
from .json_document import JsonDocumentScheme
from .registry import register

DESIGNS = ("auto", "complete", "steiner", "sample")
COMPLETE_MAX = 20  # `auto` asks every triad while there are at most this many (n <= 6)
MAX_DOMAIN = 60
DEFAULT_QUESTION = "Which is most different?"
Triad = tuple[int, int, int]


def domain_items(raw: Any) -> list[str]:
    """Item names from a list of strings or {name: ...} mappings, repeats dropped."""
    out: list[str] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, Mapping):
            entry = entry.get("name", entry.get("text"))
        if entry is None:
            continue
        text = str(entry).strip()
        if text and text not in out:
            out.append(text)
    return out


def steiner_exists(n: int) -> bool:
    return n >= 3 and n % 6 in (1, 3)


def steiner_design(n: int, rng: random.Random) -> list[Triad]:
    """A Steiner triple system on range(n), found by Stinson's hill-climbing (Stinson 1985,
    "Hill-climbing algorithms for the construction of combinatorial designs"): while some
    point misses a pair, join it with two points it lacks; if those two already share a
    triad, that triad is replaced. Seeded, so the same seed gives the same design."""
    if not steiner_exists(n):
        raise ValueError(f"no Steiner triple system on {n} items (n must be 1 or 3 mod 6)")
    other: dict[tuple[int, int], int] = {}  # covered pair (a < b) -> the third point
    live = {x: set(range(n)) - {x} for x in range(n)}  # points x still lacks a pair with
    target = n * (n - 1) // 6
    blocks = 0
    while blocks < target:
        x = rng.choice([p for p in range(n) if live[p]])
        y, z = rng.sample(sorted(live[x]), 2)
        pair = (min(y, z), max(y, z))
        if pair in other:
            w = other[pair]  # drop triad {y, z, w}
            for a, b in ((y, w), (z, w), (y, z)):
                del other[(min(a, b), max(a, b))]
                live[a].add(b)
                live[b].add(a)
            blocks -= 1
        for a, b, c in ((x, y, z), (x, z, y), (y, z, x)):
            other[(min(a, b), max(a, b))] = c
            live[a].discard(b)
            live[b].discard(a)
        blocks += 1
    return sorted({tuple(sorted((a, b, c))) for (a, b), c in other.items()})


def sample_design(n: int, size: int | None, rng: random.Random) -> list[Triad]:
    """`size` triads chosen greedily so every pair is shown about equally often (each step
    the unused triad whose pairs were shown least, then whose items were, ties by the seeded
    order); without `size`, until every pair was shown once."""
    candidates = list(itertools.combinations(range(n), 3))
    rng.shuffle(candidates)
    pair = [[0] * n for _ in range(n)]
    seen = [0] * n
    chosen: list[Triad] = []
    uncovered = n * (n - 1) // 2
    limit = len(candidates) if size is None else min(size, len(candidates))
    used: set[int] = set()
    while len(chosen) < limit and (size is not None or uncovered):

        def score(i: int) -> tuple[int, int, int]:
            a, b, c = candidates[i]
            p = (pair[a][b], pair[a][c], pair[b][c])
            return (max(p), sum(p), seen[a] + seen[b] + seen[c])

        best = min((i for i in range(len(candidates)) if i not in used), key=score)
        used.add(best)
        a, b, c = candidates[best]
        for x, y in ((a, b), (a, c), (b, c)):
            uncovered -= pair[x][y] == 0
            pair[x][y] += 1
            pair[y][x] += 1
        for x in (a, b, c):
            seen[x] += 1
        chosen.append(tuple(sorted((a, b, c))))
    return sorted(chosen)


def resolve_design(n: int, design: str, max_triads: int | None) -> str:
    if design == "steiner" and not steiner_exists(n):
        return "sample"
    if design != "auto":
        return design
    total = math.comb(n, 3)
    if total <= COMPLETE_MAX and (max_triads is None or total <= max_triads):
        return "complete"
    if steiner_exists(n) and (max_triads is None or n * (n - 1) // 6 <= max_triads):
        return "steiner"
    return "sample"


def build_design(
    domain: Sequence[str], seed: str, design: str = "auto", max_triads: int | None = None
) -> tuple[str, list[Triad]]:
    """(design used, triads as sorted index triples into `domain`)."""
    n = len(domain)
    kind = resolve_design(n, design, max_triads)
    rng = random.Random(f"triad-design\0{seed}\0" + "\0".join(domain))
    if kind == "complete":
        return kind, list(itertools.combinations(range(n), 3))
    if kind == "steiner":
        return kind, steiner_design(n, rng)
    return kind, sample_design(n, max_triads, rng)


def dissimilarity(answers: Sequence[Sequence[Any]], items: Sequence[str]) -> dict[str, Any]:
    """From answered triads [a, b, c, odd]: per pair, times shown together, times judged
    alike (both in the triad, neither the odd one), and dissimilarity = 1 - alike / shown
    (None when never shown together)."""
    index = {x: i for i, x in enumerate(items)}
    n = len(items)
    shown = [[0] * n for _ in range(n)]
    alike = [[0] * n for _ in range(n)]
    for a, b, c, odd in answers:
        if odd is None:
            continue
        for x, y in ((a, b), (a, c), (b, c)):
            i, j = index[x], index[y]
            shown[i][j] += 1
            shown[j][i] += 1
            if odd not in (x, y):
                alike[i][j] += 1
                alike[j][i] += 1
    matrix = [
        [
            0.0 if i == j else (None if not shown[i][j] else 1 - alike[i][j] / shown[i][j])
            for j in range(n)
        ]
        for i in range(n)
    ]
    return {"items": list(items), "shown": shown, "alike": alike, "dissimilarity": matrix}


@register("triad_test")
class TriadTest(JsonDocumentScheme):
    macro = "schemes/triad_test.html"
    script = "js/triad-test.js"
    stylesheet = "css/fieldwork.css"
    option_keys = ("labels", "items_field", "design", "max_triads", "question", "instructions")
    summarizes_answers = True
    analysis_title = "Dissimilarity matrix (share of triads judging the pair different)"
    agreement_skip_reason = "triad tests are analysed by the aggregate dissimilarity matrix"
    plan: list[list[Any]] = []
    design_used = ""

    def parse_options(self, reader: ConfigReader) -> None:
        self.domain: list[str] | None = None
        raw = reader.raw.get("labels")
        if raw is not None and reader.has("items_field"):
            reader.problem("labels", "give the domain as labels or as items_field, not both")
        if raw is not None:
            self.domain = domain_items(raw)
            if len(self.domain) < 3:
                reader.problem("labels", "must name at least three different items")
            elif len(self.domain) > MAX_DOMAIN:
                reader.problem("labels", f"a triad test domain has at most {MAX_DOMAIN} items")
        self.items_field = reader.str("items_field", "items")
        self.design = reader.str("design", "auto", choices=DESIGNS)
        if self.design == "steiner" and self.domain and not steiner_exists(len(self.domain)):
            reader.problem(
                "design",
                "steiner needs a number of items that is 1 or 3 mod 6 (7, 9, 13, 15, ...); "
                f"there are {len(self.domain)}. Use auto or sample",
            )
        self.max_triads = reader.number("max_triads", None, integer=True, minimum=1)
        self.question = reader.str("question", DEFAULT_QUESTION)
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        # `labels` here is the domain, not choices: the stored map has one key, the scheme
        self.labels = [Label(self.name)]
        self.labels_configured = False

    # -- the design ---------------------------------------------------------------------
    def domain_for(self, fields: Mapping[str, Any]) -> list[str]:
        if self.domain is not None:
            return self.domain
        return domain_items(fields.get(self.items_field))[:MAX_DOMAIN]

    def design_for(self, fields: Mapping[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
        domain = self.domain_for(fields)
        if len(domain) < 3:
            return "", []
        kind, triads = build_design(domain, self.name, self.design, self.max_triads)
        return kind, [(domain[a], domain[b], domain[c]) for a, b, c in triads]

    def for_page(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any):
        view = copy.copy(self)
        view.design_used, triads = self.design_for(fields)
        rng = random.Random(f"{annotator}\0{item_id}\0{self.name}")
        order = list(triads)
        rng.shuffle(order)
        view.plan = [rng.sample(list(t), 3) for t in order]
        return view

    def shown(self, value: Mapping[str, str]) -> list[dict[str, Any]]:
        """The triads for the page: the stored ones as they were shown (so the record says
        what this annotator saw), else this page's plan."""
        stored = (self.answer(value) or {}).get("triads")
        triads = stored or [[*t, None] for t in self.plan]
        return [{"items": t[:3], "odd": t[3]} for t in triads]

    # -- values -------------------------------------------------------------------------
    def parse_triads(self, raw: Any) -> dict[str, Any]:
        data = json_payload(self.name, raw, "triads")
        triads = data.get("triads")
        if not isinstance(triads, list):
            raise BadAnnotation(f"{self.name}: 'triads' must be a list of [a, b, c, odd]")
        out = []
        seen: set[frozenset[str]] = set()
        for i, t in enumerate(triads):
            if not isinstance(t, list) or len(t) != 4:
                raise BadAnnotation(f"{self.name}: triad {i + 1} must be [a, b, c, odd]")
            items, odd = t[:3], t[3]
            if not all(isinstance(x, str) and x.strip() for x in items) or len(set(items)) != 3:
                raise BadAnnotation(f"{self.name}: triad {i + 1} must name three different items")
            if odd is not None and odd not in items:
                raise BadAnnotation(
                    f"{self.name}: triad {i + 1}: the odd one {odd!r} is not one of "
                    f"{', '.join(items)}"
                )
            if self.domain is not None:
                unknown = [x for x in items if x not in self.domain]
                if unknown:
                    raise BadAnnotation(
                        f"{self.name}: triad {i + 1}: {unknown[0]!r} is not an item of the "
                        f"domain{hint(unknown[0], self.domain)}"
                    )
            key = frozenset(items)
            if key in seen:
                raise BadAnnotation(f"{self.name}: triad {i + 1} ({', '.join(items)}) is repeated")
            seen.add(key)
            out.append([*items, odd])
        design = data.get("design") or self.design
        if design not in DESIGNS:
            raise BadAnnotation(
                f"{self.name}: design {design!r} is not one of {', '.join(DESIGNS)}"
            )
        return {"design": design, "triads": out}

    document_noun = "triads"

    def parse_document(self, raw: Any) -> dict[str, Any]:
        return self.parse_triads(raw)

    def is_blank(self, data: Mapping[str, Any]) -> bool:
        return not data["triads"]

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        """Every triad sent must be one of the item's design."""
        value = self.answer(label_map)
        if not value:
            return
        _kind, triads = self.design_for(fields)
        design = {frozenset(t) for t in triads}
        for i, t in enumerate(value["triads"]):
            if frozenset(t[:3]) not in design:
                raise BadAnnotation(
                    f"{self.name}: triad {i + 1} ({', '.join(t[:3])}) is not a triad of this "
                    "item's design"
                )

    def missing_requirement(self, label_map: Mapping[str, str] | None) -> str | None:
        if self.required and label_map:
            triads = (self.answer(label_map) or {}).get("triads") or []
            left = sum(1 for t in triads if t[3] is None)
            if left:
                return f"{left} of {len(triads)} triads are not answered yet"
        return super().missing_requirement(label_map)

    def table_keys(self) -> list[str]:
        return [self.name]

    def chosen_labels(self, label_map: Mapping[str, str]) -> list[Any]:
        triads = (self.answer(label_map) or {}).get("triads") or []
        return [t[3] for t in triads if t[3] is not None]

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        triads = [t for m in label_maps for t in (self.answer(m) or {}).get("triads") or []]
        return {
            "answers": len(label_maps),
            "triads_answered": sum(1 for t in triads if t[3] is not None),
            "triads_open": sum(1 for t in triads if t[3] is None),
        }

    def analysis(self, answers: Any) -> dict[str, Any]:
        triads: list[list[Any]] = []
        items: list[str] = list(self.domain or [])
        for _fields, _item_id, label_map in answers:
            for t in (self.answer(label_map) or {}).get("triads") or []:
                triads.append(t)
                items += [x for x in t[:3] if x not in items]
        answered = [t for t in triads if t[3] is not None]
        if not answered:
            return {"attributes": {}, "note": "no answered triads yet", "choices": 0}
        m = dissimilarity(answered, items)
        rows = [
            [a, *(None if d is None else round(d, 3) for d in m["dissimilarity"][i])]
            for i, a in enumerate(items)
        ]
        return {
            "attributes": {},
            "tables": [
                {
                    "caption": f"{len(answered)} answered triads; — = never shown together",
                    "testid": "dissimilarity",
                    "columns": ["", *items],
                    "rows": rows,
                }
            ],
        }
