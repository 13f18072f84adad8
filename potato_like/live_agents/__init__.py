"""Live agent runs: an annotator starts an agent on an item and watches (and steers) it work.

`config.py` reads Potato's `live_agent` / `live_coding_agent` blocks, `runs.py` runs one
agent in a background thread and keeps its steps as a trace on disk, `tools.py` holds what
the agent may do (a sandbox directory for the coding agent, a guarded fetch for browsing).
"""
