// temporal_grounding: for each event prompt, the gold [start, end] (typed or taken from the
// video's playhead) with a live IoU against the model's predicted interval. The answer goes
// to the hidden `_data` input as {"events": {index: {start, end}}}.
import { mediaSource } from "./media-timeline.js";

function iou(a, b) {
  const inter = Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union > 0 ? inter / union : 0;
}

for (const fieldset of document.querySelectorAll('fieldset[data-type="temporal_grounding"]')) {
  const config = JSON.parse(fieldset.dataset.config);
  const input = fieldset.querySelector('input[data-label="_data"]');
  const video = fieldset.querySelector('[data-role="video"]');
  const stored = input.value ? JSON.parse(input.value).events || {} : {};
  const src = mediaSource(config, "video");
  if (src) video.src = src;
  else video.hidden = true;

  const rows = [...fieldset.querySelectorAll(".tg-event")];
  const value = (row, field) => {
    const v = row.querySelector(`[data-field="${field}"]`).value;
    return v === "" ? null : Number(v);
  };
  function refresh(row) {
    const i = Number(row.dataset.event);
    const gold = { start: value(row, "start"), end: value(row, "end") };
    const pred = config.events[i] && config.events[i].predicted;
    const out = row.querySelector('[data-role="iou"]');
    if (out) out.textContent = pred && gold.start != null && gold.end != null && gold.end > gold.start ? iou(gold, pred).toFixed(2) : "–";
    const canvas = row.querySelector('[data-role="bars"]');
    const g = canvas.getContext("2d");
    const span = config.duration || video.duration || Math.max(gold.end || 0, pred ? pred.end : 0, 1);
    const x = (t) => (t / span) * canvas.width;
    g.clearRect(0, 0, canvas.width, canvas.height);
    if (pred) { g.fillStyle = "#f39c12"; g.fillRect(x(pred.start), 2, x(pred.end) - x(pred.start), 9); }
    if (gold.start != null && gold.end != null) { g.fillStyle = "#2e86de"; g.fillRect(x(gold.start), 13, x(gold.end) - x(gold.start), 9); }
  }
  function save() {
    const events = {};
    for (const row of rows) {
      const start = value(row, "start");
      const end = value(row, "end");
      if (start != null || end != null) events[row.dataset.event] = { start, end };
    }
    input.value = Object.keys(events).length ? JSON.stringify({ events }) : "";
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
  }
  for (const row of rows) {
    const saved = stored[row.dataset.event] || {};
    for (const field of ["start", "end"]) {
      const box = row.querySelector(`[data-field="${field}"]`);
      if (saved[field] != null) box.value = saved[field];
      box.addEventListener("change", (e) => { e.stopPropagation(); refresh(row); save(); });
      row.querySelector(`[data-action="set-${field}"]`).addEventListener("click", () => {
        box.value = video.currentTime.toFixed(2);
        refresh(row);
        save();
      });
    }
    refresh(row);
  }
  video.addEventListener("loadedmetadata", () => rows.forEach(refresh));
}
