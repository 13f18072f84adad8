"""`annotation_type: bdm` — a Becker-DeGroot-Marschak (1964) bid: the most the respondent
would pay, between `min` and `max` (on the `step` grid), typed (`input: number`) or on a
slider (`input: slider`).

Sent as Potato's page does, one JSON record in `"schema:schema"`: `{"bid": 4.5}`. When the
first bid is saved the server draws the price, uniformly from min, min + step, …, max
(`secrets`), in the same transaction, and stores the outcome with it:
`{"bid": 4.5, "price": 3.25, "buys": true, "pays": 3.25}` — a bid at or above the price
buys at the price, a lower bid does not buy. From then on the bid is final: a request
changing it (or sending a price of its own) is refused. The page shows the price and the
outcome once the bid is saved. The questions page shows the mean bid (willingness to pay),
the share that bought and the mean price paid.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import RecordScheme
from .registry import register

INPUTS = ("number", "slider")
SERVER_KEYS = ("price", "buys", "pays")


def bdm_outcome(bid: float, price: float) -> dict[str, Any]:
    """The BDM rule: a bid at or above the price buys at the price (not at the bid)."""
    buys = bid >= price
    return {"price": price, "buys": buys, "pays": price if buys else 0}


@register("bdm")
class BDM(RecordScheme):
    macro = "schemes/bdm.html"
    script = "js/bdm.js"
    stylesheet = "css/survey-methods.css"
    option_keys = ("min", "max", "step", "input", "currency", "bid_label", "instructions")
    agreement_metric = None
    agreement_skip_reason = "each respondent states their own willingness to pay"
    analysis_title = "BDM: bids and outcomes"

    def parse_options(self, reader: ConfigReader) -> None:
        self.low = reader.number("min", 0, minimum=0)
        self.high = reader.number("max", None)
        if self.high is None:
            reader.problem("max", "is required (the largest bid allowed)")
            self.high = self.low + 1
        elif self.high <= self.low:
            reader.problem("max", f"must be above min ({self.low:g})")
            self.high = self.low + 1
        self.step = reader.number("step", 0.01, minimum=0)
        if not 0 < self.step <= self.high - self.low:
            reader.problem("step", "must be above 0 and no larger than max - min")
            self.step = 0.01
        self.input = reader.str("input", "number", choices=INPUTS)
        self.currency = reader.str("currency", "$", allow_empty=True)
        self.bid_label = reader.str("bid_label", "Your bid")
        self.instructions = reader.str("instructions", "")

    def on_grid(self, value: float) -> bool:
        steps = (value - self.low) / self.step
        return abs(steps - round(steps)) < 1e-6

    def draw_price(self) -> float:
        """A uniform price from min, min + step, ..., max (each equally likely)."""
        n = math.floor((self.high - self.low) / self.step + 1e-9)
        return round(self.low + secrets.randbelow(n + 1) * self.step, 6)

    # -- values -------------------------------------------------------------------------
    def merge(self, old, incoming):
        old_record = self.answer(old or {})
        raw = incoming.get(self.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if old_record and "price" in old_record:
                raise BadAnnotation(f"{self.name}: the bid is final once the price is drawn")
            return self.normalize(incoming)
        sent = self.parse(raw)
        bid = self.checked_bid(sent)
        if old_record and "price" in old_record:
            if bid != old_record["bid"]:
                raise BadAnnotation(
                    f"{self.name}: the bid is final once the price is drawn "
                    f"(bid {old_record['bid']:g}, price {old_record['price']:g})"
                )
            return dict(old)
        if any(k in sent for k in SERVER_KEYS):
            raise BadAnnotation(f"{self.name}: the price is drawn by the server, not sent")
        record = {"bid": bid, **bdm_outcome(bid, self.draw_price())}
        return {self.name: json.dumps(record)}

    def checked_bid(self, record: Mapping[str, Any]) -> float:
        extra = set(record) - {"bid", *SERVER_KEYS}
        if extra:
            raise BadAnnotation(f'{self.name}: unknown key {sorted(extra)[0]!r}; send {{"bid": n}}')
        bid = record.get("bid")
        if isinstance(bid, bool) or not isinstance(bid, (int, float)) or not math.isfinite(bid):
            raise BadAnnotation(f"{self.name}: the bid must be a number, got {bid!r}")
        if not self.low <= bid <= self.high:
            raise BadAnnotation(
                f"{self.name}: the bid must be between {self.low:g} and {self.high:g}, got {bid:g}"
            )
        if not self.on_grid(bid):
            raise BadAnnotation(f"{self.name}: the bid must be a multiple of {self.step:g}")
        return round(float(bid), 6)

    def check_record(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """A complete stored record (imports, gold files): bid, price and outcome agree."""
        bid = self.checked_bid(record)
        price = record.get("price")
        if price is None:
            return {"bid": bid}
        if isinstance(price, bool) or not isinstance(price, (int, float)):
            raise BadAnnotation(f"{self.name}: the price must be a number")
        return {"bid": bid, **bdm_outcome(bid, float(price))}

    # -- dashboard ----------------------------------------------------------------------
    def dashboard_summary(self, label_maps):
        records = [r for r in (self.answer(m) for m in label_maps) if r]
        return {"bids": len(records)}

    def analysis(self, answers: Iterable[Any]) -> dict[str, Any]:
        records = [r for r in (self.answer(e[2]) for e in answers) if r and "price" in r]
        out: dict[str, Any] = {"bids": len(records)}
        if records:
            bought = [r for r in records if r["buys"]]
            out["mean_bid"] = round(sum(r["bid"] for r in records) / len(records), 4)
            out["share_buying"] = round(len(bought) / len(records), 4)
            if bought:
                out["mean_price_paid"] = round(sum(r["pays"] for r in bought) / len(bought), 4)
        return out
