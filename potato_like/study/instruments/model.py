"""An instrument's frozen description, read from its YAML file and checked on the way in (a
broken bundled file is a bug here, so it raises rather than collecting problems)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCORE_METHODS = ("sum", "mean")


class InstrumentError(ValueError):
    """A bundled instrument file that does not describe an instrument."""


@dataclass(frozen=True)
class ScalePoint:
    label: str  # what respondents see and what is stored
    value: float  # what it counts for in scoring


@dataclass(frozen=True)
class InstrumentItem:
    id: str  # the question's name in stored answers and exports (Potato's item names)
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    label: str


@dataclass(frozen=True)
class Score:
    """One score of an instrument: a total or a subscale."""

    name: str
    items: tuple[str, ...]  # item ids
    method: str = "sum"  # sum | mean of the (reverse-keyed) item values
    multiplier: float = 1.0  # WHO-5's percentage score multiplies the raw sum by 4
    bands: tuple[Band, ...] = ()  # published interpretation ranges, when the source has them


@dataclass(frozen=True)
class Instrument:
    id: str
    name: str
    short_name: str
    citation: str
    licence: str
    instructions: str
    question_type: str  # a survey question `schema` name; the scheme registry maps it
    scale: tuple[ScalePoint, ...]
    items: tuple[InstrumentItem, ...]
    scores: tuple[Score, ...]

    @property
    def values(self) -> dict[str, float]:
        return {p.label: p.value for p in self.scale}

    def item_value(self, item: InstrumentItem, label: str) -> float | None:
        """The scored value of an answer label, reverse-keyed when the item is."""
        value = self.values.get(label)
        if value is None or not item.reverse:
            return value
        low = min(p.value for p in self.scale)
        high = max(p.value for p in self.scale)
        return low + high - value

    def questions(self) -> list[dict[str, Any]]:
        """The items as Potato survey questions, for the phase's question machinery."""
        return [
            {
                "id": item.id,
                "text": item.text,
                "schema": self.question_type,
                "choices": [p.label for p in self.scale],
                "label_requirement": {"required": True},
            }
            for item in self.items
        ]


def parse_instrument(raw: Any, where: str) -> Instrument:
    if not isinstance(raw, Mapping):
        raise InstrumentError(f"{where}: must be a mapping")
    try:
        scale = tuple(ScalePoint(str(p["label"]), float(p["value"])) for p in raw["scale"])
        stem = str(raw.get("stem") or "")
        items = tuple(
            InstrumentItem(
                str(i["id"]),
                f"{stem} {i['text']}".strip(),
                bool(i.get("reverse", False)),
            )
            for i in raw["items"]
        )
        by_number = {n: item.id for n, item in enumerate(items, start=1)}
        scores = tuple(
            _score(name, spec or {}, by_number, where) for name, spec in raw["scores"].items()
        )
        out = Instrument(
            id=str(raw["id"]),
            name=str(raw["name"]),
            short_name=str(raw.get("short_name") or raw["name"]),
            citation=str(raw["citation"]),
            licence=str(raw["licence"]),
            instructions=str(raw.get("instructions") or ""),
            question_type=str(raw["question_type"]),
            scale=scale,
            items=items,
            scores=scores,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InstrumentError(f"{where}: {exc!r}") from exc
    if len({p.label for p in scale}) != len(scale) or not scale:
        raise InstrumentError(f"{where}: scale labels must be distinct and not empty")
    if len({i.id for i in items}) != len(items):
        raise InstrumentError(f"{where}: item ids must be distinct")
    return out


def _score(name: str, spec: Mapping, by_number: dict[int, str], where: str) -> Score:
    numbers = spec.get("items") or list(by_number)
    unknown = [n for n in numbers if n not in by_number]
    if unknown:
        raise InstrumentError(f"{where}: score {name!r} names items {unknown} that do not exist")
    method = str(spec.get("method", "sum"))
    if method not in SCORE_METHODS:
        raise InstrumentError(f"{where}: score {name!r}: method must be one of {SCORE_METHODS}")
    bands = tuple(
        Band(float(b["from"]), float(b["to"]), str(b["label"])) for b in spec.get("bands") or ()
    )
    return Score(
        name=name,
        items=tuple(by_number[n] for n in numbers),
        method=method,
        multiplier=float(spec.get("multiplier", 1)),
        bands=bands,
    )
