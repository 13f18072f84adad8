// AI suggestions beside the schemes (ai_support): label, confidence, explanation/evidence,
// an Accept button and Alt+A (Option+A on a Mac) to accept with the keyboard. Accepting
// checks the suggested option(s) like a click, so annotate.js autosaves it; the server marks
// the suggestion accepted when the saved answer equals it (overridden otherwise). Nothing is
// filled in unless the project sets ai_support.prefill.
import { appUrl } from "./app-url.js";

const form = document.getElementById("annotation-form");
const config = JSON.parse(document.getElementById("ai-page")?.textContent || "null");
const instanceId = form?.dataset.instanceId;
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const suggestions = new Map(); // schema -> suggestion

function panel(schema) {
  return form.querySelector(`.ai-suggestion[data-ai-schema="${CSS.escape(schema)}"]`);
}

function inputsFor(schema) {
  return [...form.querySelectorAll(`input[data-scheme="${CSS.escape(schema)}"][data-label]`)];
}

function track(action, schema, suggestion) {
  fetch(appUrl("/api/track_ai_usage"), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify({ instance_id: instanceId, action, schema, suggestion }),
  }).catch(() => {});
}

function show(s) {
  const box = panel(s.schema);
  if (!box) return;
  suggestions.set(s.schema, s);
  const label = Array.isArray(s.label) ? s.label.join(", ") : String(s.label);
  box.querySelector(".ai-label").textContent = label;
  box.querySelector(".ai-confidence").textContent =
    typeof s.confidence === "number" ? `${Math.round(s.confidence * 100)}% sure` : "";
  box.querySelector(".ai-explanation").textContent = s.explanation || "";
  box.querySelector(".ai-evidence").textContent =
    s.evidence && s.evidence.length ? `Evidence: ${s.evidence.join(", ")}` : "";
  box.querySelector(".ai-message").textContent = "";
  box.querySelector(".ai-accept").hidden = false;
  box.hidden = false;
  if (config.highlighting && config.highlighting.enabled) highlight(s);
}

function showMessage(schema, message) {
  const box = panel(schema);
  if (!box) return;
  box.querySelector(".ai-message").textContent = message;
  box.querySelector(".ai-accept").hidden = true;
  box.hidden = false;
}

// Option highlighting: the suggested options marked, the others dimmed (CSS classes only).
function highlight(s) {
  const chosen = new Set(Array.isArray(s.label) ? s.label : [s.label]);
  for (const input of inputsFor(s.schema)) {
    const option = input.closest(".option");
    if (!option) continue;
    option.classList.toggle("ai-highlighted", chosen.has(input.dataset.label));
    option.classList.toggle("ai-dimmed", !chosen.has(input.dataset.label));
  }
}

function accept(schema) {
  const s = suggestions.get(schema);
  if (!s) return false;
  const wanted = new Set(Array.isArray(s.label) ? s.label : [s.label]);
  let changed = null;
  for (const input of inputsFor(schema)) {
    const on = wanted.has(input.dataset.label);
    if (input.type === "radio" && !on) continue;
    if (input.checked !== on) {
      input.checked = on;
      changed = input;
    }
  }
  if (changed) changed.dispatchEvent(new Event("change", { bubbles: true }));
  const box = panel(schema);
  if (box) box.classList.add("ai-accepted");
  track("accept", schema, { label: s.label, confidence: s.confidence });
  return true;
}

async function load() {
  if (!config || !instanceId) return;
  for (const schema of config.schemas) showMessage(schema, "Asking the AI…");
  let data;
  try {
    const res = await fetch(appUrl(`/api/get_ai_suggestion?instance_id=${encodeURIComponent(instanceId)}`),
      { credentials: "same-origin" });
    data = await res.json();
    if (!res.ok) throw new Error(data.error || String(res.status));
  } catch (err) {
    for (const schema of config.schemas) showMessage(schema, `No suggestion: ${err.message}`);
    return;
  }
  const got = new Set();
  for (const s of data.suggestions || []) {
    got.add(s.schema);
    show(s);
    track("response", s.schema, { label: s.label, confidence: s.confidence });
    const answered = inputsFor(s.schema).some((i) => i.checked);
    if (config.prefill && !answered) accept(s.schema);
  }
  for (const schema of config.schemas) {
    if (!got.has(schema)) showMessage(schema, "No suggestion for this item.");
  }
}

form?.addEventListener("click", (e) => {
  const button = e.target.closest(".ai-accept");
  if (!button) return;
  accept(button.closest(".ai-suggestion").dataset.aiSchema);
});

// Alt+A: annotate.js ignores Alt chords, so this clashes with no label key. e.code, not
// e.key: Option+A types "å" on a Mac.
document.addEventListener("keydown", (e) => {
  if (!e.altKey || e.ctrlKey || e.metaKey || e.code !== "KeyA") return;
  const focused = document.activeElement?.closest?.(".scheme-slot");
  const order = [...suggestions.keys()];
  const schema = focused && suggestions.has(focused.dataset.schemeSlot)
    ? focused.dataset.schemeSlot : order[0];
  if (schema && accept(schema)) e.preventDefault();
});

load();
