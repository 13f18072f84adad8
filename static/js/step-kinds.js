// Readers and writers of the step-level types added after steps.js's first eight:
// gui_trajectory and multimodal_reasoning ("judge": a verdict and notes per step),
// emergent_behavior ("behavior": checked turns per behaviour), tool_contention
// ("contention": a label per contention region). steps.js calls them with the scheme's
// list of step rows (rows not in the page, in a long windowed list, included).

const pressed = (row) => {
  const b = row.querySelector("button.step-choice[aria-pressed='true']");
  return b ? b.dataset.stepValue : null;
};
const setPressed = (row, value) => {
  for (const b of row.querySelectorAll("button.step-choice")) {
    b.setAttribute("aria-pressed", String(value !== null && b.dataset.stepValue === String(value)));
  }
};
const index = (row) => Number(row.dataset.stepIndex);

// [{index, step, verdict, notes, (type)}]
export function readJudged(scheme, rows) {
  const out = [];
  for (const row of rows) {
    const verdict = pressed(row);
    const notes = row.querySelector(".step-notes")?.value || "";
    if (verdict === null && !notes) continue;
    const entry = { index: index(row), step: index(row), verdict: verdict || "", notes };
    const type = row.querySelector(".step-controls")?.dataset.type;
    if (type) entry.type = type;
    out.push(entry);
  }
  return out.length ? out : null;
}
export function writeJudged(scheme, doc, rows) {
  const byIndex = new Map((Array.isArray(doc) ? doc : []).map((e) => [e.index, e]));
  for (const row of rows) {
    const e = byIndex.get(index(row));
    if (!e) continue;
    setPressed(row, e.verdict || null);
    const notes = row.querySelector(".step-notes");
    if (notes) notes.value = e.notes || "";
  }
}

// {behavior: {turns: [...], note}}
export function readBehaviors(scheme) {
  const doc = {};
  for (const block of scheme.querySelectorAll(".eb-behavior")) {
    const turns = [...block.querySelectorAll("input.eb-check:checked")].map((b) => Number(b.dataset.turn));
    const note = block.querySelector(".eb-note")?.value || "";
    const count = block.querySelector(".eb-count");
    if (count) count.textContent = turns.length ? `(${turns.length} turn${turns.length > 1 ? "s" : ""})` : "";
    if (turns.length || note) doc[block.dataset.behavior] = { turns, note };
  }
  return Object.keys(doc).length ? doc : null;
}
export function writeBehaviors(scheme, doc) {
  for (const block of scheme.querySelectorAll(".eb-behavior")) {
    const entry = doc[block.dataset.behavior] || { turns: [], note: "" };
    for (const box of block.querySelectorAll("input.eb-check")) box.checked = entry.turns.includes(Number(box.dataset.turn));
    const note = block.querySelector(".eb-note");
    if (note) note.value = entry.note || "";
  }
  readBehaviors(scheme);
}

// {contentions: {"<index>": label}}
export function readContentions(scheme, rows) {
  const contentions = {};
  for (const row of rows) {
    const label = pressed(row);
    if (label !== null) contentions[String(index(row))] = label;
  }
  return Object.keys(contentions).length ? { contentions } : null;
}
export function writeContentions(scheme, doc, rows) {
  const given = doc.contentions || {};
  for (const row of rows) setPressed(row, given[String(index(row))] ?? null);
}

// gui_trajectory: put each click marker where the click landed on its screenshot (the
// position is set here, not in a style attribute, which the page's CSP forbids).
export function placeMarkers(root) {
  for (const marker of root.querySelectorAll(".gt-marker:not([data-placed])")) {
    const img = marker.parentElement.querySelector("img.gt-shot");
    const x = Number(marker.dataset.x);
    const y = Number(marker.dataset.y);
    const place = () => {
      let left = x * 100;
      let top = y * 100;
      if (marker.dataset.space === "pixels") {
        if (!img.naturalWidth || !img.naturalHeight) return;
        left = (x / img.naturalWidth) * 100;
        top = (y / img.naturalHeight) * 100;
      }
      marker.style.left = `${left}%`;
      marker.style.top = `${top}%`;
      marker.dataset.placed = "";
    };
    if (marker.dataset.space !== "pixels" || img.complete) place();
    else img.addEventListener("load", place, { once: true });
  }
}
