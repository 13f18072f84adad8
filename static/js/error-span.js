// error_span (MQM): choose a passage of the text (keyboard or mouse), its error type and
// severity, then "Add error". The hidden input holds Potato's record {errors, score}; the
// server checks the offsets and recomputes the score.
import { loadStylesheet, pageText, readRecord, selectableText, storeRecord } from "./text-select.js";

loadStylesheet();

for (const box of document.querySelectorAll("fieldset[data-type='error_span']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const config = JSON.parse(box.querySelector("[data-role='config']").textContent);
  const textBox = box.querySelector("[data-role='text']");
  const typeSelect = box.querySelector("[data-role='type']");
  const list = box.querySelector("[data-role='errors']");
  const scoreEl = box.querySelector("[data-role='score']");
  const status = box.querySelector("[data-role='status']");
  const stored = readRecord(input);
  let errors = stored && Array.isArray(stored.errors) ? stored.errors : [];

  const chooser = selectableText(textBox, pageText(), (sel) => {
    status.textContent = sel ? `Selected: “${sel.text}”` : "";
  });

  function score() {
    const penalty = errors.reduce((sum, e) => sum + Math.abs(config.severities[e.severity] || 0), 0);
    return Math.max(0, config.max_score - penalty);
  }

  function render() {
    list.textContent = "";
    errors.forEach((err, i) => {
      const li = document.createElement("li");
      li.textContent = `“${err.text}” — ${err.type}${err.subtype ? " / " + err.subtype : ""}, ${err.severity} `;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove error “${err.text}”`);
      remove.addEventListener("click", () => {
        errors.splice(i, 1);
        save();
        textBox.focus();
      });
      li.appendChild(remove);
      list.appendChild(li);
    });
    chooser.mark(errors.map((e) => ({ start: e.start, end: e.end, cls: String(e.severity).toLowerCase() })));
    if (scoreEl) scoreEl.textContent = score();
  }

  function save() {
    render();
    storeRecord(input, { errors, score: score() });
  }

  box.querySelector("[data-role='add']").addEventListener("click", () => {
    const sel = chooser.selection();
    const severity = box.querySelector("input[data-role='severity']:checked");
    if (!sel) { status.textContent = "Select the erroneous text first."; textBox.focus(); return; }
    if (!severity) { status.textContent = "Choose a severity."; return; }
    const [type, subtype] = typeSelect.value.split("::");
    errors.push({ start: sel.start, end: sel.end, text: sel.text, type, subtype: subtype || "", severity: severity.value });
    errors.sort((a, b) => a.start - b.start || a.end - b.end);
    chooser.clear();
    save();
    status.textContent = `Added ${type}${subtype ? " / " + subtype : ""} (${severity.value}).`;
    textBox.focus();
  });
  box.querySelector("[data-role='none']").addEventListener("click", () => {
    errors = [];
    save();
    status.textContent = "Recorded: no errors.";
  });
  render();
}
