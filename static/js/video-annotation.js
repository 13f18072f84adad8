// video_annotation: a video with a timeline of labelled segments (drag, or [ and ]), frame
// stepping (, and .), speed, frame labels, keyframes, and object tracks drawn as boxes on
// the video (interpolated between keyframes). The answer goes to the scheme's hidden
// `_data` input in Potato's shape: {video_metadata, segments, frame_annotations, keyframes,
// tracking}.
import { Timeline, eachMediaScheme, csrfToken, fmtTime, loadPeaks, mediaSource, newId, renderList, round3, typingTarget } from "./media-timeline.js";
import { appUrl } from "./app-url.js";

eachMediaScheme("video_annotation", setup);

function setup(fieldset, { config, q, input, colors }) {
  const video = q("video");
  const overlay = q("overlay");
  const fps = config.fps || 30;
  let activeLabel = config.labels.length ? config.labels[0].name : "object";
  let markStart = null;
  const stored = input.value ? JSON.parse(input.value) : {};
  const state = {
    frames: { ...(stored.frame_annotations || {}) },
    keyframes: [...(stored.keyframes || [])],
    tracking: { ...(stored.tracking || {}) },
    meta: stored.video_metadata || null,
  };
  let activeTrack = null;

  const timeline = new Timeline(q("timeline"), {
    duration: 0,
    colors,
    activeLabel: () => activeLabel,
    onChange: save,
    onSelect: () => renderList(q("segments"), timeline, config.labels, save),
    onSeek: (t) => seek(t),
  });
  timeline.segments = (stored.segments || []).map((s) => ({ ...s }));

  function frameAt(t) { return Math.round(t * fps); }
  function seek(t) {
    video.currentTime = Math.max(0, Math.min(timeline.duration || t, t));
  }
  function showError(message) {
    q("error").textContent = message;
    q("error").hidden = false;
  }

  function save() {
    const segments = timeline.segments.map((s) => ({
      id: s.id, start_time: s.start_time, end_time: s.end_time,
      start_frame: frameAt(s.start_time), end_frame: frameAt(s.end_time),
      label: s.label, annotations: s.annotations || {},
    }));
    const empty = !segments.length && !Object.keys(state.frames).length &&
      !state.keyframes.length && !Object.keys(state.tracking).length;
    const data = { segments, frame_annotations: state.frames, keyframes: state.keyframes, tracking: state.tracking };
    if (state.meta) data.video_metadata = state.meta;
    input.value = empty ? "" : JSON.stringify(data);
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
    renderList(q("segments"), timeline, config.labels, save);
    renderOthers();
    drawOverlay();
  }

  function renderOthers() {
    const list = q("others");
    list.replaceChildren();
    const add = (text, onDelete) => {
      const li = document.createElement("li");
      li.className = "media-segment";
      li.append(document.createTextNode(text));
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.addEventListener("click", onDelete);
      li.append(del);
      list.append(li);
    };
    for (const [frame, f] of Object.entries(state.frames)) {
      add(`frame ${frame}: ${f.label}`, () => { delete state.frames[frame]; save(); });
    }
    for (const k of state.keyframes) {
      add(`keyframe at frame ${k.frame}: ${k.label}`, () => { state.keyframes = state.keyframes.filter((x) => x !== k); save(); });
    }
    for (const [id, track] of Object.entries(state.tracking)) {
      add(`${track.label} (${id}): ${Object.keys(track.keyframes).length} keyframe box(es)`,
        () => { delete state.tracking[id]; if (activeTrack === id) activeTrack = null; save(); });
    }
  }

  const src = mediaSource(config, "video");
  if (!src) {
    showError("This item has no video to annotate.");
    return;
  }
  const text = document.getElementById("instance-text");
  if (text && !config.src && text.textContent.trim() && !/\s/.test(text.textContent.trim())) text.hidden = true;
  video.src = src;
  video.addEventListener("error", () => showError("The video cannot be played."));
  video.addEventListener("loadedmetadata", () => {
    timeline.duration = video.duration;
    state.meta = { duration: round3(video.duration), fps, width: video.videoWidth, height: video.videoHeight };
    if (overlay) { overlay.width = video.videoWidth; overlay.height = video.videoHeight; }
    timeline.draw();
    q("timeline").dataset.ready = "1";
    drawOverlay();
  });
  // The server's reading (opencv) of duration and size, for codecs the browser cannot play.
  fetch(appUrl("/api/video/metadata"), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ video_url: src }),
  })
    .then((res) => (res.ok ? res.json() : null))
    .then((meta) => {
      if (!meta || timeline.duration) return;
      timeline.duration = meta.duration;
      state.meta = { duration: meta.duration, fps, width: meta.width, height: meta.height };
      if (overlay) { overlay.width = meta.width; overlay.height = meta.height; }
      timeline.draw();
      q("timeline").dataset.ready = "1";
    })
    .catch(() => {});
  // The audio track's waveform under the segments, when the server can decode it.
  loadPeaks(src, appUrl("/api/video/waveform/generate"), "video_url")
    .then((peaks) => { timeline.peaks = peaks; timeline.draw(); })
    .catch(() => {}); // no audio track, or no decoder for it: the timeline stays plain
  const playBtn = fieldset.querySelector('[data-action="play"]');
  function toggle() {
    if (video.paused) video.play().catch(() => showError("The video cannot be played."));
    else video.pause();
  }
  playBtn.addEventListener("click", toggle);
  video.addEventListener("play", () => { playBtn.textContent = "Pause"; tick(); });
  video.addEventListener("pause", () => { playBtn.textContent = "Play"; });
  video.addEventListener("seeked", () => update());
  function update() {
    q("time").textContent = fmtTime(video.currentTime);
    q("frame").textContent = `frame ${frameAt(video.currentTime)}`;
    timeline.setPlayhead(video.currentTime);
    drawOverlay();
  }
  function tick() {
    update();
    if (!video.paused) requestAnimationFrame(tick);
  }
  function step(n) {
    video.pause();
    seek((frameAt(video.currentTime) + n) / fps + 1e-4);
  }
  const on = (action, fn) => {
    const b = fieldset.querySelector(`[data-action="${action}"]`);
    if (b) b.addEventListener("click", fn);
  };
  on("prev-frame", () => step(-1));
  on("next-frame", () => step(1));
  on("zoom-in", () => timeline.setZoom(timeline.zoom * 2));
  on("zoom-out", () => timeline.setZoom(timeline.zoom / 2));
  on("classify-frame", classifyFrame);
  on("keyframe", markKeyframe);
  const rate = q("rate");
  if (rate) rate.addEventListener("change", (e) => { e.stopPropagation(); video.playbackRate = Number(rate.value); });

  function classifyFrame() {
    const frame = frameAt(video.currentTime);
    state.frames[String(frame)] = { id: `frame_${frame}`, frame, time: round3(video.currentTime), label: activeLabel };
    save();
  }
  function markKeyframe() {
    const frame = frameAt(video.currentTime);
    state.keyframes.push({ id: newId("keyframe"), frame, time: round3(video.currentTime), label: activeLabel, note: "" });
    save();
  }

  // labels
  const labelButtons = [...fieldset.querySelectorAll(".media-label")];
  for (const btn of labelButtons) {
    btn.style.setProperty("--c", btn.dataset.color);
    btn.addEventListener("click", () => chooseLabel(btn.dataset.labelName));
  }
  function chooseLabel(name) {
    activeLabel = name;
    activeTrack = null; // a new box starts a new object of this label
    for (const b of labelButtons) b.setAttribute("aria-pressed", String(b.dataset.labelName === name));
    if (timeline.selected) {
      timeline.selected.label = name;
      save();
    }
  }

  // tracking boxes: drag on the overlay; the box goes to the active track at this frame
  function boxAt(track, frame) {
    const keys = Object.values(track.keyframes).sort((a, b) => a.frame - b.frame);
    const exact = keys.find((k) => k.frame === frame);
    if (exact) return { box: exact.bbox, key: true };
    if (config.interpolation === "none") return null;
    let before = null;
    let after = null;
    for (const k of keys) {
      if (k.frame < frame) before = k;
      else if (k.frame > frame && !after) after = k;
    }
    if (!before || !after) return null;
    const t = (frame - before.frame) / (after.frame - before.frame);
    const box = {};
    for (const c of ["x", "y", "width", "height"]) box[c] = before.bbox[c] + (after.bbox[c] - before.bbox[c]) * t;
    return { box, key: false };
  }
  function drawOverlay() {
    if (!overlay || !overlay.width) return;
    const g = overlay.getContext("2d");
    g.clearRect(0, 0, overlay.width, overlay.height);
    const frame = frameAt(video.currentTime);
    for (const [id, track] of Object.entries(state.tracking)) {
      const found = boxAt(track, frame);
      if (!found) continue;
      g.strokeStyle = colors[track.label] || track.color || "#f33";
      g.lineWidth = id === activeTrack ? 3 : 2;
      g.setLineDash(found.key ? [] : [6, 4]);
      g.strokeRect(found.box.x, found.box.y, found.box.width, found.box.height);
      g.fillStyle = g.strokeStyle;
      g.font = "14px sans-serif";
      g.fillText(track.label, found.box.x, Math.max(12, found.box.y - 4));
    }
    if (drawing) {
      g.setLineDash([4, 4]);
      g.strokeStyle = "#fff";
      g.strokeRect(drawing.x, drawing.y, drawing.w, drawing.h);
    }
  }
  let drawing = null;
  function overlayPoint(e) {
    const rect = overlay.getBoundingClientRect();
    return {
      x: ((e.clientX - rect.left) / rect.width) * overlay.width,
      y: ((e.clientY - rect.top) / rect.height) * overlay.height,
    };
  }
  if (overlay) {
    overlay.addEventListener("pointerdown", (e) => {
      overlay.setPointerCapture(e.pointerId);
      video.pause();
      const p = overlayPoint(e);
      drawing = { x0: p.x, y0: p.y, x: p.x, y: p.y, w: 0, h: 0 };
    });
    overlay.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const p = overlayPoint(e);
      drawing.x = Math.min(drawing.x0, p.x);
      drawing.y = Math.min(drawing.y0, p.y);
      drawing.w = Math.abs(p.x - drawing.x0);
      drawing.h = Math.abs(p.y - drawing.y0);
      drawOverlay();
    });
    overlay.addEventListener("pointerup", () => {
      const d = drawing;
      drawing = null;
      if (!d || d.w < 3 || d.h < 3) { drawOverlay(); return; }
      if (!activeTrack || !state.tracking[activeTrack]) {
        activeTrack = newId("object");
        state.tracking[activeTrack] = { id: activeTrack, label: activeLabel, color: colors[activeLabel] || "", keyframes: {} };
      }
      const frame = frameAt(video.currentTime);
      state.tracking[activeTrack].keyframes[String(frame)] = {
        frame, time: round3(video.currentTime),
        bbox: { x: round3(d.x), y: round3(d.y), width: round3(d.w), height: round3(d.h) },
      };
      save();
      if (config.autoAdvance > 1) step(config.autoAdvance);
    });
  }

  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e)) return;
    if (fieldset.closest("[hidden]")) return;
    const key = e.key;
    if (key === " ") toggle();
    else if (key === ",") step(-1);
    else if (key === ".") step(1);
    else if (key === "[") markStart = video.currentTime;
    else if (key === "]") {
      const start = markStart ?? 0;
      if (video.currentTime > start) timeline.add(start, video.currentTime);
      markStart = null;
    } else if ((key === "Delete" || key === "Backspace") && timeline.selected) timeline.remove(timeline.selected);
    else if (key === "f" && fieldset.querySelector('[data-action="classify-frame"]')) classifyFrame();
    else if (key === "k" && fieldset.querySelector('[data-action="keyframe"]')) markKeyframe();
    else if (key === "+" || key === "=") timeline.setZoom(timeline.zoom * 2);
    else if (key === "-") timeline.setZoom(timeline.zoom / 2);
    else {
      const label = config.labels.find((l) => l.key && l.key === key.toLowerCase());
      if (!label) return;
      chooseLabel(label.name);
    }
    e.preventDefault();
  });
  renderList(q("segments"), timeline, config.labels, save);
  renderOthers();
  timeline.draw();
}
