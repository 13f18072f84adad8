// Triage (auto_advance): once a decision is picked, by key or click, submit and move on.
// Loaded only by pages that show a triage scheme.
const form = document.getElementById("annotation-form");
const boxes = [...form.querySelectorAll('fieldset.triage[data-auto-advance="1"]')];
const initial = new Map(boxes.map((b) => [b, (b.querySelector("input:checked") || {}).value]));

function maybeAdvance() {
  for (const box of boxes) {
    const now = (box.querySelector("input:checked") || {}).value;
    if (now && now !== initial.get(box)) {
      initial.set(box, now);
      form.requestSubmit(); // annotate.js saves, then goes to the next item
      return;
    }
  }
}

form.addEventListener("potato:picked", () => setTimeout(maybeAdvance, 0));
form.addEventListener("change", (e) => {
  if (e.target.closest("fieldset.triage")) setTimeout(maybeAdvance, 0);
});
