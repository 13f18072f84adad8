"""`annotation_type: agent_interaction_graph` — a multi-agent run drawn as a directed graph:
the agents (each step's `agent_key`, else `speaker`/`role`) are the nodes, a change of agent
from one step to the next is an edge (weighted by how often it happens). The annotator
marks the nodes on the critical path and flags edges as `critical` or `problematic`
(activating an edge cycles none → critical → problematic → none).

Stored as Potato stores it: `{"critical_nodes": [agent, ...], "edges": {"A->B": state}}`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..config.reader import ConfigReader
from ..errors import BadAnnotation
from .record import counts
from .registry import register
from .step_base import MAX_STEPS, StepScheme

EDGE_STATES = ["critical", "problematic"]
MAX_NODES = 60
WIDTH, HEIGHT, RADIUS = 480, 320, 22


@register("agent_interaction_graph")
class AgentInteractionGraph(StepScheme):
    macro = "schemes/agent_interaction_graph.html"
    script = "js/agent-graph.js"
    option_keys = ("steps_key", "agent_key")
    agreement_metric = "nominal"
    step_metric = "nominal"  # per node / edge: its state
    summarizes_answers = True

    def parse_step_options(self, reader: ConfigReader) -> None:
        self.agent_key = reader.str("agent_key", "agent")
        self.page_graph: dict = {"nodes": [], "edges": []}

    def agent_of(self, step: Any, index: int) -> str:
        if isinstance(step, Mapping):
            for key in (self.agent_key, "speaker", "role"):
                if step.get(key) not in (None, ""):
                    return str(step[key])[:200]
        return f"agent {index + 1}"

    def graph(self, fields: Mapping[str, Any]) -> tuple[list[str], dict[str, int]]:
        """The agents in order of appearance and {"A->B": count} of the hand-overs."""
        raw = fields.get(self.steps_key)
        nodes: list[str] = []
        edges: dict[str, int] = {}
        previous = None
        for i, step in enumerate(raw[:MAX_STEPS] if isinstance(raw, list) else []):
            agent = self.agent_of(step, i)
            if agent not in nodes:
                nodes.append(agent)
            if previous is not None and previous != agent:
                key = f"{previous}->{agent}"
                edges[key] = edges.get(key, 0) + 1
            previous = agent
        return nodes, edges

    def for_page(self, fields, annotator, item_id, seed):
        view = super().for_page(fields, annotator, item_id, seed)
        nodes, edges = self.graph(fields)
        view.page_graph = layout(nodes[:MAX_NODES], edges)
        return view

    def clean(self, document: Any) -> Any:
        if not isinstance(document, Mapping):
            raise BadAnnotation(
                f"{self.name}: the answer must be an object with critical_nodes and edges"
            )
        unknown = set(document) - {"critical_nodes", "edges"}
        if unknown:
            raise BadAnnotation(f"{self.name}: unknown key {sorted(unknown)[0]!r}")
        nodes = document.get("critical_nodes") or []
        if not isinstance(nodes, list) or not all(isinstance(n, str) for n in nodes):
            raise BadAnnotation(f"{self.name}: critical_nodes must be a list of agent names")
        edges = document.get("edges") or {}
        if not isinstance(edges, Mapping):
            raise BadAnnotation(f"{self.name}: edges must be an object {{'A->B': state}}")
        out_edges = {}
        for key, state in edges.items():
            if "->" not in key:
                raise BadAnnotation(f"{self.name}: edge {key!r} is not of the form 'A->B'")
            if state in (None, ""):
                continue
            if state not in EDGE_STATES:
                raise BadAnnotation(
                    f"{self.name}: edge {key!r}: state {state!r} is not one of "
                    f"{', '.join(EDGE_STATES)}"
                )
            out_edges[key] = state
        out: dict[str, Any] = {}
        if nodes:
            out["critical_nodes"] = list(dict.fromkeys(nodes))
        if out_edges:
            out["edges"] = dict(sorted(out_edges.items()))
        return out or None

    def check_item(self, label_map: Mapping[str, str], text: str, fields: Mapping) -> None:
        answer = self.answer(label_map)
        if not answer:
            return
        nodes, edges = self.graph(fields)
        for node in answer.get("critical_nodes", []):
            if node not in nodes:
                raise BadAnnotation(
                    f"{self.name}: {node!r} is not an agent of this trace "
                    f"({', '.join(nodes) or 'none'})"
                )
        for key in answer.get("edges", {}):
            if key not in edges:
                raise BadAnnotation(f"{self.name}: this trace has no edge {key!r}")

    def step_values(self, answer: Any) -> dict[Any, Any]:
        # Keyed by node / edge name: which parts of the graph were marked, and how.
        out: dict[Any, Any] = {
            f"node {n}": "critical" for n in (answer or {}).get("critical_nodes", [])
        }
        out.update({f"edge {k}": v for k, v in (answer or {}).get("edges", {}).items()})
        return out

    def chosen_labels(self, label_map):
        return []

    def dashboard_summary(self, label_maps: list[Mapping[str, Any]]) -> dict[str, Any]:
        answers = [self.answer(m) or {} for m in label_maps if m]
        return {
            "critical_nodes": counts(n for a in answers for n in a.get("critical_nodes", [])),
            "problematic_edges": counts(
                k for a in answers for k, v in a.get("edges", {}).items() if v == "problematic"
            ),
            "critical_edges": counts(
                k for a in answers for k, v in a.get("edges", {}).items() if v == "critical"
            ),
        }


def layout(nodes: list[str], edges: dict[str, int]) -> dict:
    """Nodes on a circle and edges between them (SVG coordinates), shortened to the node
    circles and offset sideways so A->B and B->A do not overlap."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    r = min(cx, cy) - RADIUS - 10
    places = {}
    out_nodes = []
    for i, name in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(nodes))
        x, y = (cx, cy) if len(nodes) == 1 else (cx + r * math.cos(angle), cy + r * math.sin(angle))
        places[name] = (x, y)
        out_nodes.append({"name": name, "x": round(x, 1), "y": round(y, 1), "index": i})
    out_edges = []
    for key, count in edges.items():
        a, b = key.split("->", 1)
        if a not in places or b not in places:
            continue
        (x1, y1), (x2, y2) = places[a], places[b]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        ox, oy = -uy * 5, ux * 5
        out_edges.append(
            {
                "key": key,
                "from": a,
                "to": b,
                "count": count,
                "x1": round(x1 + ux * RADIUS + ox, 1),
                "y1": round(y1 + uy * RADIUS + oy, 1),
                "x2": round(x2 - ux * (RADIUS + 6) + ox, 1),
                "y2": round(y2 - uy * (RADIUS + 6) + oy, 1),
            }
        )
    return {"nodes": out_nodes, "edges": out_edges, "width": WIDTH, "height": HEIGHT, "r": RADIUS}
