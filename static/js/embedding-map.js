// The embedding map page: draws the stored map (GET /admin/api/embedding_viz/data, page by
// page) on a canvas, coloured by label, annotator or disagreement. Hover shows the item's
// text. Select points with a lasso (drag; Shift adds) or, from the keyboard, whole legend
// groups (buttons), then move them to the front of the queue (POST .../reorder).
// No inline script or style (CSP): colours go through the CSSOM.
const root = document.getElementById("emap");
const canvas = document.getElementById("emap-canvas");
const ctx = canvas.getContext("2d");
const tip = document.getElementById("emap-tip");
const statusBox = document.getElementById("emap-status");
const resultBox = document.getElementById("emap-result");
const legend = document.getElementById("emap-legend");
const selectedBox = document.getElementById("emap-selected");
const pointBox = document.getElementById("emap-point");
const colourSelect = document.getElementById("emap-colour");
const annotatorSelect = document.getElementById("emap-annotator");
const annotatorBox = document.getElementById("emap-annotator-box");
const schemaSelect = document.getElementById("emap-schema");
const frontButton = document.getElementById("emap-front");
const clearButton = document.getElementById("emap-clear");
const refreshButton = document.getElementById("emap-refresh");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const PAD = 16;
const GREY = "#94a3b8";
const CELL = 12; // px: hover lookup grid

let points = [];
let labelColors = {};
let version = null;
let selected = new Set(); // indexes into points
let screen = []; // [x, y] per point, canvas pixels
let grid = new Map();
let lasso = null;
let pollTimer = null;

async function api(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || body.detail || `HTTP ${response.status}`);
  return body;
}

async function load() {
  clearTimeout(pollTimer);
  const schema = schemaSelect ? schemaSelect.value : "";
  let cursor = 0;
  const loaded = [];
  let first = null;
  do {
    const url = new URL(root.dataset.dataUrl, location.href);
    url.searchParams.set("cursor", cursor);
    if (schema) url.searchParams.set("schema", schema);
    const page = await api(url);
    first = first || page;
    for (const point of page.points) loaded.push(point);
    labelColors = page.label_colors || labelColors;
    cursor = page.next_cursor;
    statusBox.textContent = `Loading… ${loaded.length} points`;
  } while (cursor !== null && cursor !== undefined);
  points = loaded;
  version = first.version;
  selected = new Set();
  fillAnnotators();
  layout();
  draw();
  buildLegend();
  showSelection();
  canvas.dataset.points = String(points.length);
  const s = first.stats || {};
  if (first.last_error) statusBox.textContent = `The last computation failed: ${first.last_error}`;
  else if (!points.length && first.computing) statusBox.textContent = "Computing the map in the background…";
  else if (!points.length) statusBox.textContent = "No map yet: press “Recompute map”.";
  else statusBox.textContent = `${points.length} of ${s.total_instances ?? "?"} items shown (map #${version}), ` +
    `${s.annotated_instances ?? "?"} annotated${first.computing ? "; a new map is being computed…" : ""}.`;
  if (first.computing) pollTimer = setTimeout(load, 2000);
}

function fillAnnotators() {
  const names = [...new Set(points.flatMap((p) => p.annotators || []))].sort();
  const current = annotatorSelect.value;
  annotatorSelect.replaceChildren(...names.map((n) => new Option(n, n)));
  if (names.includes(current)) annotatorSelect.value = current;
}

function layout() {
  // A loop, not Math.min(...xs): spreading 100,000 arguments overflows the call stack.
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    if (p.x < x0) x0 = p.x;
    if (p.x > x1) x1 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.y > y1) y1 = p.y;
  }
  const w = canvas.width - 2 * PAD;
  const h = canvas.height - 2 * PAD;
  const sx = x1 > x0 ? w / (x1 - x0) : 0;
  const sy = y1 > y0 ? h / (y1 - y0) : 0;
  screen = points.map((p) => [PAD + (sx ? (p.x - x0) * sx : w / 2), PAD + (sy ? (y1 - p.y) * sy : h / 2)]);
  grid = new Map();
  screen.forEach(([x, y], i) => {
    const key = `${Math.floor(x / CELL)},${Math.floor(y / CELL)}`;
    if (!grid.has(key)) grid.set(key, []);
    grid.get(key).push(i);
  });
}

// The group a point belongs to under the current colouring: [key, name, colour].
function group(p) {
  const mode = colourSelect.value;
  if (mode === "annotator") {
    const who = annotatorSelect.value;
    return who && (p.annotators || []).includes(who)
      ? ["yes", `annotated by ${who}`, "#2557d6"]
      : ["no", who ? `not annotated by ${who}` : "no annotator yet", GREY];
  }
  if (mode === "disagreement") {
    const d = p.disagreement;
    if (d === null || d === undefined) return ["none", "fewer than 2 answers", GREY];
    if (d === 0) return ["0", "all agree", "#1a7f37"];
    if (d <= 0.34) return ["1", "some disagreement (≤ 0.34)", "#eab308"];
    if (d <= 0.67) return ["2", "much disagreement (≤ 0.67)", "#f97316"];
    return ["3", "high disagreement (> 0.67)", "#b42318"];
  }
  const label = p.label;
  if (label === null || label === undefined) return ["null", "no label yet", labelColors.null || GREY];
  return [`l:${label}`, label, labelColors[label] || GREY];
}

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const r = points.length > 20000 ? 1.5 : points.length > 2000 ? 2.5 : 4;
  screen.forEach(([x, y], i) => {
    ctx.fillStyle = group(points[i])[2];
    ctx.globalAlpha = selected.size && !selected.has(i) ? 0.35 : 0.9;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
  });
  ctx.globalAlpha = 1;
  ctx.strokeStyle = "#111827";
  ctx.lineWidth = 1.5;
  for (const i of selected) {
    const [x, y] = screen[i];
    ctx.beginPath();
    ctx.arc(x, y, r + 2, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (lasso && lasso.length > 1) {
    ctx.strokeStyle = "#2557d6";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(...lasso[0]);
    for (const pt of lasso.slice(1)) ctx.lineTo(...pt);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  canvas.dataset.drawn = String(screen.length);
}

let legendGroups = new Map(); // legend button -> its points

function buildLegend() {
  legendGroups = new Map();
  const groups = new Map();
  points.forEach((p, i) => {
    const [key, name, colour] = group(p);
    if (!groups.has(key)) groups.set(key, { name, colour, members: [] });
    groups.get(key).members.push(i);
  });
  legend.replaceChildren(
    ...[...groups.entries()].map(([key, g]) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.group = key;
      const all = g.members.every((i) => selected.has(i));
      button.setAttribute("aria-pressed", String(all && g.members.length > 0));
      legendGroups.set(button, g.members);
      const swatch = document.createElement("span");
      swatch.className = "emap-swatch";
      swatch.style.setProperty("--swatch", g.colour);
      button.append(swatch, `${g.name} (${g.members.length})`);
      button.addEventListener("click", () => {
        const on = !g.members.every((i) => selected.has(i));
        for (const i of g.members) on ? selected.add(i) : selected.delete(i);
        selectionChanged();
      });
      return document.createElement("li").appendChild(button).parentNode;
    }),
  );
}

function showSelection() {
  const n = selected.size;
  const ids = [...selected].slice(0, 5).map((i) => points[i].instance_id);
  selectedBox.textContent = n ? `${n} selected: ${ids.join(", ")}${n > 5 ? ", …" : ""}` : "Nothing selected.";
  frontButton.disabled = n === 0;
  clearButton.disabled = n === 0;
}

function changed() {
  draw();
  buildLegend();
  showSelection();
}

// Selection only: the legend keeps its buttons (and the keyboard focus).
function selectionChanged() {
  draw();
  for (const [button, members] of legendGroups) {
    button.setAttribute("aria-pressed", String(members.length > 0 && members.every((i) => selected.has(i))));
  }
  showSelection();
}

function canvasPoint(event) {
  const rect = canvas.getBoundingClientRect();
  return [((event.clientX - rect.left) * canvas.width) / rect.width, ((event.clientY - rect.top) * canvas.height) / rect.height];
}

function nearest([x, y]) {
  let best = -1;
  let bestD = 64; // within 8 px
  const cx = Math.floor(x / CELL);
  const cy = Math.floor(y / CELL);
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++)
      for (const i of grid.get(`${cx + dx},${cy + dy}`) || []) {
        const d = (screen[i][0] - x) ** 2 + (screen[i][1] - y) ** 2;
        if (d < bestD) [best, bestD] = [i, d];
      }
  return best;
}

function inside([x, y], poly) {
  let hit = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

canvas.addEventListener("pointerdown", (event) => {
  lasso = [canvasPoint(event)];
  lasso.additive = event.shiftKey;
  canvas.setPointerCapture(event.pointerId);
});

canvas.addEventListener("pointermove", (event) => {
  const at = canvasPoint(event);
  if (lasso) {
    lasso.push(at);
    draw();
    return;
  }
  const i = nearest(at);
  if (i < 0) {
    tip.hidden = true;
    return;
  }
  const p = points[i];
  tip.textContent = `${p.instance_id} · ${p.label ?? "no label"} — ${p.preview}`;
  const rect = canvas.getBoundingClientRect();
  tip.style.left = `${(screen[i][0] * rect.width) / canvas.width + 12}px`;
  tip.style.top = `${(screen[i][1] * rect.height) / canvas.height + 12}px`;
  tip.hidden = false;
  pointBox.textContent = `${p.instance_id} (${p.annotation_count} answers; ${(p.annotators || []).join(", ") || "nobody yet"})\n${p.preview}`;
});

canvas.addEventListener("pointerleave", () => {
  tip.hidden = true;
});

canvas.addEventListener("pointerup", () => {
  if (!lasso) return;
  const poly = lasso;
  lasso = null;
  if (poly.length > 2) {
    if (!poly.additive) selected = new Set();
    screen.forEach((pt, i) => {
      if (inside(pt, poly)) selected.add(i);
    });
  } else {
    const i = nearest(poly[0]);
    if (!poly.additive) selected = new Set();
    if (i >= 0) selected.add(i);
  }
  selectionChanged();
});

frontButton.addEventListener("click", async () => {
  const ids = [...selected].map((i) => points[i].instance_id);
  resultBox.textContent = "Moving…";
  try {
    const body = await api(root.dataset.reorderUrl, {
      method: "POST",
      body: JSON.stringify({ selections: [{ instance_ids: ids, priority: 1 }] }),
    });
    resultBox.textContent = `${body.reordered_count} item(s) moved to the front of the queue.`;
  } catch (error) {
    resultBox.textContent = `Not moved: ${error.message}`;
  }
});

clearButton.addEventListener("click", () => {
  selected = new Set();
  selectionChanged();
});

refreshButton.addEventListener("click", async () => {
  try {
    const body = await api(root.dataset.refreshUrl, { method: "POST", body: "{}" });
    statusBox.textContent = body.computation === "queued"
      ? "A map is being computed; another will follow it…"
      : "Computing the map in the background…";
    pollTimer = setTimeout(load, 1500);
  } catch (error) {
    statusBox.textContent = `Not started: ${error.message}`;
  }
});

for (const control of [colourSelect, annotatorSelect]) {
  control.addEventListener("change", () => {
    annotatorBox.hidden = colourSelect.value !== "annotator";
    changed();
  });
}
if (schemaSelect) schemaSelect.addEventListener("change", () => load().catch(failed));

function failed(error) {
  statusBox.textContent = `Could not load the map: ${error.message}`;
}

load().catch(failed);
