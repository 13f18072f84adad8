// The annotation page: keyboard shortcuts, autosave (drafts), submit-and-next.
// Plain ES module, no build step. Talks to the same session API scripts use.

import { t } from "./i18n.js";
import { appUrl } from "./app-url.js";

const form = document.getElementById("annotation-form");
let csrf = document.querySelector('meta[name="csrf-token"]').content;
const saveState = document.getElementById("save-state");
const formError = document.getElementById("form-error");
const instanceId = form.dataset.instanceId;
// The version of the stored answers this page shows: a save on top of another version (this
// item saved in another tab meanwhile) is refused with 409 instead of overwriting it.
let version = form.dataset.version || null;
// Quality-control checks are not items: their behaviour is not tracked.
const tracked = form.dataset.check !== "1";
const AUTOSAVE_MS = 500;

let dirty = false;
// Schemes whose last autosaved answer the server refused (the rest of the item was saved).
let invalid = new Map();
let timer = null;
let inflight = Promise.resolve();
let activeScheme = null;

// A fresh CSRF token (the page's one expires with the idle session time).
async function refreshCsrf() {
  const res = await fetch(appUrl("/api/csrf_token"), { credentials: "same-origin" });
  if (res.ok) csrf = (await res.json()).csrf_token;
}

async function post(url, body) {
  const res = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  return { res, data };
}

// `describe(data)`: a message for people for this call's refusals (null: the server's).
async function call(url, body, describe) {
  let { res, data } = await post(url, body);
  if (res.status === 400 && data.status === "csrf") {
    // The token expired while the page stayed open: fetch a new one and try once more.
    await refreshCsrf();
    ({ res, data } = await post(url, body));
  }
  if (res.status === 401) {
    showError(t("session_ended"));
    throw new Error("unauthorised");
  }
  if (!res.ok) {
    // A refused submit lists the unanswered questions; say that plainly to a person and
    // outline them, moving focus to the first.
    const missing = Array.isArray(data.missing) && data.missing.length
      ? t("answer_first", { missing: data.missing.join("; ") }) : null;
    markMissing(Array.isArray(data.missing_schemas) ? data.missing_schemas : []);
    const own = describe ? describe(data) : null;
    showError(own || missing || data.error || t("server_answered", { status: res.status }));
    throw new Error(data.error || String(res.status));
  }
  return data;
}

function showError(message) {
  formError.textContent = message;
  formError.hidden = false;
  setState(t("not_saved"), "error");
}

function markMissing(names) {
  for (const fieldset of form.querySelectorAll("fieldset.scheme")) {
    fieldset.classList.toggle("missing", names.includes(fieldset.dataset.scheme));
  }
  const first = form.querySelector("fieldset.scheme.missing");
  if (first) {
    const control = first.querySelector("input, select, textarea");
    (control || first).focus({ preventScroll: false });
    activeScheme = first;
  }
}

function clearError() {
  for (const fieldset of form.querySelectorAll("fieldset.scheme.missing")) {
    fieldset.classList.remove("missing");
  }
  formError.hidden = true;
  formError.textContent = "";
}

// Mark the schemes whose answers were not kept, with the reason next to each.
function markInvalid(list) {
  invalid = new Map(list.map((entry) => [entry.schema, entry.error]));
  for (const fieldset of form.querySelectorAll("fieldset.scheme")) {
    const why = invalid.get(fieldset.dataset.scheme);
    fieldset.classList.toggle("invalid", Boolean(why));
    let note = fieldset.querySelector(":scope > .scheme-error");
    if (why && !note) {
      note = document.createElement("p");
      note.className = "scheme-error";
      note.setAttribute("role", "alert");
      note.dataset.testid = "scheme-error";
      fieldset.append(note);
    }
    if (note) {
      note.textContent = why ? t("not_saved_because", { why }) : "";
      note.hidden = !why;
    }
  }
}

// Leaving an item with answers that are not saved loses them: ask first.
function mayLeave() {
  if (!invalid.size) return true;
  const names = [...invalid.keys()].join(", ");
  return window.confirm(t("leave_invalid", { names }));
}

function setState(text, kind) {
  saveState.textContent = text;
  saveState.dataset.kind = kind || "";
}

// Build seed-003's frontend format: {"schema:label": value}.
function collect() {
  const annotations = {};
  for (const input of form.querySelectorAll("[data-scheme][data-label]")) {
    const key = `${input.dataset.scheme}:${input.dataset.label}`;
    if (input.type === "radio" && input.dataset.value !== undefined) {
      // A group of radios sharing one label, each carrying a value (a rubric row, a
      // bipolar pair, pairwise, bws, multirate): the checked one's value, "" when none is.
      if (input.checked) annotations[key] = input.dataset.value;
      else if (!(key in annotations)) annotations[key] = "";
    } else if (input.type === "radio" || input.type === "checkbox") {
      annotations[key] = input.checked ? "1" : "0";
    } else if (input.type === "range") {
      if (input.dataset.touched) annotations[key] = input.value;
    } else {
      annotations[key] = input.value;
    }
  }
  return annotations;
}

// Other page scripts (spans.js) add their fields to every save: window.potatoExtras is a
// list of functions returning an object merged into the body.
function extraFields() {
  return Object.assign({}, ...(window.potatoExtras || []).map((f) => f()));
}

function save(draft) {
  clearTimeout(timer);
  timer = null;
  // An autosave keeps every valid answer even when another one is invalid (partial).
  const body = { instance_id: instanceId, annotations: collect(), draft, partial: draft, ...extraFields() };
  dirty = false;
  setState(draft ? t("saving") : t("submitting"), "busy");
  inflight = inflight.catch(() => {}).then(() => {
    // The version is read when the request leaves: an earlier save of this page may have
    // moved it on meanwhile.
    if (version) body.base_version = version;
    return call(appUrl("/updateinstance"), body);
  }).then((data) => {
    clearError();
    if (data.version) version = data.version;
    markInvalid(Array.isArray(data.invalid) ? data.invalid : []);
    // Only answers the server took whole become undo steps: undo shows what is stored.
    if (!invalid.size) remember({ annotations: body.annotations, ...extraFields() });
    if (invalid.size) setState(`Saved, except ${[...invalid.keys()].join(", ")}`, "error");
    else setState(draft ? t("saved") : t("submitted"), "ok");
    // Scheme scripts that show what the server added to a saved answer (bdm's price).
    form.dispatchEvent(new CustomEvent("potato:saved", { detail: data }));
    return data;
  });
  return inflight;
}

function scheduleSave() {
  dirty = true;
  setState(t("unsaved"), "busy");
  clearTimeout(timer);
  timer = setTimeout(() => save(true).catch(() => {}), AUTOSAVE_MS);
}

async function go(body, describe) {
  flushTracking(false); // before leaving the item; keepalive, never awaited
  const data = await call(appUrl("/go_to"), body, describe);
  window.location.assign(appUrl("/annotate"));
  return data;
}

// Quality-control feedback after a check item (seed 003: warning, qc_result, blocked):
// show it and wait for the annotator before moving on.
function feedbackText(data) {
  const parts = [];
  if (data.warning_message) parts.push(data.warning_message);
  const qc = data.qc_result;
  if (qc && qc.type === "gold_standard") {
    parts.push(qc.correct ? t("correct") : t("incorrect"));
    if (qc.gold_label) {
      const answers = Object.values(qc.gold_label).map((v) => (Array.isArray(v) ? v.join(", ") : String(v)));
      parts.push(t("expected", { answers: answers.join("; ") }));
    }
    if (qc.explanation) parts.push(qc.explanation);
  }
  return parts.join(" ");
}

function showFeedback(text) {
  const dialog = document.getElementById("qc-feedback");
  document.getElementById("qc-feedback-body").textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener("close", resolve, { once: true });
    dialog.showModal();
  });
}

async function submitAndNext() {
  try {
    const data = await save(false);
    if (data.status === "blocked") {
      window.location.assign(appUrl("/phase"));
      return;
    }
    const text = feedbackText(data);
    if (text) await showFeedback(text);
    await go({ action: "next_instance" });
  } catch (_) { /* message already shown */ }
}

async function navigate(action) {
  try {
    if (dirty) await save(true);
    if (!mayLeave()) return;
    await go({ action });
  } catch (_) { /* shown */ }
}

function typing(el) {
  return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
    (el.tagName === "INPUT" && !["radio", "checkbox", "range", "button", "submit"].includes(el.type)));
}

function pick(key) {
  const schemes = [...form.querySelectorAll("fieldset.scheme")];
  const order = activeScheme ? [activeScheme, ...schemes.filter((s) => s !== activeScheme)] : schemes;
  for (const fieldset of order) {
    if (fieldset.closest("[hidden]")) continue; // hidden by display_logic
    const input = fieldset.querySelector(`input[data-key="${CSS.escape(key)}"]`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = !input.checked;
    else input.checked = true;
    input.focus({ preventScroll: true });
    activeScheme = fieldset;
    noteAnswer(input);
    form.dispatchEvent(new Event("potato:picked")); // display-logic.js re-evaluates
    scheduleSave();
    return true;
  }
  return false;
}

form.addEventListener("change", (e) => {
  if (e.target.type === "range") e.target.dataset.touched = "1";
  noteAnswer(e.target);
  scheduleSave();
});
form.addEventListener("input", (e) => {
  if (e.target.type === "range") {
    e.target.dataset.touched = "1";
    const out = e.target.parentElement.querySelector("output");
    if (out) out.textContent = e.target.value;
  }
  if (typing(e.target)) scheduleSave();
});
form.addEventListener("focusin", (e) => {
  const fieldset = e.target.closest("fieldset.scheme");
  if (fieldset) activeScheme = fieldset;
});
form.addEventListener("potato:changed", () => scheduleSave()); // spans.js edits
form.addEventListener("submit", (e) => {
  e.preventDefault();
  submitAndNext();
});

document.getElementById("prev-btn").addEventListener("click", () => navigate("prev_instance"));
document.getElementById("skip-btn").addEventListener("click", () => navigate("next_instance"));

const gotoForm = document.getElementById("goto-form");
if (gotoForm) {
  gotoForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const raw = document.getElementById("goto-input").value.trim();
    if (!raw) return;
    try {
      if (dirty) await save(true);
      if (!mayLeave()) return;
      // A number typed by a person is a position in their list (1-based on screen).
      const asIndex = /^\d+$/.test(raw) ? { go_to: Number(raw) - 1 } : { go_to: raw };
      await go(asIndex, (data) => (Number.isInteger(data.max_index)
        ? t("no_item", { n: raw, max: data.max_index + 1 })
        : null));
    } catch (_) { /* shown */ }
  });
}

// Flag the item with a comment; the answers on the page are untouched.
const flagDialog = document.getElementById("flag-dialog");
const flagButton = document.getElementById("flag-btn");
if (flagButton) {
  const comment = document.getElementById("flag-comment");
  const flagError = document.getElementById("flag-error");
  flagButton.addEventListener("click", () => {
    flagError.hidden = true;
    flagDialog.showModal();
    comment.focus();
  });
  document.getElementById("flag-cancel").addEventListener("click", () => flagDialog.close());
  document.getElementById("flag-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const { res, data } = await post(appUrl("/api/flag_item"), { instance_id: instanceId, comment: comment.value });
    if (!res.ok) {
      flagError.textContent = data.error || t("server_answered", { status: res.status });
      flagError.hidden = false;
      return;
    }
    comment.value = "";
    flagDialog.close();
    flagButton.textContent = t("flagged");
  });
}

// Text size, remembered in this browser (CSSOM: allowed by the page's CSP).
const FONT_KEY = "potato_like.fontScale";
function applyFontScale(scale) {
  document.documentElement.style.fontSize = `${Math.round(scale * 100)}%`;
}
let fontScale = Number(localStorage.getItem(FONT_KEY)) || 1;
applyFontScale(fontScale);
for (const [id, step] of [["font-smaller", -0.1], ["font-larger", 0.1]]) {
  const button = document.getElementById(id);
  if (!button) continue;
  button.addEventListener("click", () => {
    fontScale = Math.min(1.6, Math.max(0.8, Math.round((fontScale + step) * 10) / 10));
    localStorage.setItem(FONT_KEY, String(fontScale));
    applyFontScale(fontScale);
  });
}

// --- Undo / redo: Ctrl+Z, Ctrl+Shift+Z (or Ctrl+Y), per item, for every type ----------------
// Each save records the answers it sent. Undo saves the previous record and reloads the page,
// so every type's widgets show exactly what is stored (no type needs undo code of its own).
// The history is kept per tab and item in sessionStorage, so it outlives that reload. In a
// text box the browser's own undo applies.
const UNDO_KEY = `potato_like.undo.${instanceId}`;
const UNDO_LIMIT = 100;
let undoHistory = { past: [], future: [] };
try { undoHistory = JSON.parse(sessionStorage.getItem(UNDO_KEY)) || undoHistory; } catch (_) { /* fresh */ }

function keepHistory() {
  try { sessionStorage.setItem(UNDO_KEY, JSON.stringify(undoHistory)); } catch (_) { /* full: no undo */ }
}

function remember(answers) {
  const last = undoHistory.past[undoHistory.past.length - 1];
  if (last && JSON.stringify(last) === JSON.stringify(answers)) return;
  undoHistory.past.push(answers);
  if (undoHistory.past.length > UNDO_LIMIT) undoHistory.past.shift();
  undoHistory.future = [];
  keepHistory();
}

// The page as loaded starts the history, unless it is where the history already stands (a
// reload after undo); answers changed elsewhere meanwhile start it afresh.
window.addEventListener("DOMContentLoaded", () => {
  const shown = { annotations: collect(), ...extraFields() };
  const last = undoHistory.past[undoHistory.past.length - 1];
  if (!last || JSON.stringify(last) !== JSON.stringify(shown)) {
    undoHistory = { past: [shown], future: [] };
    keepHistory();
  }
});

async function undoRedo(redo) {
  if (dirty) await save(true); // the last change becomes a step of its own first
  if (redo ? !undoHistory.future.length : undoHistory.past.length < 2) {
    setState(redo ? t("nothing_to_redo", {}, "Nothing to redo") : t("nothing_to_undo", {}, "Nothing to undo"), "");
    return;
  }
  const before = JSON.stringify(undoHistory);
  if (redo) undoHistory.past.push(undoHistory.future.pop());
  else undoHistory.future.push(undoHistory.past.pop());
  const target = undoHistory.past[undoHistory.past.length - 1];
  keepHistory();
  setState(redo ? t("redoing", {}, "Redoing…") : t("undoing", {}, "Undoing…"), "busy");
  const body = { instance_id: instanceId, draft: true, partial: true, ...target };
  if (version) body.base_version = version;
  try {
    await call(appUrl("/updateinstance"), body);
  } catch (err) {
    undoHistory = JSON.parse(before); // not applied: the history stays where the page is
    keepHistory();
    throw err;
  }
  window.location.reload();
}

const dialog = document.getElementById("shortcuts");
document.getElementById("help-btn").addEventListener("click", () => dialog.showModal());

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.altKey || e.metaKey) return;
  if (document.getElementById("qc-feedback").open) return; // its button takes Enter
  if (flagDialog && flagDialog.open) return; // typing a comment
  const el = document.activeElement;
  if (e.key === "Enter" && (e.ctrlKey || !typing(el) || (el.tagName === "INPUT" && el.type === "text" && el.form === form))) {
    if (el && el.tagName === "BUTTON") return; // let buttons do their own thing
    if (el && el.closest && el.closest("#goto-form")) return;
    e.preventDefault();
    submitAndNext();
    return;
  }
  if (e.ctrlKey && !typing(el) && (e.key === "z" || e.key === "Z" || e.key === "y")) {
    e.preventDefault();
    undoRedo(e.key === "y" || e.shiftKey).catch(() => {});
    return;
  }
  if (e.ctrlKey || typing(el)) return;
  // Arrows navigate everywhere except on a slider and on radio buttons that no label key
  // picks (rating rows, severities, verdicts: arrows are how a keyboard picks those). A radio
  // chosen with its label key keeps its answer: ← / → then move between items.
  const ownsArrows = el && el.tagName === "INPUT" &&
    (el.type === "range" || (el.type === "radio" && !el.dataset.key));
  if (ownsArrows && e.key.startsWith("Arrow")) return;
  if (e.key === "?") {
    e.preventDefault();
    if (dialog.open) dialog.close(); else dialog.showModal();
  } else if (e.key === "ArrowLeft") {
    e.preventDefault();
    navigate("prev_instance");
  } else if (e.key === "ArrowRight") {
    e.preventDefault();
    navigate("next_instance");
  } else if (e.key.length === 1 && pick(e.key.toLowerCase())) {
    e.preventDefault();
  }
});

window.addEventListener("beforeunload", (e) => {
  if (dirty) {
    save(true).catch(() => {});
    e.preventDefault();
  } else if (invalid.size) {
    e.preventDefault();
  }
});

// --- Behavioural tracking --------------------------------------------------------------------
// Per item: focus time while the page is visible and focused, clicks, key presses (counted,
// never which key), max scroll depth, time from page load to the first answer. Sent in
// batches every 30 s, before leaving the item, and by sendBeacon when the page is hidden.
// Tracking must never get in the annotator's way: every failure is swallowed.
const TRACK_EVERY_MS = 30000;
const MAX_BATCH_EVENTS = 400;
const pageStart = performance.now();
const track = { events: [], clicks: 0, keys: 0, focusMs: 0, since: null, depth: 0, firstMs: null };

function logEvent(type, extra) {
  if (track.events.length < MAX_BATCH_EVENTS) track.events.push({ type, t: Date.now(), ...extra });
}

function updateFocus() {
  const now = performance.now();
  if (track.since !== null) track.focusMs += now - track.since;
  track.since = document.visibilityState === "visible" && document.hasFocus() ? now : null;
}

function noteAnswer(input) {
  if (!tracked) return;
  try {
    if (track.firstMs === null) {
      track.firstMs = Math.round(performance.now() - pageStart);
      logEvent("first_answer");
    }
    if (!input || !input.dataset || !input.dataset.scheme) return;
    const toggles = input.type === "radio" || input.type === "checkbox";
    const body = {
      instance_id: instanceId,
      schema: input.dataset.scheme,
      action: toggles ? (input.checked ? "select" : "deselect") : "update",
    };
    if (input.dataset.label) body.label = input.dataset.label;
    if (!toggles) body.value = String(input.value).slice(0, 1000);
    fetch(appUrl("/api/track_annotation_change"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).catch(() => {});
  } catch (_) { /* tracking never disturbs annotating */ }
}

function flushTracking(leaving) {
  if (!tracked) return;
  try {
    updateFocus();
    const focusMs = Math.round(track.focusMs);
    if (!track.events.length && !track.clicks && !track.keys && focusMs < 1) return;
    const body = {
      instance_id: instanceId,
      events: track.events,
      summary: {
        focus_ms: focusMs,
        clicks: track.clicks,
        keypresses: track.keys,
        scroll_depth: Math.min(1, Math.max(0, track.depth)),
        time_to_first_answer_ms: track.firstMs,
      },
    };
    // Counts are per batch; scroll depth and time to first answer are "so far".
    track.events = [];
    track.clicks = 0;
    track.keys = 0;
    track.focusMs = 0;
    const url = appUrl("/api/track_interactions");
    if (leaving && navigator.sendBeacon) {
      // sendBeacon cannot set headers: the token travels in the body (checked by the server).
      body.csrf_token = csrf;
      const blob = new Blob([JSON.stringify(body)], { type: "application/json" });
      if (navigator.sendBeacon(url, blob)) return;
      delete body.csrf_token;
    }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    }).catch(() => {});
  } catch (_) { /* swallowed */ }
}

updateFocus();
document.addEventListener("visibilitychange", () => {
  logEvent(document.visibilityState === "visible" ? "focus" : "blur");
  if (document.visibilityState === "hidden") flushTracking(true);
  else updateFocus();
});
window.addEventListener("focus", () => { updateFocus(); logEvent("focus"); });
window.addEventListener("blur", () => { updateFocus(); logEvent("blur"); });
window.addEventListener("pagehide", () => flushTracking(true));
document.addEventListener("click", (e) => {
  track.clicks += 1;
  const target = e.target && e.target.closest ? e.target.closest("[data-label], button, a") : null;
  logEvent("click", target && target.dataset && target.dataset.label ? { label: target.dataset.label } : {});
}, { capture: true, passive: true });
document.addEventListener("keydown", () => {
  track.keys += 1;
  logEvent("keypress");
}, { capture: true, passive: true });
function noteScroll() {
  const doc = document.documentElement;
  const depth = Math.min(1, (window.scrollY + window.innerHeight) / Math.max(1, doc.scrollHeight));
  if (depth >= track.depth + 0.1 || (depth === 1 && track.depth < 1)) {
    track.depth = depth;
    logEvent("scroll", { depth: Math.round(depth * 1000) / 1000 });
  }
}
noteScroll(); // a page that fits the window has been seen whole
window.addEventListener("scroll", noteScroll, { passive: true });
setInterval(() => flushTracking(false), TRACK_EVERY_MS);
