// rollout_evaluation: every rollout of a scenario plays in lockstep; the annotator marks the
// moment a panel stops making sense (type and severity), clears panels with no break, picks
// the better rollout and judges a counterfactual. The answer goes to the hidden `_data` input
// in Potato's shape {violations, clean, preference, counterfactual}; times in seconds.

const form = document.getElementById("annotation-form");
const r3 = (v) => Math.round(v * 1000) / 1000;

for (const fs of document.querySelectorAll('fieldset[data-type="rollout_evaluation"]')) {
  const config = JSON.parse(fs.dataset.config);
  const input = fs.querySelector('input[data-label="_data"]');
  const canvas = fs.querySelector('[data-role="timeline"]');
  const ctx = canvas.getContext("2d");
  const status = fs.querySelector('[data-role="status"]');
  const list = fs.querySelector('[data-role="list"]');
  const saved = input.value ? JSON.parse(input.value) : {};
  const state = {
    violations: saved.violations || [], clean: saved.clean || [],
    preference: saved.preference || { winner: "", confidence: null, rubric: {} },
    counterfactual: saved.counterfactual || { verdict: "", t: null, note: "" },
  };
  const panels = [...fs.querySelectorAll("[data-stream]")];
  const videos = panels.map((p) => p.querySelector("video"));
  let duration = 0; let time = 0; let playing = false; let lastTick = 0; let selected = 0;

  for (const v of videos) {
    if (!v) continue;
    v.src = v.dataset.src;
    v.addEventListener("loadedmetadata", () => { duration = Math.max(duration, v.duration || 0); canvas.dataset.ready = "1"; draw(); });
  }

  function save() {
    const out = {};
    if (state.violations.length) out.violations = state.violations;
    if (state.clean.length) out.clean = state.clean;
    const p = state.preference;
    if (p.winner || p.confidence || Object.keys(p.rubric).length) out.preference = p;
    const c = state.counterfactual;
    if (c.verdict || c.t !== null || c.note) out.counterfactual = c;
    input.value = Object.keys(out).length ? JSON.stringify(out) : "";
    form.dispatchEvent(new Event("potato:changed"));
    draw();
  }

  function seek(t) {
    time = Math.max(0, duration ? Math.min(duration, t) : t);
    for (const v of videos) if (v && Math.abs(v.currentTime - time) > 0.02) v.currentTime = time;
    canvas.dataset.time = time.toFixed(3);
    draw();
  }

  function tick(now) {
    if (!playing) return;
    time += (now - lastTick) / 1000; lastTick = now;
    if (duration && time >= duration) { time = duration; playing = false; for (const v of videos) v && v.pause(); }
    canvas.dataset.time = time.toFixed(3);
    draw(); requestAnimationFrame(tick);
  }

  const xOf = (t) => 10 + (canvas.width - 20) * (duration ? t / duration : 0);

  function draw() {
    ctx.fillStyle = "#161616"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    panels.forEach((p, i) => {
      const y = 20 + i * 26;
      ctx.fillStyle = i === selected ? "#263238" : "#1e1e1e"; ctx.fillRect(0, y, canvas.width, 24);
      ctx.fillStyle = "#bbb"; ctx.font = "11px sans-serif"; ctx.fillText(String(i + 1), 2, y + 15);
      if (state.clean.includes(p.dataset.stream)) { ctx.fillStyle = "#2e7d32"; ctx.fillRect(10, y + 10, canvas.width - 20, 4); }
      for (const v of state.violations.filter((x) => x.stream === p.dataset.stream)) {
        ctx.fillStyle = ["#ffd54f", "#ff8a65", "#e53935"][Math.min(2, v.severity - 1)] || "#e53935";
        ctx.fillRect(xOf(v.t) - 2, y + 2, 4, 20);
      }
      p.classList.toggle("selected", i === selected);
      const marks = state.violations.filter((x) => x.stream === p.dataset.stream).length;
      p.querySelector('[data-role="panel-state"]').textContent = state.clean.includes(p.dataset.stream) ? "· clean" : marks ? `· ${marks} mark(s)` : "";
    });
    if (config.interventionTime !== null && config.interventionTime !== undefined) {
      ctx.strokeStyle = "#90caf9"; ctx.setLineDash([3, 3]); ctx.beginPath(); ctx.moveTo(xOf(config.interventionTime), 0); ctx.lineTo(xOf(config.interventionTime), canvas.height); ctx.stroke(); ctx.setLineDash([]);
    }
    ctx.strokeStyle = "#fff"; ctx.beginPath(); ctx.moveTo(xOf(time), 0); ctx.lineTo(xOf(time), canvas.height); ctx.stroke();
    status.textContent = `${time.toFixed(2)} s · frame ${Math.round(time * config.fps)} · panel ${selected + 1}`;
    list.replaceChildren(...state.violations.map((v) => {
      const li = document.createElement("li"); li.className = "entry"; li.dataset.testid = "ro-mark";
      const n = panels.findIndex((p) => p.dataset.stream === v.stream) + 1;
      li.textContent = `panel ${n} at ${v.t.toFixed(2)} s: ${v.type.replaceAll("_", " ")} (severity ${v.severity})`;
      return li;
    }));
  }

  function mark() {
    const stream = panels[selected]?.dataset.stream;
    if (!stream) return;
    if (config.maxViolations && state.violations.length >= config.maxViolations) { status.textContent = `At most ${config.maxViolations} marks.`; return; }
    state.clean = state.clean.filter((s) => s !== stream);
    state.violations.push({ stream, t: r3(time), type: fs.querySelector('[data-role="vtype"]').value, severity: Number(fs.querySelector('[data-role="severity"]').value), note: "" });
    save();
  }

  canvas.addEventListener("pointerdown", (e) => {
    canvas.focus({ preventScroll: true });
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) * canvas.width / r.width; const y = (e.clientY - r.top) * canvas.height / r.height;
    const row = Math.floor((y - 20) / 26);
    if (row >= 0 && row < panels.length) selected = row;
    seek(((x - 10) / (canvas.width - 20)) * duration);
  });
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key; let done = true; const frame = 1 / config.fps;
    const violations = config.layers.includes("violations");
    if (k === " ") {
      playing = !playing;
      if (playing) { lastTick = performance.now(); for (const v of videos) if (v) { v.currentTime = time; v.play().catch(() => {}); } requestAnimationFrame(tick); } else for (const v of videos) v && v.pause();
    } else if (k === "," || k === ".") seek(time + (k === "." ? frame : -frame));
    else if (k === "ArrowLeft" || k === "ArrowRight") seek(time + (k === "ArrowRight" ? 1 : -1) * (e.shiftKey ? 1 : frame));
    else if (/^[1-9]$/.test(k) && Number(k) <= panels.length) { selected = Number(k) - 1; draw(); }
    else if (violations && (k === "m" || k === "M")) mark();
    else if (violations && (k === "c" || k === "C")) {
      const stream = panels[selected].dataset.stream;
      if (state.violations.some((v) => v.stream === stream)) status.textContent = "This panel has marks; remove them before clearing it.";
      else { state.clean = state.clean.includes(stream) ? state.clean.filter((s) => s !== stream) : [...state.clean, stream]; save(); }
    } else if (violations && (k === "[" || k === "]")) {
      const times = state.violations.map((v) => v.t).sort((a, b) => a - b);
      const next = k === "]" ? times.find((t) => t > time + 1e-6) : [...times].reverse().find((t) => t < time - 1e-6);
      if (next !== undefined) seek(next);
    } else if (violations && (k === "Delete" || k === "Backspace")) {
      const stream = panels[selected].dataset.stream;
      const i = state.violations.findIndex((v) => v.stream === stream && Math.abs(v.t - time) < 0.5 * frame + 1e-6);
      if (i >= 0) { state.violations.splice(i, 1); save(); } else done = false;
    } else done = false;
    if (done) { e.preventDefault(); e.stopPropagation(); }
  });

  for (const radio of fs.querySelectorAll('[data-role="winner"]')) {
    radio.checked = state.preference.winner === radio.value;
    radio.addEventListener("change", () => { state.preference.winner = radio.value; save(); });
  }
  const confidence = fs.querySelector('[data-role="confidence"]');
  if (confidence) {
    confidence.value = state.preference.confidence ? String(state.preference.confidence) : "";
    confidence.addEventListener("change", () => { state.preference.confidence = confidence.value ? Number(confidence.value) : null; save(); });
  }
  for (const radio of fs.querySelectorAll('[data-role="rubric"]')) {
    radio.checked = state.preference.rubric[radio.dataset.dimension] === Number(radio.value);
    radio.addEventListener("change", () => { state.preference.rubric[radio.dataset.dimension] = Number(radio.value); save(); });
  }
  for (const radio of fs.querySelectorAll('[data-role="verdict"]')) {
    radio.checked = state.counterfactual.verdict === radio.value;
    radio.addEventListener("change", () => { state.counterfactual.verdict = radio.value; save(); });
  }
  const cfT = fs.querySelector('[data-role="cf-t"]');
  if (cfT) {
    cfT.value = state.counterfactual.t ?? "";
    cfT.addEventListener("change", () => { state.counterfactual.t = cfT.value === "" ? null : Number(cfT.value); save(); });
    fs.querySelector('[data-role="cf-now"]').addEventListener("click", () => { cfT.value = time.toFixed(2); state.counterfactual.t = r3(time); save(); });
  }
  draw();
}
