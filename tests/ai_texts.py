"""Short review-like texts made in the tests (no downloads): each item's label is decided
by the cue words it contains, among filler words shared by every label."""

from __future__ import annotations

import json
import random
from pathlib import Path

CUES = {
    "positive": ["wonderful", "great", "love", "excellent", "delightful", "superb", "happy"],
    "negative": ["terrible", "awful", "hate", "broken", "disappointing", "horrible", "sad"],
    "neutral": ["average", "ordinary", "standard", "typical", "usual", "moderate", "plain"],
}
FILLER = [
    "the",
    "movie",
    "plot",
    "actors",
    "service",
    "food",
    "day",
    "room",
    "staff",
    "music",
    "was",
    "and",
    "it",
    "really",
    "quite",
]


def review(rng: random.Random, label: str, cues: int = 2) -> str:
    words = rng.sample(FILLER, 6) + rng.sample(CUES[label], cues)
    rng.shuffle(words)
    return " ".join(words)


def write_reviews(path: Path, n: int, labels=("positive", "negative"), seed: int = 0) -> dict:
    """Write n items to a JSON Lines file; returns {item id: true label}."""
    rng = random.Random(seed)
    truth = {}
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            label = labels[i % len(labels)]
            item_id = f"r{i:04d}"
            truth[item_id] = label
            fh.write(json.dumps({"id": item_id, "text": review(rng, label)}) + "\n")
    return truth
