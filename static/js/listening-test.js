// listening_test: play buttons for the blinded slots (opaque URLs from the server), one
// slider per slot (MUSHRA 0-100, BS.1116 1.0-5.0) or a category scale (ACR, DCR, CCR,
// P.835, ABX). The hidden input (saved by annotate.js) holds Potato's record:
// {"ratings": {...}} | {"rating": i} | {"sig", "bak", "ovrl"} | {"choice"}, plus "played".
// Everything is native controls: Tab to a button or slider, Space/Enter plays, arrows rate.

function readRecord(input) {
  try {
    return input.value ? JSON.parse(input.value) : {};
  } catch (_) {
    return {};
  }
}

for (const box of document.querySelectorAll("fieldset[data-type='listening_test']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const player = box.querySelector("[data-role='player']");
  const status = box.querySelector("[data-role='status']");
  const method = box.dataset.method;
  const stored = readRecord(input);
  const played = new Set(stored.played || []);
  let current = null;

  function record() {
    const out = {};
    if (method === "mushra" || method === "bs1116") {
      const ratings = {};
      for (const slider of box.querySelectorAll(".lt-slider")) {
        if (slider.dataset.rated) ratings[slider.dataset.slot] = Number(slider.value);
      }
      out.ratings = ratings;
    } else {
      for (const radio of box.querySelectorAll("input[type='radio']:checked")) {
        out[radio.dataset.field] = method === "abx" ? radio.value : Number(radio.value);
      }
    }
    out.played = [...played];
    return out;
  }

  function changed() {
    input.value = JSON.stringify(record());
    input.form.dispatchEvent(new Event("potato:changed"));
  }

  function play(button) {
    if (!player) return;
    const same = current === button;
    if (same && !player.paused) {
      player.pause();
      return;
    }
    // Switching slots keeps the position (MUSHRA's instantaneous switching).
    const at = player.currentTime || 0;
    if (!same) {
      player.src = button.dataset.url;
      for (const b of box.querySelectorAll(".lt-play")) b.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      current = button;
    }
    player.addEventListener("loadedmetadata", () => {
      if (at < player.duration) player.currentTime = at;
    }, { once: true });
    player.play().catch(() => {});
    if (button.dataset.slot !== "ref" && !played.has(button.dataset.slot)) {
      played.add(button.dataset.slot);
      changed();
    }
    if (status) status.textContent = `Playing ${button.dataset.slot === "ref" ? "reference" : button.dataset.slot}`;
  }

  for (const button of box.querySelectorAll(".lt-play")) {
    button.addEventListener("click", () => play(button));
  }
  for (const slider of box.querySelectorAll(".lt-slider")) {
    const output = slider.closest("tr").querySelector(".lt-score");
    slider.addEventListener("input", () => {
      slider.dataset.rated = "1";
      output.textContent = slider.value;
    });
    slider.addEventListener("change", changed);
  }
  for (const radio of box.querySelectorAll("input[type='radio']")) {
    radio.addEventListener("change", changed);
  }
}
