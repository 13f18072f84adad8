// voice_interaction: two lanes (user above, agent below) drawn from the item's turns, a
// label per overlap and an overall rating; the answer goes to the hidden `_data` input as
// Potato's {"overlaps": {index: label}, "rating": n}.
for (const fieldset of document.querySelectorAll('fieldset[data-type="voice_interaction"]')) {
  const config = JSON.parse(fieldset.dataset.config);
  const input = fieldset.querySelector('input[data-label="_data"]');
  const audio = fieldset.querySelector('[data-role="audio"]');
  if (audio && config.src) audio.src = config.src;
  const stored = input.value ? JSON.parse(input.value) : {};

  const canvas = fieldset.querySelector('[data-role="lanes"]');
  const g = canvas.getContext("2d");
  const timed = config.turns.filter((t) => t.start != null && t.end != null);
  const span = Math.max(1, ...timed.map((t) => t.end));
  const x = (t) => (t / span) * canvas.width;
  g.fillStyle = "#f7f7f9";
  g.fillRect(0, 0, canvas.width, canvas.height);
  for (const t of timed) {
    g.fillStyle = t.lane === "user" ? "#2e86de" : "#27ae60";
    g.fillRect(x(t.start), t.lane === "user" ? 8 : 48, Math.max(1, x(t.end) - x(t.start)), 24);
  }
  for (const a of timed) {
    for (const b of timed) {
      if (a.lane !== "user" || b.lane !== "agent") continue;
      const s = Math.max(a.start, b.start);
      const e = Math.min(a.end, b.end);
      if (e > s) { g.fillStyle = "rgba(220, 0, 0, 0.5)"; g.fillRect(x(s), 0, x(e) - x(s), canvas.height); }
    }
  }

  function save() {
    const overlaps = {};
    for (const row of fieldset.querySelectorAll(".vi-overlap")) {
      const v = row.querySelector('[data-role="overlap-label"]').value;
      if (v) overlaps[row.dataset.overlap] = v;
    }
    const rated = fieldset.querySelector('[data-role="rating"]:checked');
    const data = { overlaps };
    if (rated) data.rating = Number(rated.value);
    input.value = Object.keys(overlaps).length || rated ? JSON.stringify(data) : "";
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
  }
  for (const row of fieldset.querySelectorAll(".vi-overlap")) {
    const select = row.querySelector('[data-role="overlap-label"]');
    select.value = (stored.overlaps || {})[row.dataset.overlap] || "";
    select.addEventListener("change", (e) => { e.stopPropagation(); save(); });
  }
  for (const radio of fieldset.querySelectorAll('[data-role="rating"]')) {
    radio.checked = Number(radio.value) === stored.rating;
    radio.addEventListener("change", (e) => { e.stopPropagation(); save(); });
  }
}
