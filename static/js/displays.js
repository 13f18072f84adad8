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
    if (STYLE_PROPERTIES.has(name) && typeof value === "string") el.style[name] = value;
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
