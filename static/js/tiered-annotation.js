// tiered_annotation: one timeline per tier over the same audio/video. Independent tiers take
// any drag; a dependent tier's annotation must lie inside an annotation of its parent tier
// (it records that parent's id). The answer goes to the hidden `_data` input as Potato's
// {"annotations": {tier: [{id, tier, start_time, end_time, label, parent_id, value}]}} (ms).
import { Timeline, fmtTime, loadPeaks, mediaSource, renderList, typingTarget } from "./media-timeline.js";

for (const fieldset of document.querySelectorAll('fieldset[data-type="tiered_annotation"]')) {
  setup(fieldset);
}

function setup(fieldset) {
  const config = JSON.parse(fieldset.dataset.config);
  const input = fieldset.querySelector('input[data-label="_data"]');
  const media = fieldset.querySelector('[data-role="media"]');
  const errorBox = fieldset.querySelector('[data-role="error"]');
  const stored = input.value ? JSON.parse(input.value).annotations || {} : {};
  const views = {};
  const showError = (m) => { errorBox.textContent = m; errorBox.hidden = !m; };

  function save() {
    const annotations = {};
    for (const tier of config.tiers) {
      const list = views[tier.name].timeline.segments.map((s) => ({
        id: s.id, tier: tier.name, start_time: Math.round(s.start_time * 1000), end_time: Math.round(s.end_time * 1000),
        label: s.label, parent_id: s.parent_id || null, value: s.value || "",
      }));
      if (list.length) annotations[tier.name] = list;
    }
    input.value = Object.keys(annotations).length ? JSON.stringify({ annotations }) : "";
    input.form.dispatchEvent(new Event("potato:changed")); // annotate.js saves
  }

  function fitParent(tier, seg) {
    if (tier.type !== "dependent") return true;
    const parents = views[tier.parent].timeline.segments;
    const inside = ["time_subdivision", "included_in"].includes(tier.constraint);
    const parent = parents.find((p) => (inside
      ? p.start_time <= seg.start_time + 1e-3 && p.end_time >= seg.end_time - 1e-3
      : p.start_time < seg.end_time && p.end_time > seg.start_time));
    if (!parent) return false;
    seg.parent_id = parent.id;
    return true;
  }

  for (const tier of config.tiers) {
    const section = fieldset.querySelector(`section[data-tier="${CSS.escape(tier.name)}"]`);
    const colors = Object.fromEntries(tier.labels.map((l) => [l.name, l.color]));
    let active = tier.labels.length ? tier.labels[0].name : "";
    const view = { section };
    const timeline = new Timeline(section.querySelector('[data-role="tier-canvas"]'), {
      duration: 0,
      colors,
      activeLabel: () => active,
      onChange: () => {
        const bad = timeline.segments.filter((s) => !fitParent(tier, s));
        if (bad.length) {
          timeline.segments = timeline.segments.filter((s) => !bad.includes(s));
          showError(`An annotation on ${tier.name} must lie inside one on ${tier.parent}.`);
          timeline.draw();
        } else {
          showError("");
        }
        renderList(section.querySelector('[data-role="segments"]'), timeline, tier.labels, save);
        save();
      },
      onSelect: () => renderList(section.querySelector('[data-role="segments"]'), timeline, tier.labels, save),
      onSeek: (t) => { media.currentTime = t; },
    });
    timeline.segments = (stored[tier.name] || []).map((a) => ({
      ...a, start_time: a.start_time / 1000, end_time: a.end_time / 1000, annotations: {},
    }));
    view.timeline = timeline;
    views[tier.name] = view;
    for (const btn of section.querySelectorAll(".media-label")) {
      btn.style.setProperty("--c", colors[btn.dataset.labelName] || "#888");
      btn.addEventListener("click", () => {
        active = btn.dataset.labelName;
        for (const b of section.querySelectorAll(".media-label")) b.setAttribute("aria-pressed", String(b === btn));
        if (timeline.selected) { timeline.selected.label = active; save(); timeline.draw(); }
      });
    }
    renderList(section.querySelector('[data-role="segments"]'), timeline, tier.labels, save);
  }
  const all = () => Object.values(views).map((v) => v.timeline);

  const src = mediaSource(config, config.mediaType === "video" ? "video" : "audio");
  if (!src) { showError("This item has no media file to annotate."); return; }
  media.src = src;
  media.addEventListener("loadedmetadata", () => {
    for (const t of all()) { if (!t.duration) { t.duration = media.duration; t.draw(); } }
  });
  if (config.mediaType === "audio") {
    loadPeaks(src).then((peaks) => {
      const first = all()[0];
      first.peaks = peaks;
      for (const t of all()) { t.duration = peaks.duration; t.draw(); }
    }).catch((err) => showError(`No waveform: ${err.message}`));
  }
  const play = fieldset.querySelector('[data-action="play"]');
  const toggle = () => (media.paused ? media.play().catch(() => showError("The media cannot be played.")) : media.pause());
  play.addEventListener("click", toggle);
  media.addEventListener("play", () => { play.textContent = "Pause"; tick(); });
  media.addEventListener("pause", () => { play.textContent = "Play"; });
  function tick() {
    fieldset.querySelector('[data-role="time"]').textContent = fmtTime(media.currentTime);
    for (const t of all()) t.setPlayhead(media.currentTime);
    if (!media.paused) requestAnimationFrame(tick);
  }
  const rate = fieldset.querySelector('[data-role="rate"]');
  if (rate) rate.addEventListener("change", (e) => { e.stopPropagation(); media.playbackRate = Number(rate.value); });
  const zoom = (f) => all().forEach((t) => t.setZoom(t.zoom * f));
  const zin = fieldset.querySelector('[data-action="zoom-in"]');
  const zout = fieldset.querySelector('[data-action="zoom-out"]');
  if (zin) zin.addEventListener("click", () => zoom(2));
  if (zout) zout.addEventListener("click", () => zoom(0.5));
  document.addEventListener("keydown", (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingTarget(e)) return;
    if (fieldset.closest("[hidden]") || e.key !== " ") return;
    toggle();
    e.preventDefault();
  });
}
