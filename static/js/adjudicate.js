// The adjudication page: load the next item of the queue, show every answer side by side
// with who gave it, let the adjudicator pick one (or give their own), and submit or skip.
// Keyboard: 1-9 pick an answer of the current question, h/m/l confidence, Enter submits
// (Ctrl+Enter in the notes), s skips. No inline script or style (CSP).
import { appUrl } from "./app-url.js";
const root = document.getElementById("adjudicate");
const form = document.getElementById("adj-form");
const schemesBox = document.getElementById("adj-schemes");
const errorBox = document.getElementById("adj-error");
const statsBox = document.getElementById("adj-stats");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const requireConfidence = root.dataset.requireConfidence === "true";
const fastMs = Number(root.dataset.fastMs || 0);
let current = null; // the item body from the API
let shownAt = 0;
let fastWarned = false;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    ...options,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, ...(options.headers || {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || body.detail || `HTTP ${response.status}`);
  return body;
}

function show(answer) {
  if (Array.isArray(answer)) return answer.join(", ") || "(none)";
  if (answer === null || answer === undefined || answer === "") return "(none)";
  return String(answer);
}

function editor(scheme) {
  const box = el("div", { class: "adj-edit" });
  const name = `edit-${scheme.name}`;
  if (scheme.labels.length) {
    const type = scheme.single_choice ? "radio" : "checkbox";
    for (const label of scheme.labels) {
      box.append(el("label", {}, el("input", { type, name, value: label.name }), ` ${label.shown}`));
    }
  } else {
    box.append(el("input", { type: "text", name, "aria-label": `Your answer to ${scheme.description}` }));
  }
  // Touching the editor chooses "your own answer".
  box.addEventListener("input", () => {
    const own = form.querySelector(`input[name="pick-${CSS.escape(scheme.name)}"][value="edit"]`);
    if (own) own.checked = true;
  });
  return box;
}

function renderScheme(scheme) {
  const fieldset = el("fieldset", { class: "scheme", "data-scheme": scheme.name });
  const legend = el("legend", { text: scheme.description });
  if (scheme.agreement !== null && scheme.agreement !== undefined) {
    legend.append(el("span", { class: "hint", text: ` agreement ${Math.round(scheme.agreement * 100)}%` }));
  }
  if (scheme.mace_prediction !== null && scheme.mace_prediction !== undefined) {
    legend.append(el("span", { class: "hint", text: ` · MACE: ${show(scheme.mace_prediction)}` }));
  }
  fieldset.append(legend);
  const answers = el("div", { class: "adj-answers" });
  scheme.answers.forEach((answer, i) => {
    const input = el("input", { type: "radio", name: `pick-${scheme.name}`, value: String(i) });
    const who = `${answer.annotators.join(", ")} (${answer.count})`;
    answers.append(
      el("label", { class: "adj-answer", "data-testid": "adj-answer" },
        input, " ", el("strong", { text: show(answer.answer) }), i < 9 ? el("kbd", { text: String(i + 1) }) : null,
        el("span", { class: "who", text: who })),
    );
  });
  answers.append(
    el("label", { class: "adj-answer" },
      el("input", { type: "radio", name: `pick-${scheme.name}`, value: "edit" }), " ",
      el("strong", { text: "Your own answer" }), editor(scheme)),
  );
  fieldset.append(answers);
  return fieldset;
}

function renderSignals(signals) {
  const names = Object.keys(signals || {});
  if (!names.length) return null;
  const text = names.map((n) => {
    const s = signals[n];
    const parts = [`${s.items_done} items`];
    if (s.qc_checks) parts.push(`QC ${s.qc_passed}/${s.qc_checks}`);
    const scores = Object.values(s.mace_competence || {});
    if (scores.length) parts.push(`MACE ${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(2)}`);
    return `${n}: ${parts.join(", ")}`;
  }).join(" · ");
  return el("p", { class: "hint", text: `Annotators: ${text}` });
}

function renderTiming(item) {
  const timing = item.behavioral_data || {};
  const names = Object.keys(timing);
  if (!names.length) return null;
  const text = names.map((n) => `${n}: ${(timing[n].total_time_ms / 1000).toFixed(1)} s`).join(" · ");
  return el("p", { class: "hint", text: `Time spent: ${text}` });
}

async function loadSimilar(id) {
  const list = document.getElementById("adj-similar-list");
  if (!list) return;
  list.replaceChildren(el("li", { class: "hint", text: "Loading…" }));
  try {
    const body = await api(appUrl(`/adjudicate/api/similar/${encodeURIComponent(id)}`));
    list.replaceChildren(...body.similar_items.map((s) => el("li", {},
      el("code", { text: s.instance_id }), ` (${Math.round(s.similarity * 100)}%) `,
      el("span", { text: s.text }), " ",
      el("span", { class: "hint", text: `${s.label_source}: ${JSON.stringify(s.labels)}` }))));
    if (!body.similar_items.length) list.replaceChildren(el("li", { class: "hint", text: "None found." }));
  } catch (err) {
    list.replaceChildren(el("li", { class: "hint", text: err.message }));
  }
}

function render(body) {
  current = body;
  const item = body.item;
  form.reset();
  errorBox.textContent = "";
  fastWarned = false;
  document.getElementById("adj-item-id").textContent = item.instance_id;
  document.getElementById("adj-agreement").textContent =
    ` agreement ${Math.round(item.overall_agreement * 100)}% · ${item.num_annotators} annotators · ${item.status}`;
  const text = document.getElementById("adj-text");
  text.replaceChildren(el("span", { text: body.item_text }));
  const timing = renderTiming(item);
  if (timing) text.append(timing);
  const signals = renderSignals(body.annotator_signals);
  if (signals) text.append(signals);
  schemesBox.replaceChildren(...body.schemes.filter((s) => s.answers.length).map(renderScheme));
  form.hidden = false;
  document.getElementById("adj-empty").hidden = true;
  shownAt = performance.now();
  const first = form.querySelector('input[name^="pick-"]');
  if (first) first.focus();
  if (root.dataset.similarity === "true") loadSimilar(item.instance_id);
}

async function refreshStats() {
  try {
    const s = await api(appUrl("/adjudicate/api/stats"));
    statsBox.textContent = `${s.completed} of ${s.total} decided · ${s.pending} pending · ${s.skipped} skipped`;
  } catch (err) {
    statsBox.textContent = err.message;
  }
}

async function loadNext() {
  const body = await api(appUrl("/adjudicate/api/next"));
  refreshStats();
  if (!body.item) {
    current = null;
    form.hidden = true;
    document.getElementById("adj-empty").hidden = false;
    return;
  }
  const full = await api(appUrl(`/adjudicate/api/item/${encodeURIComponent(body.item.instance_id)}`));
  render(full);
}

function decisionOf(scheme) {
  const picked = form.querySelector(`input[name="pick-${CSS.escape(scheme.name)}"]:checked`);
  if (!picked) return undefined;
  if (picked.value !== "edit") return scheme.answers[Number(picked.value)].label_map;
  const inputs = [...form.querySelectorAll(`[name="edit-${CSS.escape(scheme.name)}"]`)];
  if (!scheme.labels.length) return inputs[0].value;
  const chosen = inputs.filter((i) => i.checked).map((i) => i.value);
  return scheme.single_choice ? chosen[0] : chosen;
}

async function submit() {
  if (!current) return;
  const labelDecisions = {};
  for (const scheme of current.schemes) {
    const value = decisionOf(scheme);
    if (value !== undefined) labelDecisions[scheme.name] = value;
  }
  if (!Object.keys(labelDecisions).length) {
    errorBox.textContent = "Pick an answer first (1-9).";
    return;
  }
  const confidence = form.querySelector('input[name="confidence"]:checked');
  if (requireConfidence && !confidence) {
    errorBox.textContent = "Choose a confidence (h, m or l).";
    return;
  }
  const spent = Math.round(performance.now() - shownAt);
  if (spent < fastMs && !fastWarned) {
    fastWarned = true;
    errorBox.textContent = "That was quick: submit again to confirm.";
    return;
  }
  try {
    await api(appUrl("/adjudicate/api/submit"), {
      method: "POST",
      body: JSON.stringify({
        instance_id: current.item.instance_id,
        label_decisions: labelDecisions,
        confidence: confidence ? confidence.value : null,
        notes: document.getElementById("adj-notes").value,
        error_taxonomy: [...form.querySelectorAll('input[name="error_taxonomy"]:checked')].map((i) => i.value),
        time_spent_ms: spent,
      }),
    });
    await loadNext();
  } catch (err) {
    errorBox.textContent = err.message;
  }
}

async function skip() {
  if (!current) return;
  try {
    await api(appUrl(`/adjudicate/api/skip/${encodeURIComponent(current.item.instance_id)}`), { method: "POST", body: "{}" });
    await loadNext();
  } catch (err) {
    errorBox.textContent = err.message;
  }
}

function currentFieldset() {
  const active = document.activeElement && document.activeElement.closest("fieldset[data-scheme]");
  return active || schemesBox.querySelector("fieldset[data-scheme]");
}

form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
document.getElementById("adj-skip").addEventListener("click", skip);
document.addEventListener("keydown", (e) => {
  if (form.hidden || e.altKey || e.metaKey) return;
  const target = e.target;
  if (target.tagName === "TEXTAREA") {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); submit(); }
    return;
  }
  if (target.tagName === "INPUT" && target.type === "text") return; // Enter submits the form
  if (target.tagName === "BUTTON" || e.ctrlKey) return;
  if (/^[1-9]$/.test(e.key)) {
    const fieldset = currentFieldset();
    const options = fieldset ? [...fieldset.querySelectorAll('input[name^="pick-"]')] : [];
    const option = options[Number(e.key) - 1];
    if (option) { e.preventDefault(); option.checked = true; option.focus(); }
  } else if (["h", "m", "l"].includes(e.key)) {
    const level = { h: "high", m: "medium", l: "low" }[e.key];
    const input = form.querySelector(`input[name="confidence"][value="${level}"]`);
    if (input) { e.preventDefault(); input.checked = true; }
  } else if (e.key === "Enter") {
    e.preventDefault();
    submit();
  } else if (e.key === "s") {
    e.preventDefault();
    skip();
  }
});

(async () => {
  try {
    if (root.dataset.start) {
      render(await api(appUrl(`/adjudicate/api/item/${encodeURIComponent(root.dataset.start)}`)));
      refreshStats();
    } else {
      await loadNext();
    }
  } catch (err) {
    statsBox.textContent = err.message;
  }
})();
