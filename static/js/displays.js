import { windowed } from "./windowed.js";
import "./depth-map.js"; // the depth_map display (one loop over its boxes)
import "./live-agent.js"; // live_agent / live_coding_agent runs (one loop over their boxes)

// Item displays (instance_display): sizes from the config, image zoom, code copy.
// The CSP forbids style= attributes, so sizes arrive as data-display-style JSON and are set
// through the CSSOM; only these properties are applied.
const STYLE_PROPERTIES = new Set(["maxWidth", "maxHeight", "height", "objectFit", "flexBasis", "gap"]);

for (const el of document.querySelectorAll("[data-display-style]")) {
  let styles;
  try {
    styles = JSON.parse(el.dataset.displayStyle);
  } catch {
    continue;
  }
  for (const [name, value] of Object.entries(styles)) {
    if (typeof value !== "string") continue;
    if (STYLE_PROPERTIES.has(name)) el.style[name] = value;
    // a speaker colour from the config (checked on the server too)
    else if (name === "--speaker" && /^#[0-9a-fA-F]{3,8}$/.test(value)) el.style.setProperty(name, value);
  }
}

function toggleZoom(img) {
  img.classList.toggle("zoomed");
}

for (const img of document.querySelectorAll("img.zoomable")) {
  img.addEventListener("click", () => toggleZoom(img));
  img.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      event.stopPropagation(); // Enter would otherwise submit the annotation form
      toggleZoom(img);
    }
  });
}

for (const button of document.querySelectorAll("button.display-copy")) {
  button.addEventListener("click", async () => {
    const pre = document.querySelector(`pre[data-code-field="${CSS.escape(button.dataset.copyField)}"]`);
    if (!pre) return;
    try {
      await navigator.clipboard.writeText(pre.textContent);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
}

// multi_agent_discussion: a legend chip hides or shows that agent's turns.
for (const chip of document.querySelectorAll(".discussion-legend .agent-chip")) {
  chip.addEventListener("click", () => {
    const shown = chip.getAttribute("aria-pressed") !== "true";
    chip.setAttribute("aria-pressed", String(shown));
    const discussion = chip.closest(".display-discussion");
    for (const turn of discussion.querySelectorAll(".turn[data-agent]")) {
      if (turn.dataset.agent === chip.dataset.agent) turn.classList.toggle("agent-hidden", !shown);
    }
  });
}

// audio_dialogue: play one turn, follow the playback, change the speed.
for (const box of document.querySelectorAll("[data-audio-dialogue]")) {
  const audio = box.querySelector("audio");
  if (!audio) continue;
  const turns = [...box.querySelectorAll(".ad-turn[data-start]")];
  let stopAt = null;
  for (const turn of turns) {
    turn.querySelector(".ad-play")?.addEventListener("click", () => {
      audio.currentTime = Number(turn.dataset.start);
      stopAt = turn.dataset.end ? Number(turn.dataset.end) : null;
      audio.play().catch(() => {});
    });
  }
  audio.addEventListener("timeupdate", () => {
    const t = audio.currentTime;
    if (stopAt !== null && t >= stopAt) {
      audio.pause();
      stopAt = null;
    }
    for (const turn of turns) {
      const start = Number(turn.dataset.start);
      const end = turn.dataset.end ? Number(turn.dataset.end) : Infinity;
      turn.classList.toggle("active", t >= start && t < end);
    }
  });
  box.querySelector(".ad-rate-select")?.addEventListener("change", (event) => {
    audio.playbackRate = Number(event.target.value) || 1;
  });
}

// Trace displays: a long trace's cards come in a <template> and are windowed (only the
// cards near the view are in the page); "Open all" / "Close all" for its collapsible steps.
const TRACE_CARDS = new Map();
for (const data of document.querySelectorAll("script.trace-steps-data")) {
  const trace = data.closest("[data-trace]");
  let steps = [];
  try {
    steps = JSON.parse(data.textContent);
  } catch {
    continue;
  }
  const cards = new Array(steps.length); // built when first shown
  const options = data.dataset;
  const make = (i) => traceCard(options, steps[i]);
  windowed(trace.querySelector("ol.trace-steps"), cards, { make });
  TRACE_CARDS.set(trace, { cards, options });
}

// The card templates/displays/_trace.html's step_card macro renders, for a long trace's step.
function traceCard(options, step) {
  const el = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const li = el("li", `trace-step step-type-${step.type}`);
  li.id = `step-${options.key}-${step.id}`;
  Object.assign(li.dataset, { stepId: step.id, stepIndex: String(step.index), testid: "trace-step" });
  const details = el("details");
  details.open = options.open === "1";
  const head = el("summary", "trace-step-head");
  if (options.numbers === "1") head.append(el("span", "step-number", `#${step.number}`), " ");
  head.append(el("span", "step-badge", step.speaker || step.type));
  if (step.agent_id) head.append(" ", el("span", "step-agent", step.agent_id));
  if (step.tool) head.append(" ", el("code", "step-tool", step.tool));
  if (options.timestamps === "1" && step.timestamp) head.append(" ", el("span", "step-time", step.timestamp));
  const text = step.text || "";
  head.append(" ", el("span", "step-preview", text.length > 90 ? `${text.slice(0, 87)}...` : text));
  details.append(head, el("div", "step-text", text));
  if (step.screenshot_url) {
    const img = el("img", "step-screenshot");
    Object.assign(img, { src: step.screenshot_url, alt: `Screenshot of step ${step.number}`, loading: "lazy" });
    details.append(img);
  }
  li.append(details);
  return li;
}
for (const button of document.querySelectorAll("[data-trace-expand], [data-trace-collapse]")) {
  button.addEventListener("click", () => {
    const key = button.dataset.traceExpand ?? button.dataset.traceCollapse;
    const trace = document.querySelector(`[data-trace="${CSS.escape(key)}"]`);
    if (!trace) return;
    const open = button.dataset.traceExpand !== undefined;
    const long = TRACE_CARDS.get(trace);
    if (long) long.options.open = open ? "1" : ""; // cards built later open (or not) too
    const cards = long ? long.cards.filter(Boolean) : trace.querySelectorAll(".trace-step");
    for (const card of cards) {
      const details = card.querySelector(":scope > details");
      if (details) details.open = open;
    }
  });
}
