// Step-level annotation types (process_reward, trajectory_eval, trajectory_edit,
// consensus_tracking, failure_attribution): each scheme's step controls build one JSON
// document kept in the scheme's hidden input (sent as "<schema>:<schema>"). The saved
// document is read back into the controls on load. Keyboard, when focus is in the scheme:
// ArrowDown/j and ArrowUp/k move between steps; a digit presses the active step's button
// with that data-key; 0 clears the active step.
// A long list (its rows sent in a <template>, or as JSON) is windowed (windowed.js): only
// the rows near the visible part are in the page, and `rows(scheme)` is every row built so
// far, in the page or not, so answers on rows out of the page are still read, kept and sent.

import { placeMarkers, readBehaviors, readContentions, readJudged, writeBehaviors, writeContentions, writeJudged } from "./step-kinds.js";
import { windowed } from "./windowed.js";

const WINDOWS = new WeakMap();

const READERS = {
  reward: readRewards,
  verdict: readVerdicts,
  edit: readEdits,
  act: readActs,
  attribution: readAttribution,
  call: readCalls,
  scorecard: readScorecard,
  handoff: readHandoffs,
  judge: (scheme) => readJudged(scheme, rows(scheme)),
  behavior: readBehaviors,
  contention: (scheme) => readContentions(scheme, rows(scheme)),
};
const WRITERS = {
  reward: writeRewards,
  verdict: writeVerdicts,
  edit: writeEdits,
  act: writeActs,
  attribution: writeAttribution,
  call: writeCalls,
  scorecard: writeScorecard,
  handoff: writeHandoffs,
  judge: (scheme, doc) => writeJudged(scheme, doc, rows(scheme)),
  behavior: writeBehaviors,
  contention: (scheme, doc) => writeContentions(scheme, doc, rows(scheme)),
};

const sheet = document.createElement("link");
sheet.rel = "stylesheet";
sheet.href = new URL("../css/steps.css", import.meta.url).href;
document.head.append(sheet);

function setUp(scheme) {
  const kind = scheme.dataset.stepKind;
  const hidden = scheme.querySelector("input.step-data");
  const long = longListRows(scheme);
  if (long) {
    const onShow = (shown) => shown.forEach(placeMarkers);
    WINDOWS.set(scheme, windowed(scheme.querySelector("ol.step-rows"), long.items, { onShow, make: long.make }));
  }
  placeMarkers(scheme);
  let saved = null;
  try {
    saved = hidden.value ? JSON.parse(hidden.value) : null;
  } catch {
    saved = null;
  }
  // Rows built on demand (a long list from JSON) must all exist to take a saved answer.
  if (saved) buildAll(scheme);
  if (saved) WRITERS[kind](scheme, saved);
  refresh(scheme);

  scheme.addEventListener("click", (e) => {
    const button = e.target.closest("button.step-choice");
    if (!button || !scheme.contains(button)) return;
    const row = button.closest(".step-row");
    choose(scheme, row, button);
  });
  const onEdit = (e) => {
    if (e.target === hidden) return;
    if (e.target.closest(".step-row, .step-form")) store(scheme);
  };
  scheme.addEventListener("change", onEdit);
  scheme.addEventListener("input", onEdit);
  scheme.addEventListener("keydown", (e) => onKey(scheme, e));
  scheme.addEventListener("focusin", (e) => {
    const row = e.target.closest(".step-row");
    if (row) activate(scheme, row, false);
  });
}

// The rows of a long (windowed) list: sent whole in a <template>, or, for types whose
// controls are the same on every step, as JSON steps plus one row of controls to copy.
function longListRows(scheme) {
  const source = scheme.querySelector("template.step-rows-source");
  if (source) {
    const items = [...source.content.children];
    source.remove();
    return { items };
  }
  const data = scheme.querySelector("script.step-rows-data");
  const proto = scheme.querySelector("template.step-row-controls");
  if (!data || !proto) return null;
  let steps = [];
  try {
    steps = JSON.parse(data.textContent);
  } catch {
    return null;
  }
  // Built when first shown, or all at once when a saved answer must be put back.
  return { items: new Array(steps.length), make: (i) => stepRow(steps[i], proto) };
}

// The row templates/schemes/_steps.html renders for one step.
function stepRow(step, proto) {
  const li = document.createElement("li");
  li.className = "step-row";
  li.tabIndex = -1;
  Object.assign(li.dataset, { stepIndex: String(step.index), testid: "step-row" });
  const head = document.createElement("div");
  head.className = "step-row-head";
  const number = document.createElement("span");
  number.className = "step-number";
  number.textContent = `Step ${step.number}`;
  head.append(number);
  if (step.speaker) {
    const who = document.createElement("strong");
    who.textContent = step.speaker;
    head.append(" ", who);
  }
  li.append(head);
  const text = document.createElement(step.text.length > 400 ? "details" : "div");
  text.className = "step-row-text";
  if (step.text.length > 400) {
    const summary = document.createElement("summary");
    summary.textContent = `${step.text.slice(0, 200)}…`;
    const body = document.createElement("div");
    body.className = "step-text";
    body.textContent = step.text;
    text.append(summary, body);
  } else {
    text.classList.add("step-text");
    text.textContent = step.text;
  }
  li.append(text);
  const controls = proto.content.cloneNode(true);
  for (const group of controls.querySelectorAll("[aria-label]")) {
    group.setAttribute("aria-label", group.getAttribute("aria-label").replace(/\d+$/, String(step.number)));
  }
  li.append(controls);
  return li;
}

// The step rows that exist (in the page or not); rows of a long list that were never
// built were never shown, so they hold no answer.
function rows(scheme) {
  const w = WINDOWS.get(scheme);
  return w ? w.items.filter(Boolean) : [...scheme.querySelectorAll(".step-row")];
}

function rowCount(scheme) {
  const w = WINDOWS.get(scheme);
  return w ? w.items.length : scheme.querySelectorAll(".step-row").length;
}

function rowAt(scheme, i) {
  const w = WINDOWS.get(scheme);
  return w ? w.reveal(i) : scheme.querySelectorAll(".step-row")[i];
}

function positionOf(scheme, row) {
  const w = WINDOWS.get(scheme);
  return w ? w.items.indexOf(row) : [...scheme.querySelectorAll(".step-row")].indexOf(row);
}

function buildAll(scheme) {
  const w = WINDOWS.get(scheme);
  if (w) for (let i = 0; i < w.items.length; i++) w.build(i);
}

function activate(scheme, row, focus = true) {
  for (const r of scheme.querySelectorAll(".step-row.step-active")) r.classList.remove("step-active");
  if (row) row.classList.add("step-active");
  const w = WINDOWS.get(scheme);
  if (w && row && !row.isConnected) w.reveal(w.items.indexOf(row));
  if (focus && row) {
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }
}

function onKey(scheme, e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const el = e.target;
  const typingHere = el.tagName === "TEXTAREA" || el.tagName === "SELECT" || (el.tagName === "INPUT" && el.type !== "hidden");
  if (typingHere) return;
  const total = rowCount(scheme);
  if (!total) return;
  const active = rows(scheme).find((r) => r.classList.contains("step-active")) || el.closest(".step-row");
  const at = active ? positionOf(scheme, active) : -1;
  if (e.key === "ArrowDown" || e.key === "j") {
    e.preventDefault();
    activate(scheme, rowAt(scheme, Math.min(total - 1, at + 1)));
  } else if (e.key === "ArrowUp" || e.key === "k") {
    e.preventDefault();
    activate(scheme, rowAt(scheme, Math.max(0, at - 1)));
  } else if (active && /^[0-9]$/.test(e.key)) {
    if (e.key === "0") {
      e.preventDefault();
      clearRow(scheme, active);
      return;
    }
    const button = active.querySelector(`button.step-choice[data-key="${e.key}"]`);
    if (button) {
      e.preventDefault();
      choose(scheme, active, button);
      const next = at + 1 < total ? rowAt(scheme, at + 1) : null;
      if (next && scheme.dataset.stepKind === "reward" && scheme.dataset.mode !== "first_error") activate(scheme, next);
    }
  }
}

function choose(scheme, row, button) {
  const group = button.closest(".step-controls");
  const wasOn = button.getAttribute("aria-pressed") === "true";
  for (const b of group.querySelectorAll("button.step-choice")) b.setAttribute("aria-pressed", "false");
  if (!wasOn) button.setAttribute("aria-pressed", "true");
  if (scheme.dataset.stepKind === "reward" && scheme.dataset.mode === "first_error") cascade(scheme, row, button, wasOn);
  activate(scheme, row, false);
  store(scheme);
}

// first_error: a wrong step makes the steps before it correct and the later ones wrong.
function cascade(scheme, row, button, wasOn) {
  if (button.dataset.stepValue !== "-1" || wasOn) return;
  buildAll(scheme);
  const all = rows(scheme);
  const at = all.indexOf(row);
  all.forEach((r, i) => {
    if (i === at) return;
    setPressed(r, i < at ? "1" : "-1");
  });
}

function setPressed(row, value) {
  for (const b of row.querySelectorAll("button.step-choice")) {
    b.setAttribute("aria-pressed", String(value !== null && b.dataset.stepValue === String(value)));
  }
}

function pressed(row) {
  const b = row.querySelector("button.step-choice[aria-pressed='true']");
  return b ? b.dataset.stepValue : null;
}

function clearRow(scheme, row) {
  setPressed(row, null);
  for (const el of row.querySelectorAll("select, input[type=text], textarea:not([data-original])")) el.value = "";
  store(scheme);
}

function store(scheme) {
  const hidden = scheme.querySelector("input.step-data");
  const doc = READERS[scheme.dataset.stepKind](scheme);
  hidden.value = doc === null ? "" : JSON.stringify(doc);
  refresh(scheme);
  hidden.dispatchEvent(new Event("change", { bubbles: true }));
}

function refresh(scheme) {
  const count = scheme.querySelector(".step-count");
  if (!count) return;
  const all = rows(scheme);
  const done = all.filter((r) => r.querySelector("[aria-pressed='true']") || r.classList.contains("step-edited")).length;
  count.textContent = `${done} of ${rowCount(scheme)} steps answered`;
  for (const r of all) r.classList.toggle("step-answered", Boolean(r.querySelector("[aria-pressed='true']")));
}

const index = (row) => Number(row.dataset.stepIndex);
const val = (row, sel) => {
  const el = row.querySelector(sel);
  return el && el.value ? el.value : null;
};
const put = (row, sel, value) => {
  const el = row.querySelector(sel);
  if (el && value !== undefined && value !== null) el.value = value;
};

// process_reward: {mode, steps: [{index, reward}]}
function readRewards(scheme) {
  const steps = [];
  for (const row of rows(scheme)) {
    const v = pressed(row);
    if (v !== null) steps.push({ index: index(row), reward: Number(v), source: "human" });
  }
  return steps.length ? { mode: scheme.dataset.mode, steps } : null;
}
function writeRewards(scheme, doc) {
  const byIndex = new Map((doc.steps || []).map((s) => [s.index, s.reward]));
  for (const row of rows(scheme)) setPressed(row, byIndex.has(index(row)) ? String(byIndex.get(index(row))) : null);
}

// trajectory_eval: {steps: [{step_index, correctness, error_type, error_subtype, severity, rationale}]}
function readVerdicts(scheme) {
  const steps = [];
  for (const row of rows(scheme)) {
    const correctness = pressed(row);
    if (correctness === null) continue;
    const [errorType, subtype] = (val(row, ".step-error") || "").split("::");
    steps.push({
      step_index: index(row),
      correctness,
      error_type: errorType || null,
      error_subtype: subtype || null,
      severity: val(row, ".step-severity"),
      rationale: val(row, ".step-rationale"),
    });
  }
  return steps.length ? { steps } : null;
}
function writeVerdicts(scheme, doc) {
  const byIndex = new Map((doc.steps || []).map((s) => [s.step_index, s]));
  for (const row of rows(scheme)) {
    const s = byIndex.get(index(row));
    if (!s) continue;
    setPressed(row, s.correctness);
    put(row, ".step-error", s.error_type ? (s.error_subtype ? `${s.error_type}::${s.error_subtype}` : s.error_type) : null);
    put(row, ".step-severity", s.severity);
    put(row, ".step-rationale", s.rationale);
  }
}

// trajectory_edit: {steps: [{step_index, field, edited_text, reason}], final_answer}
function readEdits(scheme) {
  const steps = [];
  for (const row of rows(scheme)) {
    const box = row.querySelector("textarea.step-edit");
    const edited = box && box.value !== box.dataset.original;
    row.classList.toggle("step-edited", Boolean(edited));
    if (!edited) continue;
    steps.push({ step_index: index(row), field: box.dataset.field, edited_text: box.value, reason: val(row, ".step-reason") });
  }
  const final = scheme.querySelector("textarea.final-edit");
  const doc = { steps };
  if (final && final.value !== final.dataset.original) doc.final_answer = { edited_text: final.value };
  return steps.length || doc.final_answer ? doc : null;
}
function writeEdits(scheme, doc) {
  const byIndex = new Map((doc.steps || []).map((s) => [s.step_index, s]));
  for (const row of rows(scheme)) {
    const s = byIndex.get(index(row));
    if (!s) continue;
    put(row, "textarea.step-edit", s.edited_text);
    put(row, ".step-reason", s.reason);
    row.classList.add("step-edited");
  }
  const final = scheme.querySelector("textarea.final-edit");
  if (final && doc.final_answer) final.value = doc.final_answer.edited_text;
}

// consensus_tracking: [{turn, act, ref, agent_id}]
function readActs(scheme) {
  const tags = [];
  for (const row of rows(scheme)) {
    const act = val(row, ".step-act");
    if (!act) continue;
    const ref = val(row, ".step-ref");
    tags.push({ turn: index(row), act, ref: ref === null ? null : Number(ref), agent_id: row.dataset.agent || "" });
  }
  return tags.length ? tags : null;
}
function writeActs(scheme, doc) {
  const byTurn = new Map((Array.isArray(doc) ? doc : doc.tags || []).map((t) => [t.turn, t]));
  for (const row of rows(scheme)) {
    const t = byTurn.get(index(row));
    if (!t) continue;
    put(row, ".step-act", t.act);
    put(row, ".step-ref", t.ref === null ? "" : String(t.ref));
  }
}

// failure_attribution: {responsible_agent, decisive_step, reason}
function readAttribution(scheme) {
  const form = scheme.querySelector(".step-form");
  const agent = val(form, ".fa-agent");
  const step = val(form, ".fa-step");
  const reason = val(form, ".fa-reason");
  if (!agent && step === null && !reason) return null;
  return { responsible_agent: agent || "", decisive_step: step === null ? null : Number(step), reason: reason || "" };
}
function writeAttribution(scheme, doc) {
  const form = scheme.querySelector(".step-form");
  put(form, ".fa-agent", doc.responsible_agent);
  put(form, ".fa-step", doc.decisive_step === null || doc.decisive_step === undefined ? null : String(doc.decisive_step));
  put(form, ".fa-reason", doc.reason);
}

// tool_call_review: [{index, step, tool, verdict, notes}]
function readCalls(scheme) {
  const calls = [];
  for (const row of rows(scheme)) {
    const verdict = pressed(row);
    const notes = val(row, ".step-notes");
    if (verdict === null && !notes) continue;
    const group = row.querySelector(".step-controls");
    calls.push({ index: index(row), step: Number(group.dataset.step), tool: group.dataset.tool, verdict: verdict || "", notes: notes || "" });
  }
  return calls.length ? calls : null;
}
function writeCalls(scheme, doc) {
  const byIndex = new Map((Array.isArray(doc) ? doc : []).map((c) => [c.index, c]));
  for (const row of rows(scheme)) {
    const c = byIndex.get(index(row));
    if (!c) continue;
    setPressed(row, c.verdict || null);
    put(row, ".step-notes", c.notes);
  }
}

// agent_scorecard: {agents: {agent: {dim: score}}, team: {dim: score}, milestones: {m: true}}
function readScorecard(scheme) {
  const doc = { agents: {}, team: {}, milestones: {} };
  for (const sel of scheme.querySelectorAll("select.asc-score")) {
    if (!sel.value) continue;
    const { group, key, dim } = sel.dataset;
    if (group === "team") doc.team[dim] = Number(sel.value);
    else (doc.agents[key] ??= {})[dim] = Number(sel.value);
  }
  for (const box of scheme.querySelectorAll("input.asc-milestone")) if (box.checked) doc.milestones[box.dataset.m] = true;
  const empty = !Object.keys(doc.agents).length && !Object.keys(doc.team).length && !Object.keys(doc.milestones).length;
  return empty ? null : doc;
}
function writeScorecard(scheme, doc) {
  for (const sel of scheme.querySelectorAll("select.asc-score")) {
    const { group, key, dim } = sel.dataset;
    const score = group === "team" ? (doc.team || {})[dim] : ((doc.agents || {})[key] || {})[dim];
    if (score) sel.value = String(score);
  }
  for (const box of scheme.querySelectorAll("input.asc-milestone")) box.checked = Boolean((doc.milestones || {})[box.dataset.m]);
}

// handoff_review: [{index, step, from, to, flags, quality}]
function readHandoffs(scheme) {
  const out = [];
  for (const row of rows(scheme)) {
    const flags = [...row.querySelectorAll("input.step-flag:checked")].map((b) => b.dataset.flag);
    const quality = val(row, ".step-quality");
    row.classList.toggle("step-edited", Boolean(flags.length || quality !== null));
    if (!flags.length && quality === null) continue;
    const d = row.querySelector(".step-details").dataset;
    out.push({ index: index(row), step: Number(d.step), from: d.from, to: d.to, flags, quality: quality === null ? null : Number(quality) });
  }
  return out.length ? out : null;
}
function writeHandoffs(scheme, doc) {
  const byIndex = new Map((Array.isArray(doc) ? doc : []).map((h) => [h.index, h]));
  for (const row of rows(scheme)) {
    const h = byIndex.get(index(row));
    if (!h) continue;
    for (const box of row.querySelectorAll("input.step-flag")) box.checked = (h.flags || []).includes(box.dataset.flag);
    put(row, ".step-quality", h.quality === null ? null : String(h.quality));
    row.classList.add("step-edited");
  }
}

// Last, so every helper above is defined before a saved answer is read back.
for (const scheme of document.querySelectorAll("fieldset.step-scheme")) setUp(scheme);
