// belief_elicitation: write {"report": n} or {"bins": [...]} into the scheme's hidden input
// as the annotator moves the slider or types points; show the running total of the bins
// (the server refuses a distribution that does not sum to 100).
for (const box of document.querySelectorAll("fieldset.belief")) {
  const hidden = box.querySelector("input.belief-value");
  if (box.dataset.mode === "point") {
    const slider = box.querySelector(".belief-report");
    const shown = box.querySelector(".belief-shown");
    const write = () => {
      hidden.value = JSON.stringify({ report: Number(slider.value) });
      shown.textContent = `${slider.value}%`;
      slider.setAttribute("aria-valuetext", `${slider.value}%`);
    };
    slider.addEventListener("input", write);
    slider.addEventListener("change", write);
    continue;
  }
  const inputs = [...box.querySelectorAll("input.belief-bin")];
  const sum = box.querySelector(".belief-sum");
  const total = box.querySelector(".belief-total");
  const write = () => {
    const points = inputs.map((i) => (i.value === "" ? 0 : Number(i.value)));
    const spent = points.reduce((a, b) => a + b, 0);
    sum.textContent = String(spent);
    total.classList.toggle("over", spent > 100);
    hidden.value = inputs.some((i) => i.value !== "") ? JSON.stringify({ bins: points }) : "";
  };
  // the fieldset's listener runs before annotate.js's form listener saves
  box.addEventListener("input", (e) => { if (e.target.classList.contains("belief-bin")) write(); });
  box.addEventListener("change", (e) => { if (e.target.classList.contains("belief-bin")) write(); });
}
