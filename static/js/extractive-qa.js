// extractive_qa (SQuAD-style): choose the answer in the passage (keyboard or mouse) and press
// Enter or "Use selection as answer", or mark the question unanswerable. The hidden input
// holds Potato's record {answer_text, start, end, unanswerable}; the server checks it.
import { loadStylesheet, pageText, readRecord, selectableText, storeRecord } from "./text-select.js";

loadStylesheet();

for (const box of document.querySelectorAll("fieldset[data-type='extractive_qa']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const passageBox = box.querySelector("[data-role='passage']");
  const own = box.querySelector("[data-role='passage-text']");
  const answerEl = box.querySelector("[data-role='answer']");
  const color = box.dataset.highlight;
  const chooser = selectableText(passageBox, own ? JSON.parse(own.textContent) : pageText(), null);
  let record = readRecord(input);

  function render() {
    chooser.mark(record && !record.unanswerable ? [{ start: record.start, end: record.end, cls: "answer" }] : []);
    for (const w of passageBox.querySelectorAll(".tw-word")) {
      w.style.backgroundColor = w.classList.contains("tw-mark-answer") && color ? color : "";
    }
    if (!record) answerEl.textContent = "—";
    else answerEl.textContent = record.unanswerable ? "Unanswerable" : `“${record.answer_text}”`;
  }

  function useSelection() {
    const sel = chooser.selection();
    if (!sel) return false;
    record = { answer_text: sel.text, start: sel.start, end: sel.end, unanswerable: false };
    chooser.clear();
    render();
    storeRecord(input, record);
    return true;
  }

  passageBox.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.ctrlKey && useSelection()) e.preventDefault();
  });
  box.querySelector("[data-role='use']").addEventListener("click", () => {
    if (!useSelection()) answerEl.textContent = "Select the answer in the passage first.";
  });
  const unanswerable = box.querySelector("[data-role='unanswerable']");
  if (unanswerable) {
    unanswerable.addEventListener("click", () => {
      record = { answer_text: "", start: -1, end: -1, unanswerable: true };
      render();
      storeRecord(input, record);
    });
  }
  render();
}
