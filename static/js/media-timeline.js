// Shared by audio-annotation.js and video-annotation.js: the media source of a scheme,
// waveform peaks from the server, a zoomable timeline canvas with segments that are
// created by dragging and adjusted by dragging their edges, and the segment list.
import { appUrl } from "./app-url.js";

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// The media URL: the scheme's own (source_field), else the item's media element or text.
export function mediaSource(config, kind) {
  if (config.src) return config.src;
  const el = document.querySelector(`.item-display ${kind}[src], .item-display ${kind} source[src]`);
  if (el) return el.getAttribute("src");
  const text = document.getElementById("instance-text");
  const value = text ? text.textContent.trim() : "";
  if (!value || /\s/.test(value)) return null;
  if (/^https?:\/\//i.test(value) || value.startsWith("//")) return value;
  if (value.startsWith("/")) return appUrl(value); // a path on this project's site
  if (/^[a-z][a-z0-9+.-]*:/i.test(value) || value.includes("..")) return null;
  return appUrl(`/project_files/${value}`);
}

export async function loadPeaks(src, endpoint = appUrl("/api/waveform/generate"), field = "audio_url") {
  const res = await fetch(endpoint, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ [field]: src }),
  });
  const made = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(made.error || `waveform failed (${res.status})`);
  const peaks = await fetch(made.waveform_url, { credentials: "same-origin" });
  if (!peaks.ok) throw new Error(`waveform failed (${peaks.status})`);
  return peaks.json();
}

export function fmtTime(t) {
  if (!Number.isFinite(t)) return "0:00.000";
  const m = Math.floor(t / 60);
  const s = (t - m * 60).toFixed(3).padStart(6, "0");
  return `${m}:${s}`;
}

let counter = 0;
export function newId(prefix) {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}`;
}

const EDGE_PX = 6;

// A timeline over [0, duration] drawn on a canvas: peaks (optional), segments, playhead.
export class Timeline {
  constructor(canvas, { duration, peaks, colors, onChange, onSelect, onSeek, activeLabel }) {
    this.canvas = canvas;
    this.duration = duration || 0;
    this.peaks = peaks || null;
    this.colors = colors;
    this.onChange = onChange;
    this.onSelect = onSelect;
    this.onSeek = onSeek;
    this.activeLabel = activeLabel;
    this.segments = [];
    this.selected = null;
    this.zoom = 1;
    this.offset = 0; // seconds at the left edge
    this.playhead = 0;
    this.drag = null;
    canvas.addEventListener("pointerdown", (e) => this.down(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    canvas.addEventListener("pointerup", (e) => this.up(e));
    canvas.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      this.setZoom(this.zoom * (e.deltaY < 0 ? 1.5 : 1 / 1.5));
    }, { passive: false });
  }

  get span() { return this.duration / this.zoom; }
  x(t) { return ((t - this.offset) / this.span) * this.canvas.width; }
  t(clientX) {
    const rect = this.canvas.getBoundingClientRect();
    const px = ((clientX - rect.left) / rect.width) * this.canvas.width;
    return Math.min(this.duration, Math.max(0, this.offset + (px / this.canvas.width) * this.span));
  }

  setZoom(z) {
    this.zoom = Math.min(512, Math.max(1, z));
    this.follow(this.playhead, true);
    this.draw();
  }

  follow(time, center) {
    if (!this.duration) return;
    if (center || time < this.offset || time > this.offset + this.span) {
      this.offset = Math.max(0, Math.min(this.duration - this.span, time - this.span / 2));
    }
  }

  setPlayhead(time) {
    this.playhead = time;
    this.follow(time, false);
    this.draw();
  }

  hit(clientX) {
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / rect.width;
    const px = (clientX - rect.left) * scale;
    for (const seg of [...this.segments].reverse()) {
      const a = this.x(seg.start_time);
      const b = this.x(seg.end_time);
      if (Math.abs(px - a) <= EDGE_PX) return { seg, edge: "start" };
      if (Math.abs(px - b) <= EDGE_PX) return { seg, edge: "end" };
      if (px > a && px < b) return { seg, edge: null };
    }
    return null;
  }

  down(e) {
    if (!this.duration) return;
    this.canvas.setPointerCapture(e.pointerId);
    const hit = this.hit(e.clientX);
    const t = this.t(e.clientX);
    if (hit && hit.edge) this.drag = { kind: "edge", seg: hit.seg, edge: hit.edge };
    else this.drag = { kind: "new", from: t, to: t, hit };
  }

  move(e) {
    if (!this.drag) {
      const hit = this.hit(e.clientX);
      this.canvas.style.cursor = hit && hit.edge ? "ew-resize" : "crosshair";
      return;
    }
    const t = this.t(e.clientX);
    if (this.drag.kind === "edge") {
      const seg = this.drag.seg;
      if (this.drag.edge === "start") seg.start_time = Math.min(t, seg.end_time - 0.01);
      else seg.end_time = Math.max(t, seg.start_time + 0.01);
    } else {
      this.drag.to = t;
    }
    this.draw();
  }

  up(e) {
    const drag = this.drag;
    this.drag = null;
    if (!drag) return;
    if (drag.kind === "edge") {
      drag.seg.start_time = round3(drag.seg.start_time);
      drag.seg.end_time = round3(drag.seg.end_time);
      this.select(drag.seg);
      this.onChange();
      return;
    }
    const a = Math.min(drag.from, drag.to);
    const b = Math.max(drag.from, drag.to);
    const rect = this.canvas.getBoundingClientRect();
    const minSpan = (4 / rect.width) * this.span;
    if (b - a >= minSpan) {
      this.add(a, b);
    } else if (drag.hit) {
      this.select(drag.hit.seg);
    } else {
      this.onSeek(this.t(e.clientX));
    }
    this.draw();
  }

  add(start, end, label) {
    const seg = {
      id: newId("segment"),
      start_time: round3(start),
      end_time: round3(end),
      label: label || this.activeLabel(),
      annotations: {},
    };
    this.segments.push(seg);
    this.select(seg);
    this.onChange();
    return seg;
  }

  remove(seg) {
    this.segments = this.segments.filter((s) => s !== seg);
    if (this.selected === seg) this.selected = null;
    this.onChange();
    this.draw();
  }

  select(seg) {
    this.selected = seg;
    this.onSelect(seg);
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const ctx = c.getContext("2d");
    const w = c.width;
    const h = c.height;
    ctx.clearRect(0, 0, w, h);
    ctx.fillStyle = "#f7f7f9";
    ctx.fillRect(0, 0, w, h);
    if (!this.duration) return;
    for (const seg of this.segments) {
      const a = this.x(seg.start_time);
      const b = this.x(seg.end_time);
      if (b < 0 || a > w) continue;
      ctx.globalAlpha = seg === this.selected ? 0.45 : 0.25;
      ctx.fillStyle = this.colors[seg.label] || "#888";
      ctx.fillRect(a, 0, b - a, h);
      ctx.globalAlpha = 1;
      ctx.fillStyle = "#222";
      ctx.font = "12px sans-serif";
      ctx.fillText(seg.label || "", a + 3, 13);
    }
    if (this.peaks) this.drawPeaks(ctx, w, h);
    if (this.drag && this.drag.kind === "new") {
      const a = this.x(Math.min(this.drag.from, this.drag.to));
      const b = this.x(Math.max(this.drag.from, this.drag.to));
      ctx.fillStyle = "rgba(0, 90, 200, 0.25)";
      ctx.fillRect(a, 0, b - a, h);
    }
    const p = this.x(this.playhead);
    ctx.fillStyle = "#d00";
    ctx.fillRect(p, 0, 2, h);
  }

  drawPeaks(ctx, w, h) {
    // the coarsest level that still has at least one bin per pixel
    const levels = this.peaks.levels || [this.peaks];
    const rate = this.peaks.sample_rate;
    let level = levels[levels.length - 1];
    for (const l of levels) {
      const pxPerBin = (w * l.samples_per_pixel) / (this.span * rate);
      if (pxPerBin <= 1.5) { level = l; break; }
      level = l;
    }
    const data = level.data;
    const binSec = level.samples_per_pixel / rate;
    const mid = h / 2;
    ctx.fillStyle = "#3a6ea5";
    for (let px = 0; px < w; px += 1) {
      const t0 = this.offset + (px / w) * this.span;
      const t1 = this.offset + ((px + 1) / w) * this.span;
      const i0 = Math.floor(t0 / binSec);
      const i1 = Math.max(i0 + 1, Math.ceil(t1 / binSec));
      let lo = 0;
      let hi = 0;
      for (let i = i0; i < i1 && i < level.length; i += 1) {
        lo = Math.min(lo, data[2 * i]);
        hi = Math.max(hi, data[2 * i + 1]);
      }
      const top = mid - (hi / 128) * mid;
      const bottom = mid - (lo / 128) * mid;
      ctx.fillRect(px, top, 1, Math.max(1, bottom - top));
    }
  }
}

export function round3(t) {
  return Math.round(t * 1000) / 1000;
}

// The list of segments under a timeline: select, relabel, delete.
export function renderList(list, timeline, labels, onChange) {
  list.replaceChildren();
  const sorted = [...timeline.segments].sort((a, b) => a.start_time - b.start_time);
  for (const seg of sorted) {
    const li = document.createElement("li");
    li.className = "media-segment" + (seg === timeline.selected ? " selected" : "");
    li.dataset.segmentId = seg.id;
    const time = document.createElement("button");
    time.type = "button";
    time.className = "media-seg-time";
    time.textContent = `${fmtTime(seg.start_time)} – ${fmtTime(seg.end_time)}`;
    time.addEventListener("click", () => timeline.select(seg));
    const select = document.createElement("select");
    select.setAttribute("aria-label", "Segment label");
    for (const label of labels) {
      const opt = document.createElement("option");
      opt.value = label.name;
      opt.textContent = label.text;
      opt.selected = label.name === seg.label;
      select.append(opt);
    }
    select.addEventListener("change", (e) => {
      e.stopPropagation();
      seg.label = select.value;
      onChange();
      timeline.draw();
    });
    const del = document.createElement("button");
    del.type = "button";
    del.textContent = "Delete";
    del.className = "media-seg-delete";
    del.addEventListener("click", () => timeline.remove(seg));
    li.append(time, select, del);
    list.append(li);
  }
}

// Is the keyboard event aimed at a text field (then the widget leaves it alone)?
export function typingTarget(e) {
  const el = e.target;
  return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["checkbox", "radio", "button", "hidden"].includes(el.type)));
}

// Run `setup(fieldset, parts)` for every scheme of `type` on the page; `parts` are what every
// media scheme reads first: its config, a role finder, its hidden `_data` input, label colours.
export function eachMediaScheme(type, setup) {
  for (const fieldset of document.querySelectorAll(`fieldset[data-type="${type}"]`)) {
    const config = JSON.parse(fieldset.dataset.config);
    setup(fieldset, {
      config,
      q: (role) => fieldset.querySelector(`[data-role="${role}"]`),
      input: fieldset.querySelector('input[data-label="_data"]'),
      colors: Object.fromEntries(config.labels.map((l) => [l.name, l.color])),
    });
  }
}
