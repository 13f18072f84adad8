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
  };
  box.addEventListener("input", update);
  update();
}
