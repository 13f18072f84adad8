import "./depth-map.js"; // the depth_map display (one loop over its boxes)

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

// Trace displays: "Open all" / "Close all" for a trace's collapsible steps.
for (const button of document.querySelectorAll("[data-trace-expand], [data-trace-collapse]")) {
  button.addEventListener("click", () => {
    const key = button.dataset.traceExpand ?? button.dataset.traceCollapse;
    const trace = document.querySelector(`[data-trace="${CSS.escape(key)}"]`);
    if (!trace) return;
    const open = button.dataset.traceExpand !== undefined;
    for (const details of trace.querySelectorAll(".trace-step > details")) details.open = open;
  });
}
