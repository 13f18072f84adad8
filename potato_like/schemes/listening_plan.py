"""The blinded trial of a listening test for one annotator on one item.

A plan lists the slots the page shows (`s1`, `s2`, ... for MUSHRA and CCR; `A`/`B` for
BS.1116; `A`/`B`/`X` for ABX) and, on the server only, which condition and which file each
slot is. It is a pure function of the scheme, the item, the annotator and the project seed,
so the page, the audio route, the exports and the dashboard derive the same mapping without
storing it. The slot names themselves do not depend on the annotator (only the mapping does),
so an answer's slots can be checked without knowing who sent it.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from typing import Any

METHODS = ("mushra", "bs1116", "acr", "dcr", "ccr", "abx", "p835")
HIDDEN_REFERENCE = "hidden_reference"
ANCHOR_PREFIX = "anchor_lp"

# Category labels, best first, as ITU-T P.800 (ACR, DCR, CCR), P.835 and ITU-R BS.1116 /
# BS.1534 word them. A stored category answer is its index here (best = 0), as Potato sends.
SCALES: dict[str, list[str]] = {
    "acr": ["Excellent", "Good", "Fair", "Poor", "Bad"],
    "dcr": [
        "Degradation is inaudible",
        "Degradation is audible but not annoying",
        "Degradation is slightly annoying",
        "Degradation is annoying",
        "Degradation is very annoying",
    ],
    "ccr": [
        "Much better",
        "Better",
        "Slightly better",
        "About the same",
        "Slightly worse",
        "Worse",
        "Much worse",
    ],
    "sig": [
        "Not distorted",
        "Slightly distorted",
        "Somewhat distorted",
        "Fairly distorted",
        "Very distorted",
    ],
    "bak": [
        "Not noticeable",
        "Slightly noticeable",
        "Noticeable but not intrusive",
        "Somewhat intrusive",
        "Very intrusive",
    ],
    "ovrl": ["Excellent", "Good", "Fair", "Poor", "Bad"],
    "bs1116": [
        "Imperceptible",
        "Perceptible, but not annoying",
        "Slightly annoying",
        "Annoying",
        "Very annoying",
    ],
    "mushra": ["Excellent", "Good", "Fair", "Poor", "Bad"],
}
P835_SCALES = ("sig", "bak", "ovrl")
NEEDS_REFERENCE = ("mushra", "bs1116", "dcr")
MIN_STIMULI = {"mushra": 1, "bs1116": 1, "acr": 1, "dcr": 1, "p835": 1, "ccr": 2, "abx": 2}


def stimuli_of(fields: Mapping[str, Any], stimuli_field: str, condition_field: str):
    """{condition: source} of an item: a mapping, a list (of sources or of
    {id|condition, url|src|file}), or one source whose condition is `condition_field`."""
    raw = fields.get(stimuli_field)
    out: dict[str, str] = {}
    if isinstance(raw, Mapping):
        out = {str(k): str(v) for k, v in raw.items() if isinstance(v, str) and v}
    elif isinstance(raw, list):
        for i, entry in enumerate(raw):
            if isinstance(entry, Mapping):
                key = str(entry.get("id") or entry.get("condition") or f"c{i + 1}")
                src = entry.get("url") or entry.get("src") or entry.get("file")
            else:
                key, src = f"c{i + 1}", entry
            if isinstance(src, str) and src:
                out[key] = src
    elif isinstance(raw, str) and raw:
        condition = fields.get(condition_field)
        out = {str(condition) if condition not in (None, "") else "stimulus": raw}
    return out


def _shuffled(names: list[Any], seed: str) -> list[Any]:
    out = list(names)
    random.Random(int(hashlib.sha256(seed.encode()).hexdigest()[:16], 16)).shuffle(out)
    return out


def build_plan(
    settings: Mapping[str, Any],
    fields: Mapping[str, Any],
    annotator: str,
    item_id: str,
    project_seed: Any = None,
) -> dict[str, Any]:
    """{"method", "reference": source or None, "slots": [{"slot", "condition", "source"}],
    "x_is" (ABX)}. A generated anchor's source is {"anchor_hz": n, "of": reference}."""
    method = settings["method"]
    stimuli = stimuli_of(fields, settings["stimuli_field"], settings["condition_field"])
    ref = fields.get(settings["reference_field"])
    reference = ref if isinstance(ref, str) and ref else None
    seed = f"{project_seed}|{settings['name']}|{annotator}|{item_id}"
    plan: dict[str, Any] = {"method": method, "reference": None, "slots": []}
    ordered = sorted(stimuli)
    if method == "mushra":
        conditions: dict[str, Any] = dict(stimuli)
        if reference and settings["hidden_reference"]:
            conditions[HIDDEN_REFERENCE] = reference
        for hz in settings["anchors"]:
            if reference:
                conditions[f"{ANCHOR_PREFIX}{hz}"] = {"anchor_hz": hz, "of": reference}
        names = _shuffled(sorted(conditions), seed)
        plan["reference"] = reference
        plan["slots"] = [
            {"slot": f"s{i + 1}", "condition": c, "source": conditions[c]}
            for i, c in enumerate(names)
        ]
    elif method == "bs1116":
        # The open reference, then A and B: one is the hidden reference, the other the
        # condition under test (ITU-R BS.1116-3 double-blind triple-stimulus).
        pair = [(ordered[0], stimuli[ordered[0]]) if ordered else (None, None)]
        pair.append((HIDDEN_REFERENCE, reference))
        pair = _shuffled(pair, seed)
        plan["reference"] = reference
        plan["slots"] = [
            {"slot": s, "condition": c, "source": src}
            for s, (c, src) in zip(("A", "B"), pair, strict=True)
        ]
    elif method in ("acr", "p835", "dcr"):
        if ordered:
            plan["slots"] = [{"slot": "s1", "condition": ordered[0], "source": stimuli[ordered[0]]}]
        if method == "dcr":
            plan["reference"] = reference
    elif method == "ccr":
        names = _shuffled(ordered[:2], seed)
        plan["slots"] = [
            {"slot": f"s{i + 1}", "condition": c, "source": stimuli[c]} for i, c in enumerate(names)
        ]
    elif method == "abx":
        names = ordered[:2]
        slots = [
            {"slot": s, "condition": c, "source": stimuli[c]}
            for s, c in zip(("A", "B"), names, strict=False)
        ]
        x_is = _shuffled(["A", "B"], seed)[0]
        if len(slots) == 2:
            x = dict(slots[0] if x_is == "A" else slots[1], slot="X")
            slots.append(x)
        plan["slots"] = slots
        plan["x_is"] = x_is
    return plan


def slot_names(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """The slots an item's trial shows (the same for every annotator)."""
    return [s["slot"] for s in build_plan(settings, fields, "", "")["slots"] if s["source"]]


def slot_source(plan: Mapping[str, Any], slot: str) -> Any:
    if slot == "ref":
        return plan.get("reference")
    for s in plan["slots"]:
        if s["slot"] == slot:
            return s["source"]
    return None


def item_problems(settings: Mapping[str, Any], fields: Mapping[str, Any]) -> list[str]:
    """Why an item cannot make a full trial (empty: it can)."""
    method = settings["method"]
    stimuli = stimuli_of(fields, settings["stimuli_field"], settings["condition_field"])
    out = []
    if method in NEEDS_REFERENCE and not fields.get(settings["reference_field"]):
        out.append(f"no reference (field {settings['reference_field']!r})")
    if len(stimuli) < MIN_STIMULI[method]:
        out.append(f"{len(stimuli)} stimuli, {method} needs {MIN_STIMULI[method]}")
    taken = [c for c in stimuli if c == HIDDEN_REFERENCE or c.startswith(ANCHOR_PREFIX)]
    if taken:
        out.append(
            f"a stimulus is named {taken[0]!r}, a name kept for the hidden reference/anchors"
        )
    return out
