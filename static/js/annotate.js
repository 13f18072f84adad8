// The annotation page: keyboard shortcuts, autosave (drafts), submit-and-next.
// Plain ES module, no build step. Talks to the same session API scripts use.

const form = document.getElementById("annotation-form");
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const saveState = document.getElementById("save-state");
const formError = document.getElementById("form-error");
const instanceId = form.dataset.instanceId;
const AUTOSAVE_MS = 500;

let dirty = false;
let timer = null;
let inflight = Promise.resolve();
let activeScheme = null;

async function call(url, body) {
  const res = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    body: JSON.stringify(body),
  });
  let data = {};
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (res.status === 401) {
    showError("Your session has ended. Log in again in another tab, then press Enter to retry — your answers on this page are still here.");
    throw new Error("unauthorised");
  }
  if (!res.ok) {
    // A refused submit lists the unanswered questions; say that plainly to a person and
    // outline them, moving focus to the first.
    const missing = Array.isArray(data.missing) && data.missing.length
      ? `Please answer first: ${data.missing.join("; ")}.` : null;
    markMissing(Array.isArray(data.missing_schemas) ? data.missing_schemas : []);
    showError(missing || data.error || `The server answered ${res.status}.`);
    throw new Error(data.error || String(res.status));
  }
  return data;
}

function showError(message) {
  formError.textContent = message;
  formError.hidden = false;
  setState("Not saved", "error");
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

function setState(text, kind) {
  saveState.textContent = text;
  saveState.dataset.kind = kind || "";
}

// Build seed-003's frontend format: {"schema:label": value}.
function collect() {
  const annotations = {};
  for (const input of form.querySelectorAll("[data-scheme][data-label]")) {
    const key = `${input.dataset.scheme}:${input.dataset.label}`;
    if (input.type === "radio" || input.type === "checkbox") {
      annotations[key] = input.checked ? "1" : "0";
    } else if (input.type === "range") {
      if (input.dataset.touched) annotations[key] = input.value;
    } else {
      annotations[key] = input.value;
    }
  }
  return annotations;
}

function save(draft) {
  clearTimeout(timer);
  timer = null;
  const body = { instance_id: instanceId, annotations: collect(), draft };
  dirty = false;
  setState(draft ? "Saving…" : "Submitting…", "busy");
  inflight = inflight.catch(() => {}).then(() => call("/updateinstance", body)).then((data) => {
    clearError();
    setState(draft ? "Saved" : "Submitted", "ok");
    return data;
  });
  return inflight;
}

function scheduleSave() {
  dirty = true;
  setState("Unsaved changes", "busy");
  clearTimeout(timer);
  timer = setTimeout(() => save(true).catch(() => {}), AUTOSAVE_MS);
}

async function go(body) {
  const data = await call("/go_to", body);
  window.location.assign("/annotate");
  return data;
}

async function submitAndNext() {
  try {
    await save(false);
    await go({ action: "next_instance" });
  } catch (_) { /* message already shown */ }
}

async function navigate(action) {
  try {
    if (dirty) await save(true);
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
    const input = fieldset.querySelector(`input[data-key="${CSS.escape(key)}"]`);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = !input.checked;
    else input.checked = true;
    input.focus({ preventScroll: true });
    activeScheme = fieldset;
    scheduleSave();
    return true;
  }
  return false;
}

form.addEventListener("change", (e) => {
  if (e.target.type === "range") e.target.dataset.touched = "1";
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
      // A number typed by a person is a position in their list (1-based on screen).
      const asIndex = /^\d+$/.test(raw) ? { go_to: Number(raw) - 1 } : { go_to: raw };
      await go(asIndex);
    } catch (_) { /* shown */ }
  });
}

const dialog = document.getElementById("shortcuts");
document.getElementById("help-btn").addEventListener("click", () => dialog.showModal());

document.addEventListener("keydown", (e) => {
  if (e.defaultPrevented || e.altKey || e.metaKey) return;
  const el = document.activeElement;
  if (e.key === "Enter" && (e.ctrlKey || !typing(el) || (el.tagName === "INPUT" && el.type === "text" && el.form === form))) {
    if (el && el.tagName === "BUTTON") return; // let buttons do their own thing
    if (el && el.closest && el.closest("#goto-form")) return;
    e.preventDefault();
    submitAndNext();
    return;
  }
  if (e.ctrlKey || typing(el)) return;
  const ownsArrows = el && el.tagName === "INPUT" && (el.type === "range" || el.type === "radio");
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
  }
});
