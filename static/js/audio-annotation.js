// audio_annotation: waveform from /api/waveform/*, play/pause (space), speed, zoom, segments
// created by dragging or with [ and ], labelled, edges adjusted by dragging, loop, per-file
// labels, optional spectrogram. The answer is written to the scheme's hidden `_data` input
// as Potato's client writes it: {"segments": [{id, start_time, end_time, label, annotations}]}.
import { Timeline, eachMediaScheme, fmtTime, loadPeaks, mediaSource, renderList, typingTarget } from "./media-timeline.js";

eachMediaScheme("audio_annotation", setup);

function setup(fieldset, { config, q, input, colors }) {
  const canvas = q("waveform");
  const errorBox = q("error");
  let activeLabel = config.labels.length ? config.labels[0].name : null;
  let markStart = null;
  const audio = new Audio();
  audio.preload = "auto";

  const stored = input.value ? JSON.parse(input.value) : {};
  const timeline = new Timeline(canvas, {
    duration: 0,
    colors,
    activeLabel: () => activeLabel,
    onChange: save,
    onSelect: () => renderList(q("segments"), timeline, config.labels, save),
    onSeek: (t) => { audio.currentTime = t; timeline.setPlayhead(t); },
  });
  timeline.segments = (stored.segments || []).map((s) => ({ ...s }));
  for (const box of fieldset.querySelectorAll('[data-role="file-label"]')) {
    box.checked = (stored.file_labels || []).includes(box.value);
    box.addEventListener("change", (e) => { e.stopPropagation(); save(); });
  }
  renderList(q("segments"), timeline, config.labels, save);

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function save() {
    const fileLabels = [...fieldset.querySelectorAll('[data-role="file-label"]:checked')].map((b) => b.value);
    const segments = timeline.segments.map((s) => ({
      id: s.id, start_time: s.start_time, end_time: s.end_time, label: s.label, annotations: s.annotations || {},
    }));
    const data = { segments };
    if (fileLabels.length) data.file_labels = fileLabels;
    if (timeline.duration) data.duration = Math.round(timeline.duration * 1000) / 1000;
    input.value = segments.length || fileLabels.length ? JSON.stringify(data) : "";
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
    renderList(q("segments"), timeline, config.labels, save);
  }

  const src = mediaSource(config, "audio");
  if (!src) {
    showError("This item has no audio file to annotate.");
    return;
  }
  const text = document.getElementById("instance-text");
  if (text && !config.src && text.textContent.trim() && !/\s/.test(text.textContent.trim())) text.hidden = true;
  audio.src = src;
  audio.addEventListener("error", () => showError("The audio file cannot be played."));
  audio.addEventListener("loadedmetadata", () => {
    if (!timeline.duration && Number.isFinite(audio.duration)) {
      timeline.duration = audio.duration;
      timeline.draw();
    }
  });
  loadPeaks(src)
    .then((peaks) => {
      timeline.peaks = peaks;
      timeline.duration = peaks.duration;
      timeline.draw();
      canvas.dataset.ready = "1";
      fieldset.dataset.duration = String(peaks.duration);
    })
    .catch((err) => {
      showError(`No waveform: ${err.message}`);
      canvas.dataset.ready = "1";
    });

  // playback
  const playBtn = fieldset.querySelector('[data-action="play"]');
  function toggle() {
    if (audio.paused) audio.play().catch(() => showError("The audio file cannot be played."));
    else audio.pause();
  }
  playBtn.addEventListener("click", toggle);
  audio.addEventListener("play", () => { playBtn.textContent = "Pause"; tick(); });
  audio.addEventListener("pause", () => { playBtn.textContent = "Play"; });
  function tick() {
    const sel = timeline.selected;
    if (q("loop").checked && sel && (audio.currentTime >= sel.end_time || audio.currentTime < sel.start_time - 0.05)) {
      audio.currentTime = sel.start_time;
    }
    q("time").textContent = fmtTime(audio.currentTime);
    timeline.setPlayhead(audio.currentTime);
    if (!audio.paused) requestAnimationFrame(tick);
  }
  const rate = q("rate");
  if (rate) rate.addEventListener("change", (e) => { e.stopPropagation(); audio.playbackRate = Number(rate.value); });
  q("loop").addEventListener("change", (e) => e.stopPropagation());
  const zin = fieldset.querySelector('[data-action="zoom-in"]');
  const zout = fieldset.querySelector('[data-action="zoom-out"]');
  if (zin) zin.addEventListener("click", () => timeline.setZoom(timeline.zoom * 2));
  if (zout) zout.addEventListener("click", () => timeline.setZoom(timeline.zoom / 2));

  // labels
  const labelButtons = [...fieldset.querySelectorAll(".media-label")];
  for (const btn of labelButtons) {
    btn.style.setProperty("--c", btn.dataset.color);
    btn.addEventListener("click", () => chooseLabel(btn.dataset.labelName));
  }
  function chooseLabel(name) {
    activeLabel = name;
    for (const b of labelButtons) b.setAttribute("aria-pressed", String(b.dataset.labelName === name));
    if (timeline.selected) {
      timeline.selected.label = name;
      save();
      timeline.draw();
    }
  }

  // spectrogram (computed in the browser from the decoded audio, on demand)
  const specBox = q("spectrogram");
  if (specBox) {
    specBox.addEventListener("change", (e) => {
      e.stopPropagation();
      const view = q("spectrogram-view");
      view.hidden = !specBox.checked;
      if (specBox.checked && !view.dataset.drawn) drawSpectrogram(src, view, config.spectrogramOptions).catch(
        (err) => showError(`No spectrogram: ${err.message}`));
    });
  }

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e)) return;
    if (fieldset.closest("[hidden]")) return;
    const key = e.key;
    if (key === " ") {
      toggle();
    } else if (key === "[") {
      markStart = audio.currentTime;
    } else if (key === "]") {
      const start = markStart ?? 0;
      if (audio.currentTime > start) timeline.add(start, audio.currentTime);
      markStart = null;
    } else if ((key === "Delete" || key === "Backspace") && timeline.selected) {
      timeline.remove(timeline.selected);
    } else if (key === "+" || key === "=") {
      timeline.setZoom(timeline.zoom * 2);
    } else if (key === "-") {
      timeline.setZoom(timeline.zoom / 2);
    } else {
      const label = config.labels.find((l) => l.key && l.key === key.toLowerCase());
      if (!label) return;
      chooseLabel(label.name);
    }
    e.preventDefault();
  });
  timeline.draw();
}

// A magnitude spectrogram (Hann window, radix-2 FFT) of the decoded audio, one column per
// canvas pixel. Decoding happens only when the annotator asks for the view.
async function drawSpectrogram(src, canvas, options) {
  const buf = await (await fetch(src, { credentials: "same-origin" })).arrayBuffer();
  const ctx = new OfflineAudioContext(1, 1, 44100);
  const audio = await ctx.decodeAudioData(buf);
  const samples = audio.getChannelData(0);
  const n = 2 ** Math.round(Math.log2(Math.min(2048, Math.max(64, options.fft_size || 512))));
  const cols = canvas.width;
  const rows = canvas.height;
  const g = canvas.getContext("2d");
  const img = g.createImageData(cols, rows);
  const re = new Float32Array(n);
  const im = new Float32Array(n);
  const step = Math.max(1, Math.floor((samples.length - n) / cols));
  for (let c = 0; c < cols; c += 1) {
    const at = c * step;
    for (let i = 0; i < n; i += 1) {
      re[i] = (samples[at + i] || 0) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)));
      im[i] = 0;
    }
    fft(re, im);
    for (let r = 0; r < rows; r += 1) {
      const bin = Math.floor(((rows - 1 - r) / rows) * (n / 2));
      const mag = Math.log10(1 + Math.hypot(re[bin], im[bin])) * 80;
      const v = Math.min(255, mag);
      const o = (r * cols + c) * 4;
      img.data[o] = v;
      img.data[o + 1] = v * 0.6;
      img.data[o + 2] = 255 - v;
      img.data[o + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
  canvas.dataset.drawn = "1";
}

function fft(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < len / 2; k += 1) {
        const wr = Math.cos(ang * k);
        const wi = Math.sin(ang * k);
        const ar = re[i + k + len / 2] * wr - im[i + k + len / 2] * wi;
        const ai = re[i + k + len / 2] * wi + im[i + k + len / 2] * wr;
        re[i + k + len / 2] = re[i + k] - ar;
        im[i + k + len / 2] = im[i + k] - ai;
        re[i + k] += ar;
        im[i + k] += ai;
      }
    }
  }
}
