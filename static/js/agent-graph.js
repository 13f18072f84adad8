// agent_interaction_graph: nodes (agents) and edges (hand-overs) of the server-drawn SVG are
// buttons. Activating a node (click, Enter, Space) marks it on the critical path or unmarks
// it; activating an edge cycles it through critical → problematic → none. The answer,
// {critical_nodes: [...], edges: {"A->B": state}}, is kept in the scheme's hidden input,
// and a text summary says what is marked (never colour alone).

const CYCLE = { "": "critical", critical: "problematic", problematic: "" };

const sheet = document.createElement("link");
sheet.rel = "stylesheet";
sheet.href = new URL("../css/steps.css", import.meta.url).href;
document.head.append(sheet);

function setUp(scheme) {
  const hidden = scheme.querySelector("input.step-data");
  const state = { critical_nodes: [], edges: {} };
  try {
    const saved = hidden.value ? JSON.parse(hidden.value) : {};
    state.critical_nodes = saved.critical_nodes || [];
    state.edges = saved.edges || {};
  } catch {
    // an unreadable saved value starts empty
  }

  const paint = () => {
    for (const node of scheme.querySelectorAll(".ag-node")) {
      node.setAttribute("aria-pressed", String(state.critical_nodes.includes(node.dataset.node)));
    }
    for (const edge of scheme.querySelectorAll(".ag-edge")) {
      const s = state.edges[edge.dataset.edge] || "";
      edge.dataset.state = s;
      edge.setAttribute("aria-pressed", String(Boolean(s)));
    }
    const summary = scheme.querySelector(".ag-summary");
    if (!summary) return;
    const flagged = Object.entries(state.edges).map(([k, v]) => `${k.replace("->", " → ")} (${v})`);
    summary.textContent =
      `Critical path: ${state.critical_nodes.join(", ") || "none"}. ` + `Flagged hand-overs: ${flagged.join(", ") || "none"}.`;
  };

  const save = () => {
    const doc = {};
    if (state.critical_nodes.length) doc.critical_nodes = state.critical_nodes.slice();
    if (Object.keys(state.edges).length) doc.edges = { ...state.edges };
    hidden.value = Object.keys(doc).length ? JSON.stringify(doc) : "";
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    paint();
  };

  const activate = (target) => {
    const node = target.closest(".ag-node");
    const edge = target.closest(".ag-edge");
    if (node) {
      const name = node.dataset.node;
      state.critical_nodes = state.critical_nodes.includes(name)
        ? state.critical_nodes.filter((n) => n !== name)
        : [...state.critical_nodes, name];
    } else if (edge) {
      const next = CYCLE[state.edges[edge.dataset.edge] || ""];
      if (next) state.edges[edge.dataset.edge] = next;
      else delete state.edges[edge.dataset.edge];
    } else {
      return false;
    }
    save();
    return true;
  };

  scheme.addEventListener("click", (e) => activate(e.target));
  scheme.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && activate(e.target)) {
      e.preventDefault();
      e.stopPropagation(); // Enter here must not submit the page
    }
  });
  paint();
}

for (const scheme of document.querySelectorAll("fieldset.agent-graph")) setUp(scheme);
