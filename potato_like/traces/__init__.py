"""Agent-trace importers: turn traces written by agent frameworks and LLM APIs into items
(one JSON object per trace) that the trace displays and the step-level types read.

One module per source format, each registering a `TraceFormat` (registry.py). The item
shape is Potato's canonical trace: `{"id", "task_description", "conversation": [{"speaker",
"text", ...}], "agent_name"?, "metadata_table"?, "run_tree"?}`; each turn may carry
`step_type`, `tool` and `args` (tool calls), `result_of` and `call_id` (tool results),
`agent_id`, `role`, `run_id`. `python run.py import-traces`
(cli.py) writes them as JSON Lines.
"""
