// price_list: keep the scheme's hidden JSON record ({"choices": [...]}) in step with the
// radio pairs; with data-single-switch, B in a row also picks B below it and A picks A
// above it (one switch at most). The server recomputes everything else.
for (const box of document.querySelectorAll("fieldset.price-list-scheme")) {
  const hidden = box.querySelector("input.pl-value");
  const radios = [...box.querySelectorAll("input.pl-choice")];
  const rows = Math.max(0, ...radios.map((r) => Number(r.dataset.row) + 1));
  const status = box.querySelector(".survey-status");
  const pick = (row, side) => {
    const radio = radios.find((r) => Number(r.dataset.row) === row && r.value === side);
    if (radio) radio.checked = true;
  };
  const write = () => {
    const choices = Array.from({ length: rows }, (_, i) => {
      const on = radios.find((r) => Number(r.dataset.row) === i && r.checked);
      return on ? on.value : null;
    });
    hidden.value = choices.some((c) => c) ? JSON.stringify({ choices }) : "";
    const left = choices.filter((c) => !c).length;
    status.textContent = left ? `${left} of ${rows} rows left` : "All rows answered";
  };
  box.addEventListener("change", (e) => {
    const radio = e.target.closest && e.target.closest("input.pl-choice");
    if (!radio) return;
    if (box.dataset.singleSwitch === "true") {
      const row = Number(radio.dataset.row);
      if (radio.value === "B") for (let i = row + 1; i < rows; i++) pick(i, "B");
      else for (let i = 0; i < row; i++) pick(i, "A");
    }
    write();
  });
  if (hidden.value) write();
}
