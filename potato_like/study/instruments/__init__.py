"""Bundled survey instruments: published questionnaires (TIPI, PHQ-9, ...) that a phase names
with `instrument: tipi` (or `instruments: [...]`), as Potato's phases do.

Each instrument is one YAML file in this folder, written for this project from the original
publication (cited in the file): its items, response scale (labels and their numeric values),
reverse-keyed items and scoring. The files are read once per process (they never change while
serving). Questionnaires whose licence forbids redistribution are not bundled; docs/config.md
lists what is and is not here.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from .model import Instrument, InstrumentError, parse_instrument
from .scoring import score

__all__ = [
    "Instrument",
    "InstrumentError",
    "instrument",
    "instrument_ids",
    "not_bundled",
    "score",
]

FOLDER = Path(__file__).parent


@functools.cache
def instrument_ids() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in FOLDER.glob("*.yaml") if not p.stem.startswith("_")))


@functools.cache
def not_bundled() -> dict[str, str]:
    """Potato's instrument ids that are not bundled here -> why (licence, or not yet)."""
    raw = yaml.safe_load((FOLDER / "_not_bundled.yaml").read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in (raw or {}).items()}


@functools.cache
def instrument(instrument_id: str) -> Instrument | None:
    """The bundled instrument with this id (Potato's id, e.g. "phq-9"), or None."""
    if instrument_id not in instrument_ids():
        return None
    path = FOLDER / f"{instrument_id}.yaml"
    return parse_instrument(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
