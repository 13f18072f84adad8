// table_grid: a grid of cell buttons; each press gives the cell the next role. The hidden
// input holds Potato's record {rows, cols, cells: {"r,c": role}} (the default role is left out).
import { loadStylesheet, readRecord, storeRecord } from "./text-select.js";

loadStylesheet();

for (const box of document.querySelectorAll("fieldset[data-type='table_grid']")) {
  const input = box.querySelector("input[type='hidden'][data-label]");
  const roles = JSON.parse(box.querySelector("[data-role='roles']").textContent);
  const grid = box.querySelector("[data-role='grid']");
  const rowsIn = box.querySelector("[data-role='rows']");
  const colsIn = box.querySelector("[data-role='cols']");
  const stored = readRecord(input);
  const state = stored || { rows: Number(box.dataset.rows), cols: Number(box.dataset.cols), cells: {} };
  rowsIn.value = state.rows;
  colsIn.value = state.cols;

  const role = (r, c) => state.cells[`${r},${c}`] || roles[0];

  function render() {
    grid.textContent = "";
    for (let r = 0; r < state.rows; r++) {
      const tr = document.createElement("tr");
      for (let c = 0; c < state.cols; c++) {
        const td = document.createElement("td");
        const button = document.createElement("button");
        button.type = "button";
        button.className = `tbg-cell role-${role(r, c)}`;
        button.textContent = role(r, c);
        button.setAttribute("aria-label", `row ${r + 1}, column ${c + 1}: ${role(r, c)}`);
        button.addEventListener("click", () => {
          const next = roles[(roles.indexOf(role(r, c)) + 1) % roles.length];
          if (next === roles[0]) delete state.cells[`${r},${c}`];
          else state.cells[`${r},${c}`] = next;
          save();
          grid.querySelectorAll("button")[r * state.cols + c].focus();
        });
        td.appendChild(button);
        tr.appendChild(td);
      }
      grid.appendChild(tr);
    }
  }

  function save() {
    render();
    storeRecord(input, { rows: state.rows, cols: state.cols, cells: state.cells });
  }

  function resize() {
    const clamp = (v, old) => (Number.isInteger(v) && v >= 1 && v <= 40 ? v : old);
    state.rows = clamp(parseInt(rowsIn.value, 10), state.rows);
    state.cols = clamp(parseInt(colsIn.value, 10), state.cols);
    for (const key of Object.keys(state.cells)) {
      const [r, c] = key.split(",").map(Number);
      if (r >= state.rows || c >= state.cols) delete state.cells[key];
    }
    save();
  }
  rowsIn.addEventListener("change", resize);
  colsIn.addEventListener("change", resize);
  render();
}
