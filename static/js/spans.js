// Span, link and event annotation on the annotation page, plus keyword highlights.
// Plain ES module, no build step. Offsets are Unicode code points of the original text:
// the text comes from a JSON blob (not the DOM, which would turn \r\n into \n), is split with
// Array.from (one element per code point) and every DOM offset is converted back by counting
// code points, never UTF-16 units. Changes are saved by annotate.js's autosave: this script
// adds span_annotations / link_annotations / event_annotations to each save.

import { t } from "./i18n.js";
import { appUrl } from "./app-url.js";

const page = JSON.parse(document.getElementById("span-page").textContent);
const form = document.getElementById("annotation-form");
// The texts spans go on: the item text, and in Potato's multi-span mode the other display
// fields marked span_target (page.targets: field -> text), whose spans carry target_field.
const targets = [{ el: document.getElementById("instance-text"), chars: Array.from(page.text), tag: page.text_tag || null, main: true }];
for (const node of document.querySelectorAll("[data-span-field]")) {
  const field = node.dataset.spanField;
  if (page.targets && Object.hasOwn(page.targets, field)) {
    targets.push({ el: node, chars: Array.from(page.targets[field]), tag: field, main: false });
  }
}
let target = targets[0]; // the text the selection, caret and keys work on
let textEl = target.el;
let chars = target.chars;

function targetOf(node) {
  return node ? targets.find((t) => t.el.contains(node)) : undefined;
}

function use(t) {
  if (!t || t === target) return;
  target = t;
  textEl = t.el;
  chars = t.chars;
  segments = [];
}

// A scheme with target_field labels spans on that field only.
function labelsHere(schema) {
  const only = schemes[schema].target_field;
  return !only || only === (target.main ? page.text_field : target.tag);
}

function onTarget(t, span) {
  const field = span.target_field || null;
  const extra = targets.some((o) => !o.main && o.tag === field);
  return t.main ? !extra : field === t.tag;
}
const schemes = page.schemes;
const names = Object.keys(schemes);
const spanSchemes = names.filter((n) => schemes[n].type === "span");
const state = Object.fromEntries(names.map((n) => [n, structuredClone(schemes[n].entries || [])]));

let pending = null; // {start, end}: the current text selection, in code points
let segments = []; // earlier pieces of a discontinuous span (Ctrl+select)
let selected = null; // {schema, id}: the span picked by clicking its tag
let justMade = null; // {schema, id}: the span labelled last, until something else is chosen
let activeScheme = spanSchemes[0] || null;
let draft = null; // a link or event being built: {schema, kind, type, ids | trigger, args, role}

// --- text rendering -------------------------------------------------------------------------
function allSpans() {
  const out = [];
  for (const schema of spanSchemes) {
    for (const span of state[schema]) {
      const segs = span.segments || [[span.start, span.end]];
      out.push({ ...span, schema, segs, color: schemes[schema].colors[span.label] || "#888" });
    }
  }
  return out;
}

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "style") node.style.cssText = v;
    else if (k.startsWith("data-") || k.startsWith("aria-") || k === "title" || k === "role") node.setAttribute(k, v);
    else node[k] = v;
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderText() {
  for (const t of targets) renderTarget(t);
}

function renderTarget(t) {
  const { el: host, chars } = t;
  const keywords = t.main ? page.keywords : [];
  const pieces = t === target ? segments : []; // a discontinuous span being built
  // A span tag with the keyboard focus keeps it across the redraw (keyboard linking).
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".span-tag");
  const refocus = focused && host.contains(focused) ? focused.dataset.spanId : null;
  const spans = allSpans().filter((s) => onTarget(t, s));
  const cuts = new Set([0, chars.length]);
  for (const s of spans) for (const [a, b] of s.segs) { cuts.add(a); cuts.add(b); }
  for (const k of keywords) { cuts.add(k.start); cuts.add(k.end); }
  for (const [a, b] of pieces) { cuts.add(a); cuts.add(b); }
  const points = [...cuts].sort((x, y) => x - y);
  const frag = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const covering = spans.filter((s) => s.segs.some(([x, y]) => x <= a && b <= y))
      .sort((p, q) => (q.end - q.start) - (p.end - p.start)); // outer first
    const piece = el("span", { className: "piece", "data-cp": String(a) }, chars.slice(a, b).join(""));
    if (covering.length) {
      const inner = covering[covering.length - 1];
      piece.classList.add("marked");
      piece.style.setProperty("--c", inner.color);
      // One underline band per span, innermost lowest: nesting and overlap stay visible.
      const bands = covering.slice().reverse().map((s, k) => `inset 0 -${2 * (k + 1)}px 0 ${s.color}`);
      piece.style.boxShadow = bands.join(", ");
      piece.style.paddingBottom = `${2 * covering.length}px`;
      if (selected && covering.some((s) => s.schema === selected.schema && s.id === selected.id)) {
        piece.classList.add("selected");
      }
    }
    const kw = keywords.filter((k) => k.start <= a && b <= k.end);
    if (kw.length) {
      piece.classList.add("keyword");
      piece.style.setProperty("--k", kw[0].color);
      piece.title = kw.map((k) => k.reasoning).join("\n");
    }
    if (pieces.some(([x, y]) => x <= a && b <= y)) piece.classList.add("pending-segment");
    frag.append(piece);
    // A tag after the last piece of each span: click it to select, link or use in an event.
    for (const s of spans.filter((sp) => sp.segs[sp.segs.length - 1][1] === b)) {
      const isSel = selected && selected.schema === s.schema && selected.id === s.id;
      const inDraft = draft && spanInDraft(s.id);
      frag.append(el("button", {
        type: "button",
        className: "span-tag" + (isSel ? " selected" : "") + (inDraft ? " in-draft" : ""),
        "data-span-id": s.id,
        "data-schema": s.schema,
        "data-label": s.label,
        ...(schemes[s.schema].show_span_labels === false ? { "data-hide-label": "1" } : {}),
        "aria-label": `${s.label}: ${s.text}`,
        title: `${s.label}: ${s.text}`,
        style: `--c: ${s.color}`,
      }));
    }
  }
  host.replaceChildren(frag);
  if (refocus) {
    const tag = host.querySelector(`.span-tag[data-span-id="${CSS.escape(refocus)}"]`);
    if (tag) tag.focus();
  }
}

// --- lists under each scheme ----------------------------------------------------------------
function spanById(schema, id) {
  return state[schema].find((s) => s.id === id);
}

function describeSpan(schema, id) {
  const s = spanById(schema, id);
  return s ? `${s.label} “${s.text}”` : `(missing ${id})`;
}

function removeButton(onClick, what) {
  const b = el("button", { type: "button", className: "remove", "aria-label": what, title: what }, "×");
  b.addEventListener("click", (e) => { e.stopPropagation(); onClick(); });
  return b;
}

function renderLists() {
  for (const schema of names) {
    const info = schemes[schema];
    const list = form.querySelector(
      info.type === "span" ? `[data-span-list="${CSS.escape(schema)}"]`
        : info.type === "span_link" ? `[data-link-list="${CSS.escape(schema)}"]`
          : `[data-event-list="${CSS.escape(schema)}"]`);
    if (!list) continue;
    const items = [];
    for (const entry of state[schema]) {
      let li;
      if (info.type === "span") {
        li = el("li", { className: "entry", "data-span-id": entry.id, style: `--c: ${info.colors[entry.label]}` });
        li.append(el("span", { className: "chip" }), el("strong", {}, entry.label), ` “${entry.text}”`);
        if (selected && selected.schema === schema && selected.id === entry.id) li.classList.add("selected");
        if (entry.kb_id) li.append(el("span", { className: "kb", title: `${entry.kb_source}:${entry.kb_id}` }, `→ ${entry.kb_label || entry.kb_id}`));
        li.addEventListener("click", () => selectSpan(schema, entry.id));
        if (info.entity_linking) {
          const linkBtn = el("button", { type: "button", className: "kb-link", title: t("kb_link"), "aria-label": t("kb_link_entry", { text: entry.text }) }, "🔗");
          linkBtn.addEventListener("click", (e) => { e.stopPropagation(); openKbSearch(schema, entry.id, li); });
          li.append(linkBtn);
        }
        li.append(removeButton(() => deleteSpan(schema, entry.id), t("remove_span", { label: entry.label })));
      } else if (info.type === "span_link") {
        const arrow = entry.direction === "directed" ? " → " : " — ";
        li = el("li", { className: "entry link-entry", "data-link-id": entry.id, style: `--c: ${info.colors[entry.link_type]}` });
        const what = el("span", { className: "entry-text" });
        what.append(el("strong", {}, entry.link_type), ": " +
          entry.span_ids.map((id) => describeSpan(info.span_schema, id)).join(arrow));
        li.append(el("span", { className: "chip" }), what);
        li.append(removeButton(() => removeEntry(schema, entry.id), t("remove_link", { type: entry.link_type })));
      } else {
        li = el("li", { className: "entry event-entry", "data-event-id": entry.id, style: `--c: ${info.colors[entry.event_type]}` });
        const args = entry.arguments.map((a) => `${a.role}: ${describeSpan(info.span_schema, a.span_id)}`);
        const what = el("span", { className: "entry-text" });
        what.append(el("strong", {}, entry.event_type),
          ` ${describeSpan(info.span_schema, entry.trigger_span_id)}` + (args.length ? ` (${args.join("; ")})` : ""));
        li.append(el("span", { className: "chip" }), what);
        li.append(removeButton(() => removeEntry(schema, entry.id), t("remove_event", { type: entry.event_type })));
      }
      items.push(li);
    }
    list.replaceChildren(...items);
  }
  renderDraft();
}

const renderHooks = []; // other span-family modules (coreference.js) redraw with the spans

function render() {
  renderText();
  renderLists();
  for (const hook of renderHooks) hook();
}

function changed() {
  render();
  form.dispatchEvent(new CustomEvent("potato:changed"));
}

// --- offsets ----------------------------------------------------------------------------------
// Code points of text between the start of the item text and (node, offset). Only the pieces
// hold text (tags are empty buttons), so the range's string is exactly the text before.
function codePointOffset(node, offset) {
  const r = document.createRange();
  r.setStart((targetOf(node) || target).el, 0);
  r.setEnd(node, offset);
  return Array.from(r.toString()).length;
}

function selectionOffsets() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const r = sel.getRangeAt(0);
  const t = targetOf(r.startContainer);
  if (!t || !t.el.contains(r.endContainer)) return null;
  let start = codePointOffset(r.startContainer, r.startOffset);
  let end = codePointOffset(r.endContainer, r.endOffset);
  // Trim surrounding whitespace, as annotators rarely mean to label it.
  while (start < end && /\s/u.test(t.chars[start])) start++;
  while (end > start && /\s/u.test(t.chars[end - 1])) end--;
  return end > start ? { start, end, target: t } : null;
}

function domPoint(cp) {
  for (const piece of textEl.querySelectorAll(".piece")) {
    const a = Number(piece.dataset.cp);
    const text = piece.firstChild ? piece.firstChild.data : "";
    const len = Array.from(text).length;
    if (cp <= a + len) {
      const units = Array.from(text).slice(0, cp - a).join("").length;
      return [piece.firstChild || piece, units];
    }
  }
  return [textEl, textEl.childNodes.length];
}

function showSelection(start, end) {
  const sel = window.getSelection();
  const r = document.createRange();
  const [n1, o1] = domPoint(Math.min(start, end));
  const [n2, o2] = domPoint(Math.max(start, end));
  r.setStart(n1, o1);
  r.setEnd(n2, o2);
  sel.removeAllRanges();
  sel.addRange(r);
}

// --- span edits -------------------------------------------------------------------------------
function newSpanId(schema, label, start, end) {
  const base = `${schema}_${label}_${start}_${end}`.replace(/[^A-Za-z0-9_.-]/g, "_");
  const taken = new Set(state[schema].map((s) => s.id));
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
  return id;
}

function applyLabel(schema, label) {
  activeScheme = schema;
  if (!labelsHere(schema) && !(selected && selected.schema === schema && !pending)) return false;
  if (selected && selected.schema === schema && !pending) {
    const span = spanById(schema, selected.id);
    if (span) { span.label = label; changed(); }
    return true;
  }
  const parts = [...segments];
  if (pending) parts.push([pending.start, pending.end]);
  if (!parts.length) return false;
  parts.sort((a, b) => a[0] - b[0]);
  const start = parts[0][0];
  const end = parts[parts.length - 1][1];
  const span = { label, start, end };
  if (target.tag) span.target_field = target.tag;
  if (parts.length > 1 && schemes[schema].allow_discontinuous) {
    span.segments = parts;
    span.text = parts.map(([a, b]) => chars.slice(a, b).join("")).join(" … ");
  } else {
    span.start = parts[parts.length - 1][0];
    span.end = parts[parts.length - 1][1];
    span.text = chars.slice(span.start, span.end).join("");
  }
  const same = state[schema].find((s) => s.label === label && s.start === span.start && s.end === span.end &&
    (s.target_field || null) === (span.target_field || null) &&
    JSON.stringify(s.segments || null) === JSON.stringify(span.segments || null));
  if (!same) {
    span.id = newSpanId(schema, label, span.start, span.end);
    state[schema].push(span);
    state[schema].sort((a, b) => a.start - b.start || b.end - a.end);
  }
  pending = null;
  segments = [];
  // Nothing stays selected: the next label key must not relabel the span just made (click
  // or Tab to a span to relabel it). Tools that act on "this mention" (coreference's New
  // chain) still get it until something else is chosen.
  selected = null;
  justMade = { schema, id: (same || span).id };
  focus = anchor = span.end;
  window.getSelection().removeAllRanges();
  changed();
  drawCaret();
  return true;
}

function deleteSpan(schema, id) {
  state[schema] = state[schema].filter((s) => s.id !== id);
  if (selected && selected.id === id) selected = null;
  if (justMade && justMade.id === id) justMade = null;
  pruneReferences();
  changed();
}

// Links and events on a deleted span go with it (the server does the same).
function pruneReferences() {
  for (const name of names) {
    const info = schemes[name];
    if (info.type === "span") continue;
    const ids = new Set(state[info.span_schema].map((s) => s.id));
    if (info.type === "span_link") {
      state[name] = state[name].filter((l) => l.span_ids.every((id) => ids.has(id)));
    } else if (!info.event_types) { // chains: a deleted mention leaves its chain
      state[name] = state[name].map((c) => ({ ...c, span_ids: c.span_ids.filter((id) => ids.has(id)) }))
        .filter((c) => c.span_ids.length);
    } else {
      state[name] = state[name].filter((e) => ids.has(e.trigger_span_id)).map((e) => ({
        ...e, arguments: e.arguments.filter((a) => ids.has(a.span_id)),
      })).filter((e) => {
        const kind = info.event_types.find((t) => t.type === e.event_type);
        const roles = new Set(e.arguments.map((a) => a.role));
        return !kind || kind.arguments.every((r) => !r.required || roles.has(r.role));
      });
    }
  }
}

function removeEntry(schema, id) {
  state[schema] = state[schema].filter((e) => e.id !== id);
  changed();
}

function selectSpan(schema, id) {
  selected = selected && selected.schema === schema && selected.id === id ? null : { schema, id };
  justMade = null;
  if (selected) activeScheme = schema;
  pending = null;
  render();
}

// --- links and events -------------------------------------------------------------------------
function spanInDraft(id) {
  if (!draft) return false;
  if (draft.kind === "link") return draft.ids.includes(id);
  return draft.trigger === id || draft.args.some((a) => a.span_id === id);
}

function startDraft(schema, kind, type) {
  if (draft && draft.schema === schema && draft.type === type) { draft = null; render(); return; }
  draft = kind === "link" ? { schema, kind, type, ids: [] } : { schema, kind, type, trigger: null, args: [], role: null };
  selected = null;
  render();
}

function useSpanInDraft(spanSchema, id) {
  const info = schemes[draft.schema];
  if (info.span_schema !== spanSchema) return;
  if (draft.kind === "link") {
    const at = draft.ids.indexOf(id);
    if (at >= 0) draft.ids.splice(at, 1); else draft.ids.push(id);
    const kind = info.link_types.find((t) => t.name === draft.type);
    // Started from a span with its key: the link is added once it has all its spans.
    if (draft.auto && kind && draft.ids.length >= (kind.max_spans || 2)) return addDraft();
  } else if (draft.role) {
    draft.args = draft.args.filter((a) => !(a.role === draft.role && a.span_id === id));
    draft.args.push({ role: draft.role, span_id: id });
    draft.role = null;
  } else {
    draft.trigger = draft.trigger === id ? null : id;
  }
  render();
}

function renderDraft() {
  for (const box of form.querySelectorAll("[data-link-draft], [data-event-draft]")) {
    const schema = box.dataset.linkDraft || box.dataset.eventDraft;
    const mine = draft && draft.schema === schema;
    box.hidden = !mine;
    for (const b of form.querySelectorAll(`[data-link-scheme="${CSS.escape(schema)}"], [data-event-scheme="${CSS.escape(schema)}"]`)) {
      b.classList.toggle("active", Boolean(mine && (b.dataset.linkType || b.dataset.eventType) === draft.type));
    }
    if (!mine) continue;
    const info = schemes[schema];
    const text = box.querySelector(".draft-text");
    if (draft.kind === "link") {
      text.textContent = draft.ids.length
        ? `${draft.type}: ${draft.ids.map((id) => describeSpan(info.span_schema, id)).join(" → ")}`
        : `${draft.type}: click the tags of the spans to link (source first).`;
    } else {
      const kind = info.event_types.find((t) => t.type === draft.type);
      text.textContent = draft.trigger
        ? `${draft.type}, trigger ${describeSpan(info.span_schema, draft.trigger)}` +
          draft.args.map((a) => `; ${a.role}: ${describeSpan(info.span_schema, a.span_id)}`).join("")
        : `${draft.type}: click the trigger span's tag.`;
      const roles = box.querySelector(".roles");
      roles.replaceChildren(...kind.arguments.map((r) => {
        const b = el("button", { type: "button", className: "role" + (draft.role === r.role ? " active" : ""), "data-role": r.role },
          r.role + (r.required ? " *" : ""));
        b.addEventListener("click", () => { draft.role = draft.role === r.role ? null : r.role; render(); });
        return b;
      }));
    }
  }
}

function addDraft() {
  if (!draft) return;
  const d = draft;
  if (d.kind === "link") {
    if (d.ids.length < 2) return;
    const directed = schemes[d.schema].link_types.find((t) => t.name === d.type).directed;
    state[d.schema].push({ id: `link_${Date.now().toString(36)}_${state[d.schema].length}`, link_type: d.type,
      span_ids: [...d.ids], direction: directed ? "directed" : "undirected" });
  } else {
    if (!d.trigger) return;
    state[d.schema].push({ id: `event_${Date.now().toString(36)}_${state[d.schema].length}`, event_type: d.type,
      trigger_span_id: d.trigger, arguments: d.args });
  }
  draft = null;
  changed();
}

// --- entity linking: search a knowledge base, store the chosen entry on the span ---------------
function openKbSearch(schema, id, li) {
  const span = spanById(schema, id);
  const kbs = schemes[schema].entity_linking.knowledge_bases;
  const box = el("div", { className: "kb-search", role: "dialog", "aria-label": t("kb_dialog") });
  const input = el("input", { type: "search", value: span.text, "aria-label": t("kb_query") });
  const kbSelect = el("select", { "aria-label": t("kb_select") });
  for (const name of kbs) kbSelect.append(el("option", { value: name }, name));
  const results = el("ul", { className: "kb-results" });
  const note = el("p", { className: "hint" });
  async function search() {
    note.textContent = t("searching");
    try {
      const url = appUrl(`/api/entity_linking/search?q=${encodeURIComponent(input.value)}&kb=${encodeURIComponent(kbSelect.value)}`);
      const res = await fetch(url, { credentials: "same-origin" });
      const data = await res.json();
      if (!res.ok) throw new Error(data.error || res.status);
      note.textContent = data.results.length ? "" : t("no_match");
      results.replaceChildren(...data.results.map((r) => {
        const pick = el("button", { type: "button", className: "kb-result" }, `${r.label} (${r.entity_id})`);
        pick.append(el("span", { className: "hint" }, r.description ? ` — ${r.description}` : ""));
        pick.addEventListener("click", () => {
          Object.assign(span, { kb_id: r.entity_id, kb_source: r.kb_source, kb_label: r.label });
          changed();
        });
        return el("li", {}, "").appendChild(pick).parentNode;
      }));
    } catch (err) { note.textContent = t("search_failed", { error: err.message }); }
  }
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { e.preventDefault(); e.stopPropagation(); search(); }
    if (e.key === "Escape") { e.stopPropagation(); box.remove(); }
  });
  const go = el("button", { type: "button" }, t("search"));
  go.addEventListener("click", search);
  const unlink = el("button", { type: "button" }, t("unlink"));
  unlink.addEventListener("click", () => {
    delete span.kb_id; delete span.kb_source; delete span.kb_label;
    changed();
  });
  box.append(input, kbSelect, go, ...(span.kb_id ? [unlink] : []), note, results);
  box.addEventListener("click", (e) => e.stopPropagation());
  li.after(box);
  input.focus();
  search();
}

// --- the save body ----------------------------------------------------------------------------
function body() {
  const out = {};
  for (const schema of names) {
    const key = schemes[schema].wire_field; // the body field its entries go in (the scheme says)
    out[key] = out[key] || {};
    out[key][schema] = state[schema].map((e) => {
      if (schemes[schema].type !== "span") return e;
      const sent = { id: e.id, label: e.label, start: e.start, end: e.end };
      if (e.segments) sent.segments = e.segments; else sent.text = e.text;
      for (const k of ["kb_id", "kb_source", "kb_label", "target_field"]) if (e[k]) sent[k] = e[k];
      return sent;
    });
  }
  return out;
}
(window.potatoExtras = window.potatoExtras || []).push(body);

// For the span family's other modules (coreference.js): the live entries, the selected span,
// and a way to redraw and save after changing them.
window.potatoSpans = {
  state,
  schemes,
  selected: () => selected || justMade,
  describeSpan,
  changed,
  onRender: (hook) => { renderHooks.push(hook); hook(); },
};

// --- events -----------------------------------------------------------------------------------
document.addEventListener("selectionchange", () => {
  drawCaret();
  const offsets = selectionOffsets();
  if (offsets) {
    use(offsets.target);
    pending = offsets; justMade = null; if (selected) { selected = null; renderLists(); } return;
  }
  const sel = window.getSelection();
  if (sel && sel.rangeCount && targetOf(sel.anchorNode)) pending = null;
});

for (const t of targets) t.el.addEventListener("mouseup", (e) => {
  use(t);
  const offsets = selectionOffsets();
  const sel = window.getSelection();
  if (offsets) { anchor = offsets.start; focus = offsets.end; }
  else if (sel && sel.rangeCount && t.el.contains(sel.focusNode)) {
    focus = anchor = codePointOffset(sel.focusNode, sel.focusOffset);
  }
  const schema = activeScheme && schemes[activeScheme];
  if (offsets && (e.ctrlKey || e.metaKey) && schema && schema.allow_discontinuous) {
    segments.push([offsets.start, offsets.end]);
    pending = null;
    window.getSelection().removeAllRanges();
    renderText();
  }
});

for (const t of targets) t.el.addEventListener("click", (e) => {
  const tag = e.target.closest(".span-tag");
  if (!tag) return;
  e.preventDefault();
  if (draft) useSpanInDraft(tag.dataset.schema, tag.dataset.spanId);
  else selectSpan(tag.dataset.schema, tag.dataset.spanId);
});

form.addEventListener("mousedown", (e) => {
  // Keep the text selection when a label button is pressed.
  if (e.target.closest(".span-label")) e.preventDefault();
});

form.addEventListener("click", (e) => {
  const label = e.target.closest(".span-label");
  if (label) {
    if (!applyLabel(label.dataset.spanScheme, label.dataset.spanLabel)) {
      activeScheme = label.dataset.spanScheme;
    }
    return;
  }
  const linkType = e.target.closest(".link-type");
  if (linkType) return startDraft(linkType.dataset.linkScheme, "link", linkType.dataset.linkType);
  const eventType = e.target.closest(".event-type");
  if (eventType) return startDraft(eventType.dataset.eventScheme, "event", eventType.dataset.eventType);
  if (e.target.closest("[data-add-link], [data-add-event]")) return addDraft();
  if (e.target.closest("[data-cancel]")) { draft = null; render(); }
});

function moveBy(index, step, byWord) {
  let i = index + step;
  if (byWord) {
    const word = (k) => /[\p{L}\p{N}\p{M}]/u.test(chars[k] || "");
    if (step > 0) { while (i < chars.length && !word(i - 1)) i++; while (i < chars.length && word(i)) i++; }
    else { while (i > 0 && !word(i)) i--; while (i > 0 && word(i - 1)) i--; }
  }
  return Math.max(0, Math.min(chars.length, i));
}

let anchor = 0;
let focus = 0;

function linkTypeByNumber(spanSchema, n) {
  for (const name of names) {
    const info = schemes[name];
    if (info.type === "span_link" && info.span_schema === spanSchema && info.link_types[n]) {
      return { schema: name, type: info.link_types[n].name };
    }
  }
  return null;
}

function keySchemes(key) {
  const order = activeScheme ? [activeScheme, ...spanSchemes.filter((s) => s !== activeScheme)] : spanSchemes;
  for (const schema of order.filter(labelsHere)) {
    const label = Object.entries(schemes[schema].keys || {}).find(([k]) => k === key);
    if (label) return [schema, label[1]];
  }
  return null;
}

document.addEventListener("keydown", (e) => {
  if (e.altKey || e.metaKey) return;
  const el = document.activeElement;
  if (el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || (el.tagName === "INPUT" && !["radio", "checkbox", "range"].includes(el.type)))) return;
  const inTarget = targetOf(el);
  if (inTarget) use(inTarget);
  const inText = Boolean(inTarget);
  if (inText && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
    const step = e.key === "ArrowRight" ? 1 : -1;
    if (e.shiftKey) {
      const current = selectionOffsets();
      if (!current) { anchor = focus; }
      focus = moveBy(focus, step, e.ctrlKey);
      showSelection(anchor, focus);
      // Now, not on selectionchange (a later task): a label key pressed at once must see it.
      pending = selectionOffsets();
      e.preventDefault();
      return;
    }
    if (e.ctrlKey) { // Ctrl+arrow moves the caret by word (plain arrows change items)
      focus = anchor = moveBy(pending ? (step > 0 ? pending.end : pending.start) : focus, step, true);
      window.getSelection().removeAllRanges();
      pending = null;
      drawCaret();
      e.preventDefault();
      return;
    }
    if (pending) { // collapse the selection instead of leaving the item
      focus = anchor = step > 0 ? pending.end : pending.start;
      window.getSelection().removeAllRanges();
      pending = null;
      drawCaret();
      e.preventDefault();
    }
    return;
  }
  if (e.ctrlKey) return;
  if (e.key === "Escape" && (selected || draft || pending || segments.length)) {
    selected = null; justMade = null; draft = null; pending = null; segments = [];
    window.getSelection().removeAllRanges();
    render();
    e.preventDefault();
    return;
  }
  if ((e.key === "Delete" || e.key === "Backspace") && selected) {
    deleteSpan(selected.schema, selected.id);
    e.preventDefault();
    return;
  }
  // Shift+1..9 with a span selected: start the link type with that number from the span;
  // the next span tag chosen (Tab, Enter) completes it.
  if (e.shiftKey && /^Digit[1-9]$/.test(e.code) && selected && !pending) {
    const hit = linkTypeByNumber(selected.schema, Number(e.code.slice(5)) - 1);
    if (hit) {
      const source = selected.id;
      startDraft(hit.schema, "link", hit.type);
      draft.ids = [source];
      draft.auto = true;
      render();
      e.preventDefault();
      e.stopPropagation();
      return;
    }
  }
  if (e.key.length === 1 && (pending || segments.length || selected)) {
    const hit = keySchemes(e.key.toLowerCase());
    if (hit && applyLabel(hit[0], hit[1])) {
      e.preventDefault();
      e.stopPropagation();
    }
  }
}, true);

for (const b of form.querySelectorAll(".span-label, .link-type, .event-type")) {
  const schema = b.dataset.spanScheme || b.dataset.linkScheme || b.dataset.eventScheme;
  const label = b.dataset.spanLabel || b.dataset.linkType || b.dataset.eventType;
  const color = schemes[schema] && schemes[schema].colors[label];
  if (color) b.style.setProperty("--label-color", color);
}

for (const t of targets) {
  t.el.addEventListener("focus", () => {
    if (t !== target) { use(t); anchor = focus = 0; pending = null; }
    const current = selectionOffsets();
    if (current) { anchor = current.start; focus = current.end; }
    drawCaret();
  });
  t.el.addEventListener("blur", () => drawCaret());
}
window.addEventListener("resize", () => drawCaret());

// --- keyboard caret ---------------------------------------------------------------------------
// The item text is not editable, so the browser draws no caret in it: draw one where
// Shift+arrows start a selection, while the text has the focus and nothing is selected.
const caret = document.createElement("span");
caret.className = "kbd-caret";
caret.setAttribute("aria-hidden", "true");
caret.dataset.testid = "span-caret";
caret.hidden = true;
document.body.append(caret);

function drawCaret() {
  const sel = window.getSelection();
  if (document.activeElement !== textEl || (sel && !sel.isCollapsed)) {
    caret.hidden = true;
    return;
  }
  const [node, offset] = domPoint(focus);
  const r = document.createRange();
  r.setStart(node, offset);
  r.collapse(true);
  const rect = r.getClientRects()[0] || r.getBoundingClientRect();
  caret.style.left = `${rect.left + window.scrollX}px`;
  caret.style.top = `${rect.top + window.scrollY}px`;
  caret.style.height = `${rect.height || 18}px`;
  caret.dataset.offset = String(focus);
  caret.hidden = false;
}

render();
