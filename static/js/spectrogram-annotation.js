// spectrogram_annotation: time-frequency boxes drawn over a spectrogram the server computes
// (POST to the fieldset's data-generate-url; the answer holds the image URL and its axes).
// The hidden input (saved by annotate.js) holds Potato's list of boxes:
// [{start_s, end_s, low_hz, high_hz, label}]; low/high null is a full-height (time-only) box.
// Mouse: drag on empty space draws, drag a box moves it. Keyboard (canvas focused): N new
// box, ] / [ next / previous box, arrows move, Shift+arrows resize, label keys relabel,
// Delete removes, P plays the box's time range, Space plays or pauses, Esc deselects.
import { csrfToken } from "./media-timeline.js";

const melOf = (f) => 2595 * Math.log10(1 + f / 700);
const hzOfMel = (m) => 700 * (10 ** (m / 2595) - 1);
const round = (v, digits) => Math.round(v * 10 ** digits) / 10 ** digits;

function readBoxes(input) {
  try {
    const v = input.value ? JSON.parse(input.value) : [];
    return Array.isArray(v) ? v : [];
  } catch (_) {
    return [];
  }
}

for (const box of document.querySelectorAll("fieldset[data-type='spectrogram_annotation']")) {
  const cfg = JSON.parse(box.dataset.config);
  const canvas = box.querySelector("[data-role='canvas']");
  const ctx = canvas.getContext("2d");
  const input = box.querySelector("input[type='hidden'][data-label]");
  const player = box.querySelector("[data-role='player']");
  const list = box.querySelector("[data-role='boxes']");
  const status = box.querySelector("[data-role='status']");
  const errorEl = box.querySelector("[data-role='error']");
  const axes = box.querySelector("[data-role='axes']");
  const labelButtons = [...box.querySelectorAll(".sg-label")];
  const colors = Object.fromEntries(cfg.labels.map((l) => [l.name, l.color]));
  for (const b of labelButtons) b.style.setProperty("--c", b.dataset.color);
  let boxes = readBoxes(input);
  let selected = -1;
  let current = cfg.labels.length ? cfg.labels[0].name : null;
  let meta = null;
  const image = new Image();
  let drag = null;
  let stopAt = null;

  function fail(message) {
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  // -- axes: pixels <-> seconds and hertz --------------------------------------------------
  const W = () => canvas.width;
  const H = () => canvas.height;
  const xOf = (t) => (t / meta.duration) * W();
  const tOf = (x) => Math.min(meta.duration, Math.max(0, (x / W()) * meta.duration));
  function fracOf(f) {
    if (meta.frequency_scale === "mel") {
      return (melOf(f) - melOf(meta.min_freq)) / (melOf(meta.max_freq) - melOf(meta.min_freq));
    }
    return (f - meta.min_freq) / (meta.max_freq - meta.min_freq);
  }
  function fOfFrac(frac) {
    frac = Math.min(1, Math.max(0, frac));
    if (meta.frequency_scale === "mel") {
      const lo = melOf(meta.min_freq);
      return hzOfMel(lo + frac * (melOf(meta.max_freq) - lo));
    }
    return meta.min_freq + frac * (meta.max_freq - meta.min_freq);
  }
  const yOf = (f) => (1 - fracOf(f)) * H();
  const fOf = (y) => fOfFrac(1 - y / H());

  function rectOf(b) {
    const x0 = xOf(b.start_s);
    const x1 = xOf(b.end_s);
    if (b.low_hz === null || b.low_hz === undefined) return [x0, 0, x1 - x0, H()];
    const y0 = yOf(b.high_hz);
    return [x0, y0, x1 - x0, yOf(b.low_hz) - y0];
  }

  function hit(x, y) {
    for (let i = boxes.length - 1; i >= 0; i--) {
      const [rx, ry, rw, rh] = rectOf(boxes[i]);
      if (x >= rx && x <= rx + rw && y >= ry && y <= ry + rh) return i;
    }
    return -1;
  }

  // -- drawing ----------------------------------------------------------------------------
  function draw() {
    ctx.clearRect(0, 0, W(), H());
    if (image.complete && image.naturalWidth) ctx.drawImage(image, 0, 0, W(), H());
    if (!meta) return;
    boxes.forEach((b, i) => {
      const [x, y, w, h] = rectOf(b);
      ctx.lineWidth = i === selected ? 3 : 1.5;
      ctx.strokeStyle = colors[b.label] || "#fff";
      ctx.setLineDash(i === selected ? [6, 3] : []);
      ctx.strokeRect(x, y, w, h);
      ctx.fillStyle = colors[b.label] || "#fff";
      ctx.font = "12px sans-serif";
      ctx.fillText(b.label, x + 3, Math.max(12, y + 12));
    });
    ctx.setLineDash([]);
    if (drag && drag.kind === "draw") {
      ctx.strokeStyle = "#fff";
      ctx.strokeRect(drag.x0, drag.y0, drag.x - drag.x0, drag.y - drag.y0);
    }
  }

  function describe(b) {
    const hz = b.low_hz === null || b.low_hz === undefined
      ? "all frequencies" : `${Math.round(b.low_hz)}–${Math.round(b.high_hz)} Hz`;
    return `${b.label}: ${b.start_s.toFixed(2)}–${b.end_s.toFixed(2)} s, ${hz}`;
  }

  function renderList() {
    list.textContent = "";
    boxes.forEach((b, i) => {
      const li = document.createElement("li");
      li.className = "sg-box";
      if (i === selected) li.setAttribute("aria-current", "true");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.textContent = describe(b);
      pick.addEventListener("click", () => { select(i); canvas.focus(); });
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete box ${i + 1}`);
      del.addEventListener("click", () => { remove(i); });
      li.append(pick, " ", del);
      list.append(li);
    });
  }

  function commit() {
    input.value = boxes.length ? JSON.stringify(boxes) : "";
    input.form.dispatchEvent(new Event("potato:changed"));
    renderList();
    draw();
  }

  function select(i) {
    selected = i;
    if (i >= 0) status.textContent = `Selected box ${i + 1} of ${boxes.length}: ${describe(boxes[i])}`;
    renderList();
    draw();
  }

  function remove(i) {
    if (i < 0) return;
    boxes.splice(i, 1);
    selected = -1;
    status.textContent = `Box ${i + 1} removed`;
    commit();
  }

  function setLabel(name) {
    current = name;
    for (const b of labelButtons) b.setAttribute("aria-pressed", String(b.dataset.labelName === name));
    if (selected >= 0) {
      boxes[selected] = { ...boxes[selected], label: name };
      commit();
    }
  }

  function canAdd() {
    if (cfg.maxBoxes === null || cfg.maxBoxes === undefined || boxes.length < cfg.maxBoxes) return true;
    status.textContent = `At most ${cfg.maxBoxes} boxes`;
    return false;
  }

  // A box from pixel corners, clamped to the image and rounded.
  function boxFrom(x0, y0, x1, y1, label) {
    return {
      start_s: round(tOf(Math.min(x0, x1)), 3),
      end_s: round(tOf(Math.max(x0, x1)), 3),
      low_hz: round(fOf(Math.max(y0, y1)), 1),
      high_hz: round(fOf(Math.min(y0, y1)), 1),
      label,
    };
  }

  // -- mouse ------------------------------------------------------------------------------
  function point(e) {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * W(), ((e.clientY - r.top) / r.height) * H()];
  }
  canvas.addEventListener("pointerdown", (e) => {
    if (!meta) return;
    const [x, y] = point(e);
    const i = hit(x, y);
    canvas.setPointerCapture(e.pointerId);
    if (i >= 0) {
      select(i);
      drag = { kind: "move", x0: x, y0: y, x, y, orig: { ...boxes[i] } };
    } else {
      drag = { kind: "draw", x0: x, y0: y, x, y };
    }
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    [drag.x, drag.y] = point(e);
    if (drag.kind === "move") {
      moveBy(selected, drag.orig, ((drag.x - drag.x0) / W()) * meta.duration, -(drag.y - drag.y0) / H());
    }
    draw();
  });
  canvas.addEventListener("pointerup", () => {
    if (!drag) return;
    const d = drag;
    drag = null;
    if (d.kind === "draw") {
      if (Math.abs(d.x - d.x0) < 4 || Math.abs(d.y - d.y0) < 4 || !current || !canAdd()) {
        draw();
        return;
      }
      boxes.push(boxFrom(d.x0, d.y0, d.x, d.y, current));
      selected = boxes.length - 1;
    } else if ((d.x !== d.x0 || d.y !== d.y0) && boxes[selected].source) {
      boxes[selected].edited = true; // an imported box the annotator changed
    }
    commit();
  });

  // Move box i (from `orig`) by dt seconds and dfrac of the frequency axis.
  function moveBy(i, orig, dt, dfrac) {
    const len = orig.end_s - orig.start_s;
    const start = Math.min(Math.max(0, orig.start_s + dt), meta.duration - len);
    const moved = { ...orig, start_s: round(start, 3), end_s: round(start + len, 3) };
    if (orig.low_hz !== null && orig.low_hz !== undefined) {
      const lo = fracOf(orig.low_hz);
      const hi = fracOf(orig.high_hz);
      const shift = Math.min(Math.max(dfrac, -lo), 1 - hi);
      moved.low_hz = round(fOfFrac(lo + shift), 1);
      moved.high_hz = round(fOfFrac(hi + shift), 1);
    }
    boxes[i] = moved;
  }

  function resizeBy(i, dt, dfrac) {
    const b = { ...boxes[i] };
    b.end_s = round(Math.min(meta.duration, Math.max(b.start_s + 0.01, b.end_s + dt)), 3);
    if (b.low_hz !== null && b.low_hz !== undefined) {
      const hi = Math.min(1, Math.max(fracOf(b.low_hz) + 0.01, fracOf(b.high_hz) + dfrac));
      b.high_hz = round(fOfFrac(hi), 1);
    }
    boxes[i] = b;
  }

  // -- keyboard ---------------------------------------------------------------------------
  canvas.addEventListener("keydown", (e) => {
    if (!meta || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key;
    const labelHit = cfg.labels.find((l) => l.key && l.key === key.toLowerCase());
    const tStep = meta.duration / 100;
    const fStep = 0.02;
    let handled = true;
    if (labelHit) {
      setLabel(labelHit.name);
    } else if (key === "n" || key === "N") {
      if (!current || !canAdd()) { e.preventDefault(); return; }
      const at = player && player.currentTime < meta.duration ? player.currentTime : 0;
      const start = Math.min(at, meta.duration * 0.9);
      const len = Math.max(meta.duration / 10, 0.01);
      boxes.push({
        start_s: round(start, 3),
        end_s: round(Math.min(meta.duration, start + len), 3),
        low_hz: round(fOfFrac(0.25), 1),
        high_hz: round(fOfFrac(0.5), 1),
        label: current,
      });
      selected = boxes.length - 1;
      status.textContent = `New box ${selected + 1}: ${describe(boxes[selected])}`;
      commit();
    } else if ((key === "]" || key === "[") && boxes.length) {
      const n = boxes.length;
      if (selected < 0) select(key === "]" ? 0 : n - 1);
      else select((selected + (key === "]" ? 1 : n - 1)) % n);
    } else if (key.startsWith("Arrow") && selected >= 0) {
      const dt = key === "ArrowLeft" ? -tStep : key === "ArrowRight" ? tStep : 0;
      const df = key === "ArrowUp" ? fStep : key === "ArrowDown" ? -fStep : 0;
      if (e.shiftKey) resizeBy(selected, dt, df);
      else moveBy(selected, boxes[selected], dt, df);
      if (boxes[selected].source) boxes[selected].edited = true;
      status.textContent = describe(boxes[selected]);
      commit();
    } else if ((key === "Delete" || key === "Backspace") && selected >= 0) {
      remove(selected);
    } else if (key === "Escape" && selected >= 0) {
      select(-1);
    } else if ((key === "p" || key === "P") && selected >= 0) {
      playRange(boxes[selected].start_s, boxes[selected].end_s);
    } else if (key === " ") {
      if (player) { if (player.paused) player.play().catch(() => {}); else player.pause(); }
    } else {
      handled = false;
    }
    if (handled) e.preventDefault();
  });

  for (const b of labelButtons) b.addEventListener("click", () => setLabel(b.dataset.labelName));

  // -- playback of a box's time range ---------------------------------------------------
  function playRange(start, end) {
    if (!player) return;
    stopAt = end;
    player.currentTime = start;
    player.play().catch(() => {});
    status.textContent = `Playing ${start.toFixed(2)}–${end.toFixed(2)} s`;
  }
  if (player) {
    player.addEventListener("timeupdate", () => {
      if (stopAt !== null && player.currentTime >= stopAt) {
        player.pause();
        stopAt = null;
      }
    });
  }

  // -- load -------------------------------------------------------------------------------
  async function load() {
    if (!cfg.audio) { fail("This item has no audio to show."); return; }
    const res = await fetch(box.dataset.generateUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ audio_url: cfg.audio, schema: cfg.schema }),
    });
    const made = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(made.error || `spectrogram failed (${res.status})`);
    meta = made;
    axes.textContent = `0–${meta.duration.toFixed(2)} s · ${Math.round(meta.min_freq)}–${Math.round(meta.max_freq)} Hz (${meta.frequency_scale})`;
    await new Promise((resolve, reject) => {
      image.onload = resolve;
      image.onerror = () => reject(new Error("the spectrogram image did not load"));
      image.src = made.image_url;
    });
    renderList();
    draw();
    canvas.dataset.ready = "1";
  }
  load().catch((err) => fail(err.message));
}
