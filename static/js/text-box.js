// Text box options (loaded only when a text scheme uses them): a live character counter
// (`show_char_count`, `min_chars`) and paste blocking (`allow_paste: false`). The server
// checks min_chars on submit.
for (const box of document.querySelectorAll("fieldset[data-type='text'] [data-label]")) {
  const counter = box.parentElement.querySelector("[data-char-count]");
  const min = Number(box.dataset.minChars || 0);
  const update = () => {
    if (!counter) return;
    const n = box.value.trim().length;
    counter.textContent = min ? `${n} / ${min} min` : String(n);
    counter.dataset.short = min && n < min ? "1" : "";
  };
  box.addEventListener("input", update);
  if (box.hasAttribute("data-no-paste")) {
    box.addEventListener("paste", (e) => {
      e.preventDefault();
      if (counter) counter.textContent = "Pasting is turned off for this question; please type.";
    });
    box.addEventListener("drop", (e) => e.preventDefault());
  }
  update();
}
