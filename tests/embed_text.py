"""Sentences on three topics, made in the test (nothing downloaded): each sentence joins
topic words into plain English, so TF-IDF sees three vocabularies."""

from __future__ import annotations

import random

TOPICS = {
    "sport": {
        "who": ["the striker", "our goalkeeper", "the captain", "the coach", "the referee"],
        "did": ["scored", "missed", "defended", "celebrated", "argued about"],
        "what": [
            "a late goal",
            "the penalty",
            "the football match",
            "the league title",
            "the corner kick",
            "the final whistle",
        ],
        "where": ["at the stadium", "in the second half", "before the fans", "on the pitch"],
    },
    "cooking": {
        "who": ["the chef", "my grandmother", "the baker", "our cook", "the waiter"],
        "did": ["roasted", "seasoned", "baked", "stirred", "tasted"],
        "what": [
            "the garlic soup",
            "fresh bread",
            "the tomato sauce",
            "a lemon cake",
            "the onions",
            "the pasta dough",
        ],
        "where": ["in the kitchen", "over low heat", "in the oven", "with olive oil"],
    },
    "space": {
        "who": ["the astronaut", "the telescope", "the rover", "mission control", "the probe"],
        "did": ["observed", "photographed", "orbited", "landed near", "measured"],
        "what": [
            "a distant galaxy",
            "the red planet",
            "the lunar crater",
            "a comet tail",
            "the solar wind",
            "Jupiter's moons",
        ],
        "where": ["in deep space", "from orbit", "through the night sky", "past the asteroid belt"],
    },
}


def sentences(per_topic: int, seed: int = 7) -> list[tuple[str, str]]:
    """(topic, sentence) pairs, topics interleaved."""
    rng = random.Random(seed)
    out = []
    for i in range(per_topic):
        for topic, words in TOPICS.items():
            parts = [rng.choice(words[k]) for k in ("who", "did", "what", "where")]
            out.append((topic, f"{parts[0].capitalize()} {parts[1]} {parts[2]} {parts[3]} ({i})."))
    return out
