// Arcs between linked spans (span_link) and from an event's trigger to its arguments
// (event_annotation), drawn in an SVG layer over the item text: Potato's `visual_display`
// (enabled, arc_position above|below, show_labels, multi_line_mode bracket|single_line).
// Geometry comes from the rendered pieces of each span, so the arcs are laid out again after
// every render of spans.js and whenever the text box changes size (ResizeObserver).
// CSP-safe: SVG attributes and CSSOM only, no inline style attributes in markup.

const SVG = "http://www.w3.org/2000/svg";

function start() {
  const api = window.potatoSpans;
  const textEl = document.getElementById("instance-text");
  if (!api || !textEl) return;
  const drawn = Object.keys(api.schemes).filter((name) => {
    const info = api.schemes[name];
    return ["span_link", "event_annotation"].includes(info.type) &&
      info.visual_display && info.visual_display.enabled !== false;
  });
  if (!drawn.length) return;
  const below = drawn.every((n) => api.schemes[n].visual_display.arc_position === "below");
  const singleLine = drawn.some((n) => api.schemes[n].visual_display.multi_line_mode === "single_line");
  textEl.classList.add("has-arcs", below ? "arcs-below" : "arcs-above");
  if (singleLine) textEl.classList.add("arcs-single-line");
  // The layer is the text's sibling, not its child: the text (and its selection offsets,
  // which count the characters before a point) stays exactly the item text.
  textEl.parentElement.classList.add("arc-host");
  const layer = document.createElementNS(SVG, "svg");
  layer.setAttribute("class", "arc-layer" + (singleLine ? " clipped" : ""));
  layer.setAttribute("aria-hidden", "true");
  layer.dataset.testid = "arc-layer";
  const defs = document.createElementNS(SVG, "defs");
  layer.append(defs);

  function node(tag, attrs) {
    const n = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    return n;
  }

  function marker(color) {
    const id = `arc-head-${color.replace(/[^a-zA-Z0-9]/g, "")}`;
    if (!defs.querySelector(`#${CSS.escape(id)}`)) {
      const m = node("marker", { id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
        markerHeight: 7, orient: "auto-start-reverse" });
      m.append(node("path", { d: "M0,0 L10,5 L0,10 z", fill: color }));
      defs.append(m);
    }
    return `url(#${id})`;
  }

  // Where an arc meets a span: the middle of the span's first line, at its top (or bottom).
  function anchor(spanSchema, id, box) {
    const span = api.state[spanSchema].find((s) => s.id === id);
    if (!span) return null;
    const pieces = [...textEl.querySelectorAll(".piece")].filter((p) => {
      const cp = Number(p.dataset.cp);
      return cp >= span.start && cp < span.end;
    });
    if (!pieces.length) return null;
    const first = pieces[0].getClientRects()[0] || pieces[0].getBoundingClientRect();
    let right = first.right;
    for (const p of pieces) {
      for (const r of p.getClientRects()) if (Math.abs(r.top - first.top) < 2) right = Math.max(right, r.right);
    }
    return { x: (first.left + right) / 2 - box.left, y: (below ? first.bottom : first.top) - box.top };
  }

  function arcsOf(name) {
    const info = api.schemes[name];
    const out = [];
    for (const entry of api.state[name]) {
      if (info.type === "span_link") {
        const [source, ...targets] = entry.span_ids;
        for (const target of targets) {
          out.push({ name, entry: entry.id, from: source, to: target, label: entry.link_type,
            color: info.colors[entry.link_type] || "#666", directed: entry.direction === "directed" });
        }
      } else {
        for (const arg of entry.arguments) {
          out.push({ name, entry: entry.id, from: entry.trigger_span_id, to: arg.span_id,
            label: `${entry.event_type}: ${arg.role}`, color: info.colors[entry.event_type] || "#666",
            directed: true });
        }
      }
    }
    return out;
  }

  function layout() {
    const box = textEl.getBoundingClientRect();
    layer.replaceChildren(defs);
    layer.setAttribute("width", String(textEl.offsetWidth));
    layer.setAttribute("height", String(textEl.offsetHeight));
    layer.style.left = `${textEl.offsetLeft}px`;
    layer.style.top = `${textEl.offsetTop}px`;
    const arcs = [];
    for (const name of drawn) {
      const spanSchema = api.schemes[name].span_schema;
      for (const arc of arcsOf(name)) {
        const a = anchor(spanSchema, arc.from, box);
        const b = anchor(spanSchema, arc.to, box);
        if (a && b) arcs.push({ ...arc, a, b });
      }
    }
    // Short arcs low, longer ones higher, so nested arcs do not cross their labels.
    arcs.sort((p, q) => Math.abs(p.b.x - p.a.x) - Math.abs(q.b.x - q.a.x));
    const sign = below ? 1 : -1;
    arcs.forEach((arc, level) => {
      const { a, b } = arc;
      const lift = Math.min(18 + level * 9 + Math.abs(b.x - a.x) * 0.08, 70);
      const top = Math.min(a.y, b.y) + sign * lift;
      const peak = below ? Math.max(a.y, b.y) + lift : top;
      const d = `M${a.x},${a.y} C${a.x},${peak} ${b.x},${peak} ${b.x},${b.y}`;
      const g = node("g", { class: "arc", "data-arc-scheme": arc.name, "data-arc-entry": arc.entry,
        "data-from": arc.from, "data-to": arc.to });
      const path = node("path", { d, fill: "none", stroke: arc.color, "stroke-width": 1.6 });
      if (arc.directed) path.setAttribute("marker-end", marker(arc.color));
      g.append(path);
      const label = api.schemes[arc.name].visual_display.show_labels !== false;
      if (label) {
        const t = node("text", { x: (a.x + b.x) / 2, y: peak + (below ? 14 : -3) * 0.75,
          "text-anchor": "middle", fill: arc.color, class: "arc-label" });
        t.textContent = arc.label;
        g.append(t);
      }
      layer.append(g);
    });
    layer.dataset.arcs = String(arcs.length);
    if (layer.parentNode !== textEl.parentElement) textEl.after(layer);
  }

  let queued = false;
  const schedule = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; layout(); });
  };
  api.onRender(() => { layout(); });
  new ResizeObserver(schedule).observe(textEl);
  window.addEventListener("resize", schedule);
  textEl.addEventListener("scroll", schedule);
}

if (window.potatoSpans) start();
else document.addEventListener("DOMContentLoaded", start);
