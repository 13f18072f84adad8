// episode_annotation: the episode's camera streams played in sync, its series drawn as lanes
// on one timeline, with phases (key to start, same key or Enter to end), a reward curve
// (Up/Down at the playhead), the outcome and the instruction. The answer goes to the hidden
// `_data` input in Potato's shape {phases, outcome, reward, instructions}; times in seconds.
import { appUrl } from "./app-url.js";

const form = document.getElementById("annotation-form");
const r3 = (v) => Math.round(v * 1000) / 1000;

for (const fs of document.querySelectorAll('fieldset[data-type="episode_annotation"]')) {
  const config = JSON.parse(fs.dataset.config);
  const input = fs.querySelector('input[data-label="_data"]');
  const canvas = fs.querySelector('[data-role="timeline"]');
  const ctx = canvas.getContext("2d");
  const status = fs.querySelector('[data-role="status"]');
  const list = fs.querySelector('[data-role="list"]');
  const error = fs.querySelector('[data-role="error"]');
  const saved = input.value ? JSON.parse(input.value) : {};
  const state = { phases: saved.phases || [], outcome: saved.outcome || null, reward: saved.reward || [], instructions: saved.instructions || [] };
  let episode = { fps: 30, duration: 10, series: [], streams: [] };
  let videos = [];
  let time = 0; let playing = false; let open = null; let lastTick = 0;
  const color = (name) => (config.phases.find((p) => p.name === name) || {}).color || "#888";
  for (const el of fs.querySelectorAll("[data-color]")) el.style.setProperty("--ep-color", el.dataset.color);

  function save() {
    const out = {};
    if (state.phases.length) out.phases = state.phases;
    if (state.outcome && state.outcome.result) out.outcome = state.outcome;
    if (state.reward.length) out.reward = state.reward;
    if (state.instructions.length) out.instructions = state.instructions;
    input.value = Object.keys(out).length ? JSON.stringify(out) : "";
    form.dispatchEvent(new Event("potato:changed"));
    draw();
  }

  function seek(t) {
    time = Math.min(episode.duration || 0, Math.max(0, t));
    for (const v of videos) if (Math.abs(v.currentTime - time) > 0.03) v.currentTime = time;
    canvas.dataset.time = time.toFixed(3);
    draw();
  }

  function tick(now) {
    if (!playing) return;
    time += (now - lastTick) / 1000; lastTick = now;
    if (time >= episode.duration) { time = episode.duration; playing = false; for (const v of videos) v.pause(); }
    canvas.dataset.time = time.toFixed(3);
    draw();
    requestAnimationFrame(tick);
  }

  function toggle() {
    playing = !playing;
    if (playing) { lastTick = performance.now(); for (const v of videos) { v.currentTime = time; v.play().catch(() => {}); } requestAnimationFrame(tick); } else for (const v of videos) v.pause();
  }

  const xOf = (t) => 10 + (canvas.width - 20) * (episode.duration ? t / episode.duration : 0);

  function draw() {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#161616"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    const shown = episode.series.filter((s) => !config.seriesShown.length || config.seriesShown.includes(s.name)).slice(0, config.maxLanes);
    const laneTop = 60; const laneH = shown.length ? (canvas.height - laneTop - 10) / shown.length : 0;
    shown.forEach((s, i) => {
      const lo = Math.min(...s.values); const span = Math.max(1e-9, Math.max(...s.values) - lo);
      const y0 = laneTop + i * laneH;
      ctx.strokeStyle = "#6c8ae4"; ctx.lineWidth = 1; ctx.beginPath();
      s.values.forEach((v, k) => { const x = xOf((k * s.step) / episode.fps); const y = y0 + laneH - 2 - (v - lo) / span * (laneH - 4); if (k) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
      ctx.stroke();
      ctx.fillStyle = "#aaa"; ctx.font = "10px sans-serif"; ctx.fillText(`${s.name}${s.unit ? ` (${s.unit})` : ""}`, 12, y0 + 10);
    });
    for (const p of state.phases) { ctx.fillStyle = color(p.label); ctx.fillRect(xOf(p.start), 6, xOf(p.end) - xOf(p.start), 18); }
    if (open) { ctx.fillStyle = color(open.label); ctx.globalAlpha = 0.5; ctx.fillRect(xOf(open.start), 6, xOf(time) - xOf(open.start), 18); ctx.globalAlpha = 1; }
    if (state.reward.length) {
      const [lo, hi] = config.rewardRange;
      ctx.strokeStyle = "#95e1a3"; ctx.lineWidth = 2; ctx.beginPath();
      state.reward.forEach((r, k) => { const x = xOf(r.t); const y = 56 - (r.value - lo) / (hi - lo) * 26; if (k) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
      ctx.stroke();
    }
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(xOf(time), 0); ctx.lineTo(xOf(time), canvas.height); ctx.stroke();
    const frame = Math.round(time * episode.fps);
    status.textContent = `${time.toFixed(2)} s · frame ${frame}${open ? ` · ${open.label} open since ${open.start.toFixed(2)} s` : ""}`;
    list.replaceChildren(...state.phases.map((p) => {
      const li = document.createElement("li"); li.className = "entry"; li.dataset.testid = "ep-phase";
      li.textContent = `${p.label}: ${p.start.toFixed(2)}–${p.end.toFixed(2)} s`;
      return li;
    }));
  }

  function closePhase() {
    if (!open) return false;
    const end = r3(time);
    if (end > open.start) {
      state.phases.push({ start: open.start, end, label: open.label });
      state.phases.sort((a, b) => a.start - b.start);
    } else status.textContent = "A phase must end after it starts.";
    open = null; save(); return true;
  }

  function setReward(delta) {
    const [lo, hi] = config.rewardRange;
    const t = r3(time);
    const before = [...state.reward].reverse().find((r) => r.t <= t);
    const current = state.reward.find((r) => r.t === t);
    const value = Math.min(hi, Math.max(lo, r3((current ? current.value : before ? before.value : lo) + delta * (hi - lo))));
    if (current) current.value = value; else { state.reward.push({ t, value }); state.reward.sort((a, b) => a.t - b.t); }
    save();
  }

  canvas.addEventListener("pointerdown", (e) => {
    canvas.focus({ preventScroll: true });
    const r = canvas.getBoundingClientRect();
    const x = (e.clientX - r.left) * canvas.width / r.width;
    seek(((x - 10) / (canvas.width - 20)) * episode.duration);
  });
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key; let done = true;
    const frame = 1 / episode.fps;
    if (k === " ") toggle();
    else if (k === "ArrowLeft" || k === "ArrowRight") seek(time + (k === "ArrowRight" ? 1 : -1) * (e.shiftKey ? 1 : frame));
    else if ((k === "ArrowUp" || k === "ArrowDown") && config.layers.includes("reward")) setReward(k === "ArrowUp" ? 0.1 : -0.1);
    else if (k === "Enter" && open) closePhase();
    else if (k === "Escape" && open) { open = null; draw(); }
    else if ((k === "Delete" || k === "Backspace") && config.layers.includes("phases")) {
      const i = state.phases.findIndex((p) => p.start <= time && time <= p.end);
      if (i >= 0) { state.phases.splice(i, 1); save(); } else done = false;
    } else {
      const phase = config.layers.includes("phases") && config.phases.find((p) => p.key && p.key === k);
      if (!phase) done = false;
      else if (open && open.label === phase.name) closePhase();
      else {
        if (open) closePhase();
        if (config.maxPhases && state.phases.length >= config.maxPhases) status.textContent = `At most ${config.maxPhases} phases.`;
        else { open = { label: phase.name, start: r3(time) }; draw(); }
      }
    }
    if (done) { e.preventDefault(); e.stopPropagation(); }
  });

  for (const radio of fs.querySelectorAll('[data-role="outcome"]')) {
    radio.checked = !!(state.outcome && state.outcome.result === radio.value);
    radio.addEventListener("change", () => { state.outcome = { result: radio.value, cause: radio.value === config.outcomes[0] ? null : (fs.querySelector('[data-role="cause"]').value || null) }; save(); });
  }
  const cause = fs.querySelector('[data-role="cause"]');
  if (cause) {
    cause.value = (state.outcome && state.outcome.cause) || "";
    cause.addEventListener("change", () => { if (state.outcome && state.outcome.result !== config.outcomes[0]) { state.outcome.cause = cause.value || null; save(); } });
  }
  const instructions = fs.querySelector('[data-role="instructions"]');
  if (instructions) {
    instructions.value = state.instructions.length ? state.instructions[0].text : "";
    instructions.addEventListener("change", () => { state.instructions = instructions.value.trim() ? [{ text: instructions.value, start: null, end: null }] : []; save(); });
  }

  draw();
  if (!config.episode) { error.hidden = false; error.textContent = "This item names no episode."; }
  else {
    const path = config.episode.replace(/^\/+(media\/)?/, "");
    const which = config.episodeKey == null ? "" : `?episode=${encodeURIComponent(config.episodeKey)}`;
    fetch(appUrl(`/api/episode/${path.split("/").map(encodeURIComponent).join("/")}${which}`), { credentials: "same-origin" }).then(async (r) => {
      const data = await r.json();
      if (!r.ok) { error.hidden = false; error.textContent = data.error || `The episode could not be loaded (${r.status}).`; return; }
      episode = { ...data, duration: data.duration || 0 };
      const holder = fs.querySelector('[data-role="streams"]');
      videos = data.streams.filter((s) => s.url).map((s) => {
        const figure = document.createElement("figure");
        const v = document.createElement("video"); v.src = s.url; v.muted = true; v.preload = "auto"; v.playsInline = true;
        const cap = document.createElement("figcaption"); cap.textContent = s.name;
        figure.append(v, cap); holder.append(figure);
        return v;
      });
      if (data.instruction) { const p = fs.querySelector('[data-role="instruction"]'); p.textContent = `Instruction: ${data.instruction}`; p.hidden = false; }
      canvas.dataset.ready = "1";
      draw();
    });
  }
}
