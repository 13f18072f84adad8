// Image annotation editor: boxes, polygons, polylines, ellipses, landmarks, keypoints and
// brush masks on the item's image. Plain ES module, no build step; loaded only by pages with
// an image_annotation scheme. Shapes are kept normalised to 0..1 of the full image (the
// wire format Potato's client sends); the image itself is shown through a server-made preview
// when it is large, so the page is interactive before a 4000×3000 photo would have decoded.
// Changes are saved by annotate.js's autosave: this module adds `image_annotations`.
import { appUrl } from "./app-url.js";

const SVG = "http://www.w3.org/2000/svg";
const form = document.getElementById("annotation-form");
const TOOL_KEYS = { v: "select", r: "bbox", p: "polygon", n: "polyline", i: "ellipse", k: "landmark", s: "keypoint_set", d: "freeform", b: "brush", e: "eraser", f: "fill" };
const MASK_TOOLS = new Set(["freeform", "brush", "eraser", "fill"]);

function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function typing(el) {
  return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["radio", "checkbox", "range", "button", "submit"].includes(el.type)));
}

// --- masks: Potato's RLE is row-major run lengths, background first ---------------------------
function rleToAlpha(rle) {
  const [h, w] = rle.size;
  const data = new Uint8ClampedArray(w * h);
  let pos = 0; let on = false;
  for (const count of rle.counts) { if (on) data.fill(1, pos, pos + count); pos += count; on = !on; }
  return { w, h, data };
}

function alphaToRle(bits, w, h) {
  const counts = []; let run = 0; let current = 0;
  for (let i = 0; i < bits.length; i++) {
    const v = bits[i] ? 1 : 0;
    if (v !== current) { counts.push(run); run = 0; current = v; }
    run++;
  }
  counts.push(run);
  return { counts, size: [h, w] };
}

// --- the image source -------------------------------------------------------------------------
function findSource(config) {
  if (config.source_field) {
    const field = document.querySelector(`[data-field-key="${CSS.escape(config.source_field)}"] img`);
    if (field) return { src: field.getAttribute("src"), node: field.closest("[data-field-key]") };
  }
  const img = document.querySelector(".item img.display-image");
  if (img) return { src: img.getAttribute("src"), node: img };
  const text = document.getElementById("instance-text");
  if (text) return { src: text.textContent.trim(), node: text };
  return { src: "", node: null };
}

async function imageInfo(src, viewer, page) {
  const files = appUrl("/project_files/");
  if (src.startsWith(files)) src = decodeURIComponent(src.slice(files.length));
  try {
    const extra = (viewer === "deepzoom" ? "&viewer=deepzoom" : "") + (page ? `&page=${page}` : "");
    const res = await fetch(appUrl(`/api/image/info?src=${encodeURIComponent(src)}${extra}`), { credentials: "same-origin" });
    if (res.ok) return await res.json();
    const data = await res.json().catch(() => ({}));
    return { error: data.error || `The image could not be loaded (${res.status}).` };
  } catch (_) {
    return { url: src, preview_url: src, verified: false };
  }
}

class Editor {
  constructor(fieldset) {
    this.fs = fieldset;
    this.config = JSON.parse(fieldset.querySelector("[data-ia-config]").textContent);
    const value = JSON.parse(fieldset.querySelector("[data-ia-value]").textContent) || {};
    this.name = this.config.name;
    this.shapes = [];
    this.masks = new Map(); // label -> {w, h, data (0/1), color, instance?, iscrowd?, rle (cached), canvas}
    for (const s of value.shapes || []) {
      if (s.type === "mask") this.loadMask(s);
      else this.shapes.push({ id: s.id, type: s.type, label: s.label, color: s.color, coordinates: s.coordinates, skeleton: s.skeleton, page: s.page });
    }
    this.width = value.image ? value.image.width : 0;
    this.height = value.image ? value.image.height : 0;
    this.verified = !!(value.image && value.image.verified);
    this.tool = this.config.tools[0] || "select";
    this.label = this.config.labels[0];
    this.hidden = new Set();
    this.selected = -1;
    this.draft = null;
    this.undoStack = []; this.redoStack = [];
    this.zoom = 1; this.panX = 0; this.panY = 0;
    this.status = fieldset.querySelector("[data-ia-status]");
    this.list = fieldset.querySelector("[data-ia-list]");
    this.bindBars();
  }

  // --- state and history ----------------------------------------------------------------------
  snapshot() {
    const masks = [...this.masks.entries()].map(([label, m]) => [label, { ...m, data: m.data.slice(), canvas: null }]);
    return { shapes: structuredClone(this.shapes), masks };
  }

  restore(snap) {
    this.shapes = snap.shapes;
    this.masks = new Map(snap.masks.map(([label, m]) => [label, { ...m, data: m.data.slice(), canvas: null }]));
    this.selected = -1;
    this.changed(false);
  }

  record() { this.undoStack.push(this.snapshot()); if (this.undoStack.length > 100) this.undoStack.shift(); this.redoStack = []; }
  undo() { if (!this.undoStack.length) return; this.redoStack.push(this.snapshot()); this.restore(this.undoStack.pop()); }
  redo() { if (!this.redoStack.length) return; this.undoStack.push(this.snapshot()); this.restore(this.redoStack.pop()); }

  changed(save = true) {
    this.render();
    // region_caption and grounding_eval (image-regions.js) follow the shapes
    form.dispatchEvent(new CustomEvent("ia:shapes", { detail: { schema: this.name } }));
    if (save) form.dispatchEvent(new CustomEvent("potato:changed"));
  }

  loadMask(s) {
    const { w, h, data } = rleToAlpha(s.rle);
    const key = s.instance !== undefined ? `${s.label}#${s.instance}` : s.label;
    this.masks.set(key, { label: s.label, w, h, data, color: s.color, rle: s.rle, instance: s.instance, iscrowd: s.iscrowd, canvas: null });
    if (!this.width) { this.width = w; this.height = h; }
  }

  colorOf(label) { return (this.config.colors || {})[label] || "#e53935"; }

  // --- the wire format ------------------------------------------------------------------------
  wire() {
    const size = this.width ? [this.height, this.width] : undefined;
    const out = this.shapes.map((s) => {
      const e = { id: s.id, type: s.type, label: s.label, color: s.color, coordinates: s.coordinates };
      if (s.skeleton) e.skeleton = s.skeleton;
      if (this.pages) e.page = s.page || 1;
      if (size && !this.verified) e.image_size = size;
      return e;
    }).map((e) => (e.id ? e : (delete e.id, e)));
    for (const m of this.masks.values()) {
      if (!m.rle) m.rle = alphaToRle(m.data, m.w, m.h);
      if (!m.rle.counts.some((c, i) => i % 2 === 1 && c > 0)) continue; // erased away
      const e = { type: "mask", label: m.label, color: m.color, rle: m.rle };
      if (m.instance !== undefined) e.instance = m.instance;
      if (m.iscrowd !== undefined) e.iscrowd = m.iscrowd;
      out.push(e);
    }
    return out;
  }

  // --- building the stage ---------------------------------------------------------------------
  async mount() {
    const { src, node } = findSource(this.config);
    this.stage = document.createElement("div");
    this.stage.className = "ia-stage";
    this.stage.tabIndex = 0;
    this.stage.dataset.testid = `image-stage-${this.name}`;
    this.stage.setAttribute("role", "application"); // keys draw and move shapes here
    this.stage.setAttribute("aria-label", "Image: draw shapes here");
    this.world = document.createElement("div");
    this.world.className = "ia-world";
    this.img = document.createElement("img");
    this.img.className = "ia-image";
    this.img.alt = "";
    this.img.draggable = false;
    this.maskCanvas = document.createElement("canvas");
    this.maskCanvas.className = "ia-masks";
    this.svg = svg("svg", { class: "ia-svg", preserveAspectRatio: "none" });
    this.tileLayer = document.createElement("div");
    this.tileLayer.className = "ia-tiles";
    this.world.append(this.img, this.tileLayer, this.maskCanvas, this.svg);
    this.stage.append(this.world);
    if (node) { node.hidden = true; node.before(this.stage); } else this.fs.before(this.stage);
    if (!src) { this.say("This item has no image to annotate."); return; }
    this.src = src;
    await this.load(await imageInfo(src, this.config.viewer));
    this.bindStage();
  }

  // the image (or PDF page) `info` names; called again for each page of a PDF
  async load(info) {
    if (info.error) { this.say(info.error); return; }
    if (info.pages) this.showPages(info);
    if (info.width) { this.width = info.width; this.height = info.height; this.verified = true; }
    if (info.dzi_url) this.setupTiles(info);
    await new Promise((resolve) => {
      this.img.addEventListener("load", resolve, { once: true });
      this.img.addEventListener("error", () => { this.say("The image could not be loaded."); resolve(); }, { once: true });
      this.img.src = this.tiles ? this.tileUrl(this.tiles.overview, 0, 0) : (info.preview_url || info.url || src);
    });
    if (!this.width) { this.width = this.img.naturalWidth; this.height = this.img.naturalHeight; }
    this.stage.dataset.ready = "1";
    this.fit();
    this.render();
  }

  // --- PDF items: one page at a time; each shape remembers its page ---------------------------
  showPages(info) {
    this.pages = info.pages; this.page = info.page;
    this.masksOff = true; // a mask is one per label, not per page
    const bar = this.fs.querySelector("[data-ia-pages]");
    bar.hidden = false;
    bar.querySelector("[data-ia-page-label]").textContent = `Page ${this.page} of ${this.pages}`;
    this.stage.dataset.page = String(this.page);
  }

  async goToPage(page) {
    if (!this.pages || page < 1 || page > this.pages || page === this.page) return;
    this.draft = null; this.selected = -1;
    this.width = 0; this.height = 0;
    this.stage.dataset.ready = "";
    await this.load(await imageInfo(this.src, this.config.viewer, page));
  }

  onPage(s) { return !this.pages || (s.page || 1) === this.page; }

  say(text) { this.status.textContent = text; }

  fit() {
    const box = this.stage.clientWidth || 800;
    this.base = box / this.width; // screen px per image px at zoom 1
    const w = this.width * this.base; const h = this.height * this.base;
    this.world.style.width = `${w}px`;
    this.world.style.height = `${h}px`;
    this.stage.style.height = `${Math.min(h, window.innerHeight * 0.8)}px`;
    this.svg.setAttribute("viewBox", `0 0 ${this.width} ${this.height}`);
    this.maskCanvas.width = Math.min(this.width, 2000);
    this.maskCanvas.height = Math.round(this.maskCanvas.width * this.height / this.width);
    this.zoom = 1; this.panX = 0; this.panY = 0;
    this.applyView();
  }

  applyView() {
    this.world.style.transform = `translate(${this.panX}px, ${this.panY}px) scale(${this.zoom})`;
    this.showTiles();
    this.render();
  }

  // --- Deep Zoom: the tiles of the level that matches the screen, only those in view --------
  setupTiles(info) {
    const t = info.tiles;
    const maxLevel = Math.ceil(Math.log2(Math.max(this.width, this.height)));
    let overview = maxLevel;
    while (overview > 0 && Math.max(this.width, this.height) / 2 ** (maxLevel - overview) > t.tile_size) overview--;
    this.tiles = { base: info.dzi_url.replace(/\.dzi$/, "_files"), size: t.tile_size, overlap: t.overlap, maxLevel, overview, shown: new Map(), level: -1 };
    this.stage.dataset.tiled = "1";
    this.masksOff = this.width * this.height > 50e6;
  }

  tileUrl(level, col, row) { return `${this.tiles.base}/${level}/${col}_${row}.jpg`; }

  showTiles() {
    const t = this.tiles;
    if (!t || !this.base) return;
    const pxPerImagePx = this.base * this.zoom * (window.devicePixelRatio || 1);
    const drop = Math.max(0, Math.floor(Math.log2(1 / pxPerImagePx)));
    const level = Math.max(t.overview, t.maxLevel - drop);
    const scale = 2 ** (t.maxLevel - level);
    const lw = Math.ceil(this.width / scale); const lh = Math.ceil(this.height / scale);
    // the stage's visible rectangle in image pixels
    const rect = this.stage.getBoundingClientRect();
    const k = this.base * this.zoom;
    const x0 = Math.max(0, -this.panX / k); const y0 = Math.max(0, -this.panY / k);
    const x1 = Math.min(this.width, (rect.width - this.panX) / k); const y1 = Math.min(this.height, (rect.height - this.panY) / k);
    if (level !== t.level) { this.tileLayer.replaceChildren(); t.shown.clear(); t.level = level; }
    if (x1 <= x0 || y1 <= y0) return;
    const c0 = Math.floor(x0 / scale / t.size); const c1 = Math.min(Math.ceil(lw / t.size) - 1, Math.floor(x1 / scale / t.size));
    const r0 = Math.floor(y0 / scale / t.size); const r1 = Math.min(Math.ceil(lh / t.size) - 1, Math.floor(y1 / scale / t.size));
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const key = `${c}_${r}`;
        if (t.shown.has(key)) continue;
        // the tile's box in level pixels (overlap included), placed in image fractions
        const bx0 = c * t.size - (c ? t.overlap : 0); const by0 = r * t.size - (r ? t.overlap : 0);
        const bx1 = Math.min(lw, (c + 1) * t.size + t.overlap); const by1 = Math.min(lh, (r + 1) * t.size + t.overlap);
        const img = document.createElement("img");
        img.alt = ""; img.draggable = false; img.className = "ia-tile";
        img.dataset.tile = `${level}/${key}`;
        img.style.left = `${(bx0 * scale / this.width) * 100}%`;
        img.style.top = `${(by0 * scale / this.height) * 100}%`;
        img.style.width = `${((Math.min(this.width, bx1 * scale) - bx0 * scale) / this.width) * 100}%`;
        img.style.height = `${((Math.min(this.height, by1 * scale) - by0 * scale) / this.height) * 100}%`;
        img.src = this.tileUrl(level, c, r);
        t.shown.set(key, img);
        this.tileLayer.append(img);
      }
    }
  }

  zoomBy(factor, cx, cy) {
    if (!this.config.zoom_enabled) return;
    const rect = this.stage.getBoundingClientRect();
    const x = cx === undefined ? rect.width / 2 : cx - rect.left;
    const y = cy === undefined ? rect.height / 2 : cy - rect.top;
    const zoom = Math.min(20, Math.max(0.2, this.zoom * factor));
    this.panX = x - (x - this.panX) * (zoom / this.zoom);
    this.panY = y - (y - this.panY) * (zoom / this.zoom);
    this.zoom = zoom;
    this.applyView();
  }

  // image pixel coordinates of a pointer event
  point(e) {
    const m = this.svg.getScreenCTM().inverse();
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m);
    return { x: Math.min(this.width, Math.max(0, p.x)), y: Math.min(this.height, Math.max(0, p.y)) };
  }

  unitsPerPx() { return 1 / (this.base * this.zoom); }
  norm(p) { return { x: p.x / this.width, y: p.y / this.height }; }

  // --- rendering ------------------------------------------------------------------------------
  geometry(s) {
    const W = this.width; const H = this.height; const c = s.coordinates;
    if (s.type === "bbox") return svg("rect", { x: c.x * W, y: c.y * H, width: c.width * W, height: c.height * H });
    if (s.type === "ellipse") {
      return svg("ellipse", { cx: c.cx * W, cy: c.cy * H, rx: c.rx * W, ry: c.ry * H, transform: `rotate(${c.angle || 0} ${c.cx * W} ${c.cy * H})` });
    }
    if (s.type === "landmark") return svg("circle", { cx: c.x * W, cy: c.y * H, r: 5 * this.unitsPerPx(), class: "ia-point" });
    const pts = c.map((p) => `${p.x * W},${p.y * H}`).join(" ");
    if (s.type === "polygon") return svg("polygon", { points: pts });
    if (s.type === "keypoint_set") {
      const g = svg("g");
      g.append(svg("polyline", { points: pts, fill: "none" }));
      for (const p of c) g.append(svg("circle", { cx: p.x * W, cy: p.y * H, r: 4 * this.unitsPerPx(), class: "ia-point" }));
      return g;
    }
    return svg("polyline", { points: pts, fill: "none" });
  }

  handles(s) {
    const W = this.width; const H = this.height; const c = s.coordinates;
    if (s.type === "bbox") {
      return [[c.x, c.y], [c.x + c.width, c.y], [c.x, c.y + c.height], [c.x + c.width, c.y + c.height]].map(([x, y], i) => ({ x: x * W, y: y * H, i }));
    }
    if (s.type === "ellipse") return [{ x: (c.cx + c.rx) * W, y: c.cy * H, i: 0 }, { x: c.cx * W, y: (c.cy + c.ry) * H, i: 1 }];
    if (s.type === "landmark") return [];
    return c.map((p, i) => ({ x: p.x * W, y: p.y * H, i }));
  }

  render() {
    if (!this.svg || !this.width) { this.renderList(); return; }
    this.svg.replaceChildren();
    const u = this.unitsPerPx();
    this.shapes.forEach((s, index) => {
      if (this.hidden.has(s.label) || !this.onPage(s)) return;
      const node = this.geometry(s);
      node.classList.add("ia-shape");
      if (index === this.selected) node.classList.add("selected");
      node.setAttribute("stroke", s.color || this.colorOf(s.label));
      node.setAttribute("stroke-width", 2 * u);
      if (!["polyline", "keypoint_set"].includes(s.type)) node.setAttribute("fill", s.color || this.colorOf(s.label));
      node.dataset.index = index;
      node.dataset.testid = `shape-${s.type}`;
      this.svg.append(node);
    });
    if (this.selected >= 0 && this.shapes[this.selected]) {
      for (const h of this.handles(this.shapes[this.selected])) {
        this.svg.append(svg("rect", { class: "ia-handle", x: h.x - 4 * u, y: h.y - 4 * u, width: 8 * u, height: 8 * u, "data-handle": h.i, "stroke-width": u }));
      }
    }
    if (this.draft && this.draft.points) {
      const pts = this.draft.points.map((p) => `${p.x},${p.y}`).join(" ");
      const hover = this.draft.hover ? ` ${this.draft.hover.x},${this.draft.hover.y}` : "";
      this.svg.append(svg("polyline", { class: "ia-draft", points: pts + hover, fill: "none", stroke: this.colorOf(this.label), "stroke-width": 2 * u }));
    } else if (this.draft && this.draft.rect) {
      const r = this.draft.rect;
      const kind = this.draft.tool === "ellipse" ? svg("ellipse", { cx: r.x + r.w / 2, cy: r.y + r.h / 2, rx: r.w / 2, ry: r.h / 2 }) : svg("rect", { x: r.x, y: r.y, width: r.w, height: r.h });
      kind.setAttribute("class", "ia-draft"); kind.setAttribute("fill", "none");
      kind.setAttribute("stroke", this.colorOf(this.label)); kind.setAttribute("stroke-width", 2 * u);
      this.svg.append(kind);
    }
    this.renderMasks();
    this.renderList();
  }

  maskBitmap(m) {
    if (m.canvas) return m.canvas;
    const c = document.createElement("canvas");
    c.width = m.w; c.height = m.h;
    const ctx = c.getContext("2d");
    const img = ctx.createImageData(m.w, m.h);
    const hex = (m.color || this.colorOf(m.label)).replace("#", "");
    const rgb = hex.length >= 6 ? [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) : [229, 57, 53];
    for (let i = 0; i < m.data.length; i++) {
      if (!m.data[i]) continue;
      const o = i * 4; img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    m.canvas = c;
    return c;
  }

  renderMasks() {
    const ctx = this.maskCanvas.getContext("2d");
    ctx.clearRect(0, 0, this.maskCanvas.width, this.maskCanvas.height);
    ctx.globalAlpha = this.config.mask_opacity ?? 0.5;
    for (const m of this.masks.values()) {
      if (this.hidden.has(m.label)) continue;
      ctx.drawImage(this.maskBitmap(m), 0, 0, this.maskCanvas.width, this.maskCanvas.height);
    }
    if (this.draft && this.draft.stroke) {
      ctx.globalAlpha = 0.6;
      ctx.strokeStyle = this.draft.erase ? "#ffffff" : this.colorOf(this.label);
      ctx.lineCap = "round"; ctx.lineJoin = "round";
      const k = this.maskCanvas.width / this.width;
      ctx.lineWidth = this.draft.size * k;
      ctx.beginPath();
      this.draft.stroke.forEach((p, i) => (i ? ctx.lineTo(p.x * k, p.y * k) : ctx.moveTo(p.x * k, p.y * k)));
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
  }

  renderList() {
    this.list.replaceChildren();
    this.shapes.forEach((s, i) => {
      const li = document.createElement("li");
      li.className = "entry" + (i === this.selected ? " selected" : "");
      li.dataset.testid = "shape-entry";
      li.textContent = `${s.label} · ${s.type}${this.pages ? ` · page ${s.page || 1}` : ""}`;
      li.addEventListener("click", () => { this.selected = i; this.render(); });
      this.list.append(li);
    });
    for (const m of this.masks.values()) {
      const li = document.createElement("li");
      li.className = "entry";
      li.dataset.testid = "shape-entry";
      li.textContent = `${m.label} · mask`;
      this.list.append(li);
    }
    for (const b of this.fs.querySelectorAll("[data-ia-tool]")) b.setAttribute("aria-pressed", String(b.dataset.iaTool === this.tool));
    for (const b of this.fs.querySelectorAll("[data-ia-label]")) b.setAttribute("aria-pressed", String(b.dataset.iaLabel === this.label));
  }

  // --- controls -------------------------------------------------------------------------------
  bindBars() {
    for (const b of this.fs.querySelectorAll("[data-color]")) b.style.setProperty("--ia-color", b.dataset.color);
    this.fs.addEventListener("click", (e) => {
      const tool = e.target.closest("[data-ia-tool]");
      const label = e.target.closest("[data-ia-label]");
      const eye = e.target.closest("[data-ia-visible]");
      const action = e.target.closest("[data-ia-action]");
      if (tool) { this.setTool(tool.dataset.iaTool); } else if (label) { this.setLabel(label.dataset.iaLabel); } else if (eye) {
        const name = eye.dataset.iaVisible;
        if (this.hidden.has(name)) this.hidden.delete(name); else this.hidden.add(name);
        eye.setAttribute("aria-pressed", String(!this.hidden.has(name)));
        eye.textContent = this.hidden.has(name) ? "show" : "hide";
        if (this.selected >= 0 && this.hidden.has(this.shapes[this.selected]?.label)) this.selected = -1;
        this.render();
      } else if (action) this.act(action.dataset.iaAction);
    });
  }

  setTool(tool) { this.tool = tool; this.draft = null; this.render(); }

  setLabel(label) {
    this.label = label;
    const s = this.shapes[this.selected];
    if (s && s.label !== label) { this.record(); s.label = label; s.color = this.colorOf(label); delete s.id; this.changed(); } else this.render();
  }

  act(action) {
    if (action === "undo") this.undo();
    else if (action === "redo") this.redo();
    else if (action === "delete") this.removeSelected();
    else if (action === "duplicate") this.duplicate();
    else if (action === "zoom-in") this.zoomBy(1.25);
    else if (action === "zoom-out") this.zoomBy(0.8);
    else if (action === "zoom-fit") this.fit();
    else if (action === "page-prev") this.goToPage(this.page - 1);
    else if (action === "page-next") this.goToPage(this.page + 1);
  }

  removeSelected() {
    if (this.selected < 0) return;
    this.record();
    this.shapes.splice(this.selected, 1);
    this.selected = -1;
    this.changed();
  }

  duplicate() {
    const s = this.shapes[this.selected];
    if (!s) return;
    this.record();
    const copy = structuredClone(s);
    delete copy.id;
    this.moveShape(copy, 0.02, 0.02);
    this.shapes.push(copy);
    this.selected = this.shapes.length - 1;
    this.changed();
  }

  moveShape(s, dx, dy) {
    const c = s.coordinates;
    const clamp = (v) => Math.min(1, Math.max(0, v));
    if (s.type === "bbox") { c.x = Math.min(1 - c.width, Math.max(0, c.x + dx)); c.y = Math.min(1 - c.height, Math.max(0, c.y + dy)); } else if (s.type === "ellipse") { c.cx = clamp(c.cx + dx); c.cy = clamp(c.cy + dy); } else if (s.type === "landmark") { c.x = clamp(c.x + dx); c.y = clamp(c.y + dy); } else for (const p of c) { p.x = clamp(p.x + dx); p.y = clamp(p.y + dy); }
  }

  dragHandle(s, index, p) {
    const c = s.coordinates; const n = this.norm(p);
    if (s.type === "bbox") {
      const x0 = index % 2 === 0 ? n.x : c.x; const x1 = index % 2 === 0 ? c.x + c.width : n.x;
      const y0 = index < 2 ? n.y : c.y; const y1 = index < 2 ? c.y + c.height : n.y;
      Object.assign(c, { x: Math.min(x0, x1), y: Math.min(y0, y1), width: Math.max(1e-4, Math.abs(x1 - x0)), height: Math.max(1e-4, Math.abs(y1 - y0)) });
    } else if (s.type === "ellipse") {
      if (index === 0) c.rx = Math.max(1e-4, Math.min(1, Math.abs(n.x - c.cx))); else c.ry = Math.max(1e-4, Math.min(1, Math.abs(n.y - c.cy)));
    } else if (Array.isArray(c)) { c[index].x = n.x; c[index].y = n.y; }
  }

  addShape(type, coordinates) {
    this.record();
    this.shapes.push({ type, label: this.label, color: this.colorOf(this.label), coordinates, page: this.pages ? this.page : undefined });
    if (this.config.max_annotations && this.shapes.length > this.config.max_annotations) {
      this.shapes.pop(); this.undoStack.pop();
      this.say(`At most ${this.config.max_annotations} shapes.`);
      return;
    }
    this.changed();
  }

  finishDraft() {
    const d = this.draft;
    if (!d || !d.points) return false;
    const least = { polygon: 3, polyline: 2, keypoint_set: 1 }[d.tool] || 2;
    this.draft = null;
    if (d.points.length < least) { this.say(`A ${d.tool} needs at least ${least} points.`); this.render(); return true; }
    this.addShape(d.tool, d.points.map((p) => (d.tool === "keypoint_set" ? { ...this.norm(p), v: 2 } : this.norm(p))));
    return true;
  }

  paint(stroke, size, erase) {
    this.record();
    let m = this.masks.get(this.label);
    if (!m) {
      m = { label: this.label, w: this.width, h: this.height, data: new Uint8ClampedArray(this.width * this.height), color: this.colorOf(this.label), canvas: null };
      this.masks.set(this.label, m);
    }
    // rasterise the stroke at full image resolution and merge it into the label's mask
    const c = document.createElement("canvas"); c.width = m.w; c.height = m.h;
    const ctx = c.getContext("2d");
    ctx.strokeStyle = "#000"; ctx.fillStyle = "#000"; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.lineWidth = size;
    ctx.beginPath();
    stroke.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
    if (stroke.length === 1) ctx.lineTo(stroke[0].x + 0.01, stroke[0].y);
    ctx.stroke();
    const alpha = ctx.getImageData(0, 0, m.w, m.h).data;
    for (let i = 0; i < m.data.length; i++) if (alpha[i * 4 + 3] > 127) m.data[i] = erase ? 0 : 1;
    m.rle = null; m.canvas = null;
    this.changed();
  }

  // The fill tool: grow from the clicked pixel over 4-connected pixels whose colour is within
  // `fill_tolerance` (per channel) of the clicked one ("region"), or over the label's unpainted
  // mask ("empty"), at most `fill_max_pixels`, and add them to the label's mask. The image is
  // read at full size from what the page shows (a preview of a large image is scaled up).
  floodFill(p) {
    const w = this.width; const h = this.height;
    const x0 = Math.min(w - 1, Math.floor(p.x)); const y0 = Math.min(h - 1, Math.floor(p.y));
    let m = this.masks.get(this.label);
    const painted = m ? m.data : new Uint8ClampedArray(w * h);
    let pixels = null;
    if ((this.config.fill_mode || "region") === "region") {
      const c = document.createElement("canvas"); c.width = w; c.height = h;
      const ctx = c.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(this.img, 0, 0, w, h);
      try { pixels = ctx.getImageData(0, 0, w, h).data; } catch (_) { this.say("This image cannot be read for filling (another site)."); return; }
    }
    const tol = this.config.fill_tolerance ?? 32; const limit = this.config.fill_max_pixels || 4e6;
    const start = (y0 * w + x0) * 4;
    const same = (i) => {
      if (painted[i]) return false;
      if (!pixels) return true;
      const o = i * 4;
      return Math.abs(pixels[o] - pixels[start]) <= tol && Math.abs(pixels[o + 1] - pixels[start + 1]) <= tol && Math.abs(pixels[o + 2] - pixels[start + 2]) <= tol;
    };
    const seen = new Uint8Array(w * h); const stack = [y0 * w + x0]; const grown = [];
    seen[stack[0]] = 1;
    while (stack.length) {
      const i = stack.pop();
      if (!same(i)) continue;
      grown.push(i);
      if (grown.length > limit) { this.say(`The fill would cover more than ${limit.toLocaleString()} pixels; nothing was filled.`); return; }
      const x = i % w;
      for (const j of [x > 0 ? i - 1 : -1, x < w - 1 ? i + 1 : -1, i - w, i + w]) {
        if (j >= 0 && j < w * h && !seen[j]) { seen[j] = 1; stack.push(j); }
      }
    }
    if (!grown.length) return;
    this.record();
    if (!m) {
      m = { label: this.label, w, h, data: painted, color: this.colorOf(this.label), canvas: null };
      this.masks.set(this.label, m);
    }
    for (const i of grown) m.data[i] = 1;
    m.rle = null; m.canvas = null;
    this.say(`Filled ${grown.length.toLocaleString()} pixels.`);
    this.changed();
  }

  hit(e) {
    const t = e.target;
    if (t.dataset && t.dataset.handle !== undefined) return { handle: Number(t.dataset.handle) };
    if (t.dataset && t.dataset.index !== undefined) return { index: Number(t.dataset.index) };
    const g = t.closest && t.closest("[data-index]");
    return g ? { index: Number(g.dataset.index) } : {};
  }

  bindStage() {
    let drag = null; let space = false;
    const stage = this.stage;
    stage.addEventListener("wheel", (e) => {
      if (!e.ctrlKey || !this.config.zoom_enabled) return;
      e.preventDefault();
      this.zoomBy(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
    }, { passive: false });
    stage.addEventListener("pointerdown", (e) => {
      stage.focus({ preventScroll: true });
      if (e.button === 1 || (e.button === 0 && space)) {
        if (!this.config.pan_enabled) return;
        drag = { pan: true, x: e.clientX, y: e.clientY, px: this.panX, py: this.panY };
      } else if (e.button !== 0) return;
      else {
        const p = this.point(e);
        const hit = this.hit(e);
        if (this.tool === "select" || hit.handle !== undefined) {
          if (hit.handle !== undefined) { this.record(); drag = { handle: hit.handle }; } else if (hit.index !== undefined) {
            this.selected = hit.index; this.record(); drag = { move: true, last: this.norm(p), moved: false };
          } else { this.selected = -1; }
          this.render();
        } else if (this.tool === "bbox" || this.tool === "ellipse") {
          this.draft = { tool: this.tool, start: p, rect: { x: p.x, y: p.y, w: 0, h: 0 } }; drag = { draw: true };
        } else if (["polygon", "polyline", "keypoint_set"].includes(this.tool)) {
          if (!this.draft || this.draft.tool !== this.tool) this.draft = { tool: this.tool, points: [] };
          const first = this.draft.points[0];
          const near = first && Math.hypot(first.x - p.x, first.y - p.y) < 8 * this.unitsPerPx();
          if (this.tool === "polygon" && near && this.draft.points.length >= 3) this.finishDraft();
          else { this.draft.points.push(p); this.render(); }
        } else if (this.tool === "landmark") {
          this.addShape("landmark", this.norm(p));
        } else if (this.tool === "fill" && !this.masksOff) {
          this.floodFill(p);
        } else if (MASK_TOOLS.has(this.tool) && this.masksOff) {
          this.say("Brush masks are not available on an image this large; use polygons.");
        } else if (MASK_TOOLS.has(this.tool)) {
          const size = this.tool === "eraser" ? this.config.eraser_size : this.config.brush_size;
          this.draft = { stroke: [p], size, erase: this.tool === "eraser" }; drag = { paint: true };
          this.render();
        }
      }
      if (drag) stage.setPointerCapture(e.pointerId);
    });
    stage.addEventListener("pointermove", (e) => {
      if (!drag) {
        if (this.draft && this.draft.points) { this.draft.hover = this.point(e); this.render(); }
        return;
      }
      if (drag.pan) { this.panX = drag.px + e.clientX - drag.x; this.panY = drag.py + e.clientY - drag.y; this.applyView(); return; }
      const p = this.point(e);
      if (drag.draw) {
        const s = this.draft.start;
        this.draft.rect = { x: Math.min(s.x, p.x), y: Math.min(s.y, p.y), w: Math.abs(p.x - s.x), h: Math.abs(p.y - s.y) };
      } else if (drag.paint) this.draft.stroke.push(p);
      else if (drag.handle !== undefined) this.dragHandle(this.shapes[this.selected], drag.handle, p);
      else if (drag.move) {
        const n = this.norm(p);
        this.moveShape(this.shapes[this.selected], n.x - drag.last.x, n.y - drag.last.y);
        drag.last = n; drag.moved = true;
      }
      this.render();
    });
    const end = () => {
      if (!drag) return;
      const d = drag; drag = null;
      if (d.draw) {
        const r = this.draft.rect; const tool = this.draft.tool; this.draft = null;
        if (r.w < 2 || r.h < 2) { this.render(); return; }
        if (tool === "bbox") this.addShape("bbox", { x: r.x / this.width, y: r.y / this.height, width: r.w / this.width, height: r.h / this.height });
        else this.addShape("ellipse", { cx: (r.x + r.w / 2) / this.width, cy: (r.y + r.h / 2) / this.height, rx: r.w / 2 / this.width, ry: r.h / 2 / this.height, angle: 0 });
      } else if (d.paint) {
        const { stroke, size, erase } = this.draft; this.draft = null;
        this.paint(stroke, size, erase);
      } else if (d.handle !== undefined || (d.move && d.moved)) {
        delete this.shapes[this.selected].id;
        this.changed();
      } else if (d.move) this.undoStack.pop(); // a click that selected without moving
    };
    stage.addEventListener("pointerup", end);
    stage.addEventListener("pointercancel", end);
    stage.addEventListener("dblclick", (e) => { if (this.draft && this.draft.points) { e.preventDefault(); this.draft.points.pop(); this.finishDraft(); } });
    document.addEventListener("keydown", (e) => { if (e.key === " " && document.activeElement === stage) { space = true; e.preventDefault(); } });
    document.addEventListener("keyup", (e) => { if (e.key === " ") space = false; });
    window.addEventListener("resize", () => this.fit());
  }

  // keys: true when consumed
  key(e) {
    const k = e.key.toLowerCase();
    if ((e.ctrlKey || e.metaKey) && k === "z") { if (e.shiftKey) this.redo(); else this.undo(); return true; }
    if ((e.ctrlKey || e.metaKey) && k === "y") { this.redo(); return true; }
    if ((e.ctrlKey || e.metaKey) && k === "d") { this.duplicate(); return true; }
    if (e.ctrlKey || e.metaKey) return false;
    if (this.pages && (e.key === "PageDown" || e.key === "PageUp")) { this.goToPage(this.page + (e.key === "PageDown" ? 1 : -1)); return true; }
    if (e.key === "Enter" && this.draft && this.draft.points) return this.finishDraft();
    if (e.key === "Escape" && (this.draft || this.selected >= 0)) { this.draft = null; this.selected = -1; this.render(); return true; }
    if ((e.key === "Delete" || e.key === "Backspace") && this.selected >= 0) { this.removeSelected(); return true; }
    const labelKey = Object.entries(this.config.keys || {}).find(([key]) => key === k);
    if (labelKey) { this.setLabel(labelKey[1]); return true; }
    const tool = TOOL_KEYS[k];
    if (tool && (tool === "select" || this.config.tools.includes(tool))) { this.setTool(tool); return true; }
    if (this.config.zoom_enabled && (e.key === "+" || e.key === "=")) { this.zoomBy(1.25); return true; }
    if (this.config.zoom_enabled && e.key === "-") { this.zoomBy(0.8); return true; }
    if (this.config.zoom_enabled && e.key === "0") { this.fit(); return true; }
    return false;
  }
}

const editors = [...document.querySelectorAll("fieldset.image-scheme")].map((fs) => new Editor(fs));
window.potatoImageEditors = Object.fromEntries(editors.map((ed) => [ed.name, ed]));
// The editor the annotator last worked in takes the keys (so other schemes' hotkeys keep
// working until the image or its toolbars are used).
let active = null;
for (const ed of editors) {
  ed.fs.addEventListener("focusin", () => { active = ed; });
  ed.mount().then(() => {
    if (ed.stage) {
      ed.stage.addEventListener("pointerdown", () => { active = ed; });
      ed.stage.addEventListener("focus", () => { active = ed; }); // keyboard users
    }
    form.dispatchEvent(new CustomEvent("ia:shapes", { detail: { schema: ed.name } }));
  });
}

document.addEventListener("keydown", (e) => {
  if (!active || e.defaultPrevented || e.altKey || typing(document.activeElement)) return;
  if (active.key(e)) { e.preventDefault(); e.stopPropagation(); }
});

(window.potatoExtras = window.potatoExtras || []).push(() => {
  if (!editors.length) return {};
  return { image_annotations: Object.fromEntries(editors.map((ed) => [ed.name, ed.wire()])) };
});
