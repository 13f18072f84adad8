// The corpus map page (/corpus/map): waits for the background build (build_status), draws
// the documents (map_data) on a canvas coloured by cluster, lists the clusters and their
// documents, and a chosen document's similar documents (knn). Opening a document moves the
// annotator to it (POST goto) and loads the annotation page. Keyboard: focus the map, arrow
// keys step through the documents (left to right), Enter opens the chosen one; every list
// entry is a button. URLs come from data-* attributes (rendered with url_for).
const root = document.getElementById("cmap");
const canvas = document.getElementById("cmap-canvas");
const ctx = canvas.getContext("2d");
const statusBox = document.getElementById("cmap-status");
const pointBox = document.getElementById("cmap-point");
const openButton = document.getElementById("cmap-open");
const similarList = document.getElementById("cmap-similar");
const clusterList = document.getElementById("cmap-clusters");
const docsList = document.getElementById("cmap-docs");
const docsTitle = document.getElementById("cmap-docs-title");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const PAD = 16;
const HIT = 8; // px: how close a click must be to a point
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04",
  "#db2777", "#4b5563", "#65a30d", "#7c3aed", "#0d9488"];

let points = [];
let order = []; // point indexes sorted by x (the arrow keys' order)
let screen = [];
let current = -1; // index into points

const colour = (cluster) => (cluster < 0 ? "#94a3b8" : PALETTE[cluster % PALETTE.length]);

async function api(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, body };
}

function layout() {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const w = canvas.width - 2 * PAD;
  const h = canvas.height - 2 * PAD;
  screen = points.map((p) => [
    PAD + (x1 > x0 ? ((p.x - x0) / (x1 - x0)) * w : w / 2),
    PAD + (y1 > y0 ? (1 - (p.y - y0) / (y1 - y0)) * h : h / 2),
  ]);
  order = points.map((_p, i) => i).sort((a, b) => screen[a][0] - screen[b][0] || screen[a][1] - screen[b][1]);
}

function draw() {
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  points.forEach((p, i) => {
    ctx.beginPath();
    ctx.arc(screen[i][0], screen[i][1], 4.5, 0, 2 * Math.PI);
    ctx.fillStyle = colour(p.cluster);
    ctx.fill();
  });
  if (current >= 0) {
    ctx.beginPath();
    ctx.arc(screen[current][0], screen[current][1], 9, 0, 2 * Math.PI);
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#111827";
    ctx.stroke();
  }
  canvas.dataset.drawn = String(points.length);
}

function docButton(docId, text, extra = "") {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.docId = docId;
  button.textContent = `${docId}${extra}: ${text}`;
  button.addEventListener("click", () => openDoc(docId));
  li.append(button);
  return li;
}

async function choose(index) {
  current = index;
  draw();
  const p = points[index];
  canvas.dataset.chosen = p.doc_id;
  pointBox.textContent = `${p.doc_id} (cluster ${p.cluster}): ${p.snippet}`;
  openButton.disabled = false;
  const url = root.dataset.knnUrl.replace("__DOC__", encodeURIComponent(p.doc_id));
  const { ok, body } = await api(url);
  if (current !== index) return;
  similarList.replaceChildren(
    ...(ok ? body.neighbors.map((n) => docButton(n.doc_id, n.snippet, ` (${n.score.toFixed(2)})`)) : []),
  );
}

async function openDoc(docId) {
  statusBox.textContent = `Opening ${docId}…`;
  const { ok, body } = await api(root.dataset.gotoUrl, {
    method: "POST",
    body: JSON.stringify({ doc_id: docId }),
  });
  if (ok) {
    window.location.assign(body.url);
  } else {
    statusBox.textContent = body.error || "This document cannot be opened.";
  }
}

async function showCluster(cluster) {
  const url = root.dataset.clusterDocsUrl.replace(/\/0\/docs$/, `/${cluster.id}/docs`);
  const { ok, body } = await api(url);
  docsTitle.hidden = false;
  docsTitle.textContent = `Documents in “${cluster.label}”`;
  docsList.replaceChildren(...(ok ? body.docs.map((d) => docButton(d.doc_id, d.snippet)) : []));
}

function listClusters(clusters) {
  clusterList.replaceChildren(
    ...clusters.map((c) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      const swatch = document.createElement("span");
      swatch.className = "emap-swatch";
      swatch.style.setProperty("--swatch", colour(c.id));
      button.append(swatch, `${c.label} (${c.size})`);
      button.addEventListener("click", () => showCluster(c));
      li.append(button);
      return li;
    }),
  );
}

function pointAt(event) {
  const rect = canvas.getBoundingClientRect();
  const x = ((event.clientX - rect.left) * canvas.width) / rect.width;
  const y = ((event.clientY - rect.top) * canvas.height) / rect.height;
  let best = -1;
  let bestDist = HIT * HIT;
  screen.forEach(([px, py], i) => {
    const d = (px - x) ** 2 + (py - y) ** 2;
    if (d <= bestDist) [best, bestDist] = [i, d];
  });
  return best;
}

canvas.addEventListener("click", (event) => {
  const i = pointAt(event);
  if (i >= 0) openDoc(points[i].doc_id);
});
canvas.addEventListener("mousemove", (event) => {
  const i = pointAt(event);
  canvas.title = i >= 0 ? `${points[i].doc_id}: ${points[i].snippet}` : "";
});
canvas.addEventListener("keydown", (event) => {
  if (!points.length) return;
  const at = order.indexOf(current);
  if (event.key === "ArrowRight" || event.key === "ArrowDown") {
    choose(order[(at + 1) % order.length]);
  } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
    choose(order[at <= 0 ? order.length - 1 : at - 1]);
  } else if (event.key === "Enter" && current >= 0) {
    openDoc(points[current].doc_id);
  } else {
    return;
  }
  event.preventDefault();
});
openButton.addEventListener("click", () => current >= 0 && openDoc(points[current].doc_id));

async function load() {
  const status = await api(root.dataset.statusUrl);
  if (!status.ok) {
    statusBox.textContent = status.body.error || "The corpus map is not available.";
    return;
  }
  if (!status.body.built) {
    statusBox.textContent =
      status.body.state === "error" ? `The map could not be built: ${status.body.error}` : "Building the map…";
    if (status.body.state !== "error") setTimeout(load, 1500);
    return;
  }
  const { ok, body } = await api(root.dataset.mapUrl);
  if (!ok) {
    statusBox.textContent = body.error || "The map could not be read.";
    return;
  }
  points = body.points;
  layout();
  draw();
  listClusters(body.clusters);
  statusBox.textContent = `${points.length} documents in ${body.clusters.length} clusters.`;
}

load();
