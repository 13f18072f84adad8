"""`annotation_type: listening_test` — subjective audio quality tests with blinded,
per-annotator randomised stimuli: MUSHRA (ITU-R BS.1534-3), BS.1116 (ITU-R BS.1116-3),
ACR / DCR / CCR (ITU-T P.800), ABX, and P.835 (signal, background, overall).

The page sees slot names (`s1`, `A`, `X`, ...) and opaque audio URLs
(`/api/listening/audio/<schema>/<item>/<slot>`), never a condition or a file name; the
item's stimulus, reference and condition fields are kept off the page and out of
`/api/current_instance` (`private_fields`). The answer is Potato's JSON record, sent as
`"<schema>:<schema>"`:

* mushra / bs1116: `{"ratings": {"s1": 84, ...}, "played": [...]}`
* acr / dcr / ccr: `{"rating": <category index, best = 0>, "played": [...]}`
* p835: `{"sig": i, "bak": i, "ovrl": i, "played": [...]}`
* abx: `{"choice": "A" | "B", "played": [...]}`

Exports (`listening_ratings`) and the dashboard map slots back to conditions with the same
seeded plan (schemes/listening_plan.py) and compute the statistics in
quality/listening_stats.py.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from ..quality import listening_stats as stats
from . import listening_plan as lp
from .record import RecordScheme
from .registry import register

SCALE_LABEL_METHODS = ("acr", "dcr", "ccr")
MAX_PLAYED = 1000


@register("listening_test")
class ListeningTest(RecordScheme):
    macro = "schemes/listening_test.html"
    script = "js/listening-test.js"
    stylesheet = "css/listening-test.css"
    agreement_metric: ClassVar[str | None] = None
    agreement_skip_reason = "listening tests are summarised per condition (MOS with 95% CIs)"
    analysis_title: ClassVar[str | None] = "Scores per condition (unblinded)"
    analysis_by_annotator: ClassVar[bool] = True
    blinded_stimuli: ClassVar[bool] = True
    option_keys = (
        "method",
        "stimuli_field",
        "reference_field",
        "condition_field",
        "hidden_reference",
        "anchors",
        "loop",
        "require_full_playback",
        "require_all_played",
        "require_one_at_100",
        "allow_replay",
        "scale_labels",
        "instructions",
    )
    # per page (for_page)
    item_id = ""
    slots: tuple[str, ...] = ()
    has_reference = False
    item_problems: tuple[str, ...] = ()
    p835_scales: ClassVar[dict[str, list[str]]] = {k: lp.SCALES[k] for k in lp.P835_SCALES}

    def parse_options(self, reader: ConfigReader) -> None:
        self.method = reader.str("method", "mushra", choices=lp.METHODS)
        self.stimuli_field = reader.str("stimuli_field", "stimuli")
        self.reference_field = reader.str("reference_field", "reference")
        self.condition_field = reader.str("condition_field", "condition")
        self.hidden_reference = reader.bool("hidden_reference", True)
        self.anchors: list[int] = []
        raw = reader.raw.get("anchors")
        if raw is not None:
            if self.method != "mushra":
                reader.problem("anchors", "applies to method: mushra only")
            elif (
                not isinstance(raw, list)
                or not raw
                or not all(
                    isinstance(a, int) and not isinstance(a, bool) and 500 <= a <= 20000
                    for a in raw
                )
            ):
                reader.problem(
                    "anchors",
                    "must be a list of low-pass cut-offs in Hz (500 to 20000), "
                    "such as [3500, 7000]",
                )
            else:
                self.anchors = sorted(set(raw))
        m = self.method
        self.loop = reader.bool("loop", m in ("mushra", "bs1116"))
        self.require_full_playback = reader.bool(
            "require_full_playback", m in ("acr", "dcr", "ccr", "p835", "abx")
        )
        self.require_all_played = reader.bool("require_all_played", True)
        self.require_one_at_100 = reader.bool("require_one_at_100", m == "mushra")
        self.allow_replay = reader.bool("allow_replay", True)
        self.instructions = reader.str("instructions", "", allow_empty=True) or ""
        self.scale = list(lp.SCALES.get(m, []))
        if reader.has("scale_labels"):
            labels = reader.raw.get("scale_labels")
            if m not in SCALE_LABEL_METHODS:
                reader.problem("scale_labels", "applies to acr, dcr and ccr only")
            elif (
                not isinstance(labels, list)
                or len(labels) != len(self.scale)
                or not all(isinstance(x, str) and x.strip() for x in labels)
            ):
                reader.problem(
                    "scale_labels", f"must be {len(self.scale)} non-empty strings, best first"
                )
            else:
                self.scale = list(labels)

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "method": self.method,
            "stimuli_field": self.stimuli_field,
            "reference_field": self.reference_field,
            "condition_field": self.condition_field,
            "hidden_reference": self.hidden_reference,
            "anchors": self.anchors,
        }

    def private_fields(self) -> tuple[str, ...]:
        """Item fields the page must not see: they name the files and conditions."""
        return (self.stimuli_field, self.reference_field, self.condition_field)

    def plan(self, fields: Mapping[str, Any], annotator: str, item_id: str, seed: Any = None):
        return lp.build_plan(self.settings, fields, annotator, item_id, seed)

    def slot_source(self, plan: Mapping[str, Any], slot: str) -> Any:
        """The file (or anchor recipe) behind a slot of a plan; None for no such slot."""
        return lp.slot_source(plan, slot)

    # -- page -------------------------------------------------------------------------------
    def for_page(self, fields, annotator, item_id, seed) -> ListeningTest:
        view = copy.copy(self)
        plan = self.plan(fields, annotator, item_id, seed)
        view.item_id = item_id
        view.slots = tuple(s["slot"] for s in plan["slots"] if s["source"])
        view.has_reference = bool(plan.get("reference"))
        view.item_problems = tuple(lp.item_problems(self.settings, fields))
        return view

    def client_view(self, slot_url) -> dict[str, Any]:
        """What the page may know (Potato's /api/listening/plan): slots and opaque URLs."""
        view: dict[str, Any] = {
            "method": self.method,
            "reference": slot_url("ref") if self.has_reference else None,
            "slots": [{"slot": s, "url": slot_url(s)} for s in self.slots],
            "loop": self.loop,
            "require_full_playback": self.require_full_playback,
            "require_all_played": self.require_all_played,
            "require_one_at_100": self.require_one_at_100,
            "allow_replay": self.allow_replay,
        }
        if self.method == "p835":
            view["scales"] = self.p835_scales
        else:
            view["scale"] = self.scale
        return view

    # -- values -----------------------------------------------------------------------------
    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        unknown = set(record) - {"ratings", "rating", "choice", "played", *lp.P835_SCALES}
        if unknown:
            raise BadAnnotation(f"{self.name}: unknown field {sorted(unknown)[0]!r}")
        out: dict[str, Any] = {}
        m = self.method
        if m in ("mushra", "bs1116"):
            ratings = record.get("ratings") or {}
            if not isinstance(ratings, Mapping):
                raise BadAnnotation(f"{self.name}: 'ratings' must map slots to scores")
            low, high = (0, 100) if m == "mushra" else (1.0, 5.0)
            clean = {}
            for slot, score in ratings.items():
                if isinstance(score, bool) or not isinstance(score, (int, float)):
                    raise BadAnnotation(f"{self.name}: the score of {slot!r} must be a number")
                if not low <= score <= high:
                    raise BadAnnotation(
                        f"{self.name}: the score of {slot!r} must be {low:g} to {high:g}, "
                        f"got {score}"
                    )
                clean[str(slot)] = round(float(score), 1) if m == "bs1116" else score
            if not clean:
                return None
            out["ratings"] = clean
        elif m in ("acr", "dcr", "ccr"):
            if record.get("rating") is None:
                return None
            out["rating"] = self._category(record["rating"], len(self.scale), "rating")
        elif m == "p835":
            for key in lp.P835_SCALES:
                if record.get(key) is not None:
                    out[key] = self._category(record[key], 5, key)
            if not out:
                return None
        elif m == "abx":
            choice = record.get("choice")
            if choice is None:
                return None
            if choice not in ("A", "B"):
                raise BadAnnotation(f"{self.name}: 'choice' must be 'A' or 'B', got {choice!r}")
            out["choice"] = choice
        played = record.get("played") or []
        if not isinstance(played, list) or len(played) > MAX_PLAYED:
            raise BadAnnotation(f"{self.name}: 'played' must be a list of slot names")
        if not all(isinstance(p, str) and len(p) <= 20 for p in played):
            raise BadAnnotation(f"{self.name}: 'played' must be a list of slot names")
        out["played"] = list(dict.fromkeys(played))
        return out

    def _category(self, value: Any, size: int, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
            raise BadAnnotation(
                f"{self.name}: {key!r} must be a category index 0..{size - 1} (best = 0), "
                f"got {value!r}"
            )
        return value

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        record = self.answer(label_map)
        if not record:
            return
        slots = lp.slot_names(self.settings, fields)
        known = {*slots, "ref"}
        for slot in [*(record.get("ratings") or {}), *record.get("played", [])]:
            if slot not in known:
                raise BadAnnotation(
                    f"{self.name}: {slot!r} is not a slot of this trial; slots: {', '.join(slots)}"
                )
        ratings = record.get("ratings") or {}
        if (
            self.method == "mushra"
            and self.require_one_at_100
            and set(ratings) >= set(slots)
            and not any(score == 100 for score in ratings.values())
        ):
            raise BadAnnotation(f"{self.name}: rate at least one sample 100 (the reference)")

    # -- results ----------------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        return {"method": self.method, "answers": sum(1 for m in label_maps if m)}

    def scored_rows(self, answers: Iterable[tuple], seed: Any = None) -> Iterable[dict]:
        """Unblinded rows {user, item, schema, method, slot, condition, scale, score} from
        (item fields, item id, stored map, annotator) answers."""
        for fields, item_id, label_map, user in answers:
            record = self.answer(label_map)
            if not record:
                continue
            plan = self.plan(fields, user, item_id, seed)
            for row in stats.scores(self.method, record, plan):
                yield {
                    "user": user,
                    "item": item_id,
                    "schema": self.name,
                    "method": self.method,
                    **row,
                }

    def analysis(self, answers: Any, seed: Any = None) -> dict[str, Any]:
        rows = list(self.scored_rows(answers, seed))
        out: dict[str, Any] = {"choices": len({(r["user"], r["item"]) for r in rows})}
        out["attributes"] = {}
        if not rows:
            out["note"] = "no ratings yet"
            return out
        tables = []
        excluded: set[str] = set()
        if self.method == "mushra":
            mid = f"{lp.ANCHOR_PREFIX}{self.anchors[-1]}" if self.anchors else None
            screened = stats.screening(rows, mid)
            excluded = {u for u, s in screened.items() if s["excluded"]}
            tables.append(
                {
                    "caption": "BS.1534-3 post-screening",
                    "columns": [
                        "assessor",
                        "items",
                        "hidden_reference_below_90",
                        "mid_anchor_above_90",
                        "excluded",
                        "reason",
                    ],
                    "rows": [{"assessor": u, **s} for u, s in screened.items()],
                }
            )
        if self.method == "abx":
            tables.append(
                {
                    "caption": "ABX: proportion correct, one-sided binomial test",
                    "columns": ["assessor", "trials", "correct", "proportion", "p_one_sided"],
                    "rows": stats.abx_summary(rows),
                }
            )
        else:
            summary = stats.condition_summary(rows, excluded)
            for entry in summary:
                ci = entry["ci95"]
                entry["ci95"] = f"{ci[0]:g} to {ci[1]:g}" if ci else "—"
            caption = "Mean score per condition, 95% CI"
            if excluded:
                caption += f" (post-screened out: {', '.join(sorted(excluded))})"
            tables.insert(
                0,
                {
                    "caption": caption,
                    "columns": ["condition", "scale", "n", "mean", "sd", "ci95"],
                    "rows": summary,
                },
            )
        out["tables"] = tables
        out["excluded"] = sorted(excluded)
        return out

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "method": self.method}
