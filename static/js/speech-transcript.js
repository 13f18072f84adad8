// speech_transcript: error tags and corrections per transcript segment; the answer goes to
// the hidden `_data` input as Potato's list [{index, start, end, errors, correction}] of the
// annotated segments. A segment's ▶ plays just that stretch of the audio.
for (const fieldset of document.querySelectorAll('fieldset[data-type="speech_transcript"]')) {
  const config = JSON.parse(fieldset.dataset.config);
  const input = fieldset.querySelector('input[data-label="_data"]');
  const audio = fieldset.querySelector('[data-role="audio"]');
  if (audio && config.src) audio.src = config.src;
  const stored = input.value ? JSON.parse(input.value) : [];
  const byIndex = Object.fromEntries(stored.map((r) => [String(r.index), r]));
  const rows = [...fieldset.querySelectorAll(".st-segment")];
  const num = (v) => (v === "" ? null : Number(v));

  function save() {
    const out = [];
    for (const row of rows) {
      const errors = [...row.querySelectorAll('[data-role="error"]:checked')].map((b) => b.value);
      const box = row.querySelector('[data-role="correction"]');
      const correction = box ? box.value : "";
      if (!errors.length && !correction.trim()) continue;
      out.push({ index: Number(row.dataset.index), start: num(row.dataset.start), end: num(row.dataset.end), errors, correction });
    }
    input.value = out.length ? JSON.stringify(out) : "";
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
  }

  for (const row of rows) {
    const saved = byIndex[row.dataset.index] || { errors: [], correction: "" };
    for (const box of row.querySelectorAll('[data-role="error"]')) {
      box.checked = saved.errors.includes(box.value);
      box.addEventListener("change", (e) => { e.stopPropagation(); save(); });
    }
    const text = row.querySelector('[data-role="correction"]');
    if (text) {
      text.value = saved.correction || "";
      text.addEventListener("input", (e) => { e.stopPropagation(); save(); });
      text.addEventListener("change", (e) => e.stopPropagation());
    }
    const play = row.querySelector('[data-action="play-segment"]');
    play.addEventListener("click", () => {
      if (!audio) return;
      const end = num(row.dataset.end);
      audio.currentTime = num(row.dataset.start) || 0;
      audio.play().catch(() => {});
      const stop = () => {
        if (end != null && audio.currentTime >= end) { audio.pause(); audio.removeEventListener("timeupdate", stop); }
      };
      audio.addEventListener("timeupdate", stop);
    });
  }
}
