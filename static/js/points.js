// constant_sum / soft_label: show how many points are left to spread. Loaded only by pages
// that show one; the server enforces the total.
for (const box of document.querySelectorAll("fieldset.points[data-total]")) {
  const total = Number(box.dataset.total);
  const out = box.querySelector(".points-left");
  const update = () => {
    let spent = 0;
    for (const input of box.querySelectorAll("input[data-label]")) {
      if (input.type !== "range" || input.dataset.touched) spent += Number(input.value) || 0;
    }
    const left = total - spent;
    out.textContent = left === 0 ? `Total ${total}: done` : left > 0 ? `${left} of ${total} left to spread` : `${-left} too many (total ${total})`;
    box.classList.toggle("over", left < 0);
    // soft_label's chart: each label's share of the total (SVG attributes: CSP-safe)
    for (const input of box.querySelectorAll("input[data-label]")) {
      const counted = input.type !== "range" || input.dataset.touched;
      const share = counted ? Math.max(0, Math.min(1, (Number(input.value) || 0) / total)) : 0;
      const bar = box.querySelector(`[data-chart-label="${CSS.escape(input.dataset.label)}"]`);
      if (bar) bar.setAttribute("width", (160 * share).toFixed(2));
      const text = box.querySelector(`[data-chart-value="${CSS.escape(input.dataset.label)}"]`);
      if (text) text.textContent = `${Math.round(100 * share)}%`;
    }
  };
  box.addEventListener("input", (e) => {
    // moved: it counts now (annotate.js marks it too, but after this listener runs)
    if (e.target.type === "range") e.target.dataset.touched = "1";
    update();
  });
  update();
}
