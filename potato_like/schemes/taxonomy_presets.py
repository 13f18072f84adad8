"""Label trees `hierarchical_multiselect` can name with `taxonomy_preset` instead of
writing them out.

`mast`: the failure modes of multi-agent LLM systems (MAST, Cemri et al., 2025: "Why Do
Multi-Agent LLM Systems Fail?"), three categories of numbered modes. Labels carry their
code ("1.3 Step repetition") as Potato's do, so answers are the same strings."""

from __future__ import annotations

MAST = {
    "Specification & System Design": [
        "1.1 Disobey task specification",
        "1.2 Disobey role specification",
        "1.3 Step repetition",
        "1.4 Loss of conversation history",
        "1.5 Unaware of termination conditions",
    ],
    "Inter-Agent Misalignment": [
        "2.1 Conversation reset",
        "2.2 Fail to ask for clarification",
        "2.3 Task derailment",
        "2.4 Information withholding",
        "2.5 Ignored other agent's input",
        "2.6 Reasoning-action mismatch",
    ],
    "Task Verification & Termination": [
        "3.1 Premature termination",
        "3.2 No or incomplete verification",
        "3.3 Incorrect verification",
    ],
}

PRESETS = {"mast": MAST}
