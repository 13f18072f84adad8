// viewer_selection: residues of a structure's sequence (rendered by the server, one row per
// chain) selected with the keyboard or the pointer; the answer is Potato's JSON
// {viewer: "protein_structure", items: [{chain, resi, resn, icode?, label?}]} in the scheme's
// hidden input (annotate.js saves it on its change event). Keys on the focused sequence:
// arrows move (Up/Down: previous/next chain), Home/End, Space toggles the residue, Shift+arrows
// select a range from where Shift was first held, Delete clears, 1-9 choose the label.
// With coordinates, viewer-selection-3d.js draws the structure in 3-D: a click there toggles
// a residue, Shift+click selects the range from the last clicked one; both views share the
// one selection below and the one hidden input.

import { mountStructure3d } from "./viewer-selection-3d.js";

function keyOf(el) {
  return `${el.dataset.chain}|${el.dataset.resi}|${el.dataset.icode || ""}`;
}

function setUp(box) {
  const cfg = JSON.parse(box.querySelector("[data-role='selection-config']").textContent);
  const input = box.querySelector("input[type='hidden'][data-label]");
  const seq = box.querySelector("[data-role='sequence']");
  const status = box.querySelector("[data-role='status']");
  const rangesList = box.querySelector("[data-role='ranges']");
  const labelSel = box.querySelector("[data-role='label']");
  const residues = [...seq.querySelectorAll(".vs-res")];
  const colors = Object.fromEntries(cfg.labels.map((l) => [l.name, l.color]));
  const selected = new Map(); // key -> label ("" without labels)
  let cursor = 0;
  let anchor = null;
  let view3d = null;
  let anchor3d = null;

  try {
    const saved = input.value ? JSON.parse(input.value) : null;
    for (const item of saved?.items || []) {
      selected.set(`${item.chain}|${item.resi}|${item.icode || ""}`, item.label || "");
    }
  } catch {
    /* an unreadable stored value starts empty */
  }

  function describe(el) {
    return `${el.dataset.chain} ${el.dataset.resn} ${el.dataset.resi}${el.dataset.icode || ""}`;
  }

  // scroll the sequence box (not the page: the 3-D view above must stay where it was clicked)
  function reveal(el) {
    const box = seq.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.top < box.top) seq.scrollTop -= box.top - r.top;
    else if (r.bottom > box.bottom) seq.scrollTop += r.bottom - box.bottom;
  }

  function paint() {
    residues.forEach((el, n) => {
      const label = selected.get(keyOf(el));
      const on = label !== undefined;
      el.classList.toggle("vs-on", on);
      el.classList.toggle("vs-cursor", n === cursor);
      el.style.backgroundColor = on ? colors[label] || "#c2255c" : "";
    });
    const here = residues[cursor];
    if (here) reveal(here);
    renderRanges();
    if (view3d) view3d.update();
  }

  // consecutive selected residues of one chain with one label, as "A 57-60 (label)"
  function ranges() {
    const out = [];
    residues.forEach((el, n) => {
      const label = selected.get(keyOf(el));
      if (label === undefined) return;
      const last = out[out.length - 1];
      if (last && last.end === n - 1 && last.label === label && residues[last.start].dataset.chain === el.dataset.chain) {
        last.end = n;
      } else out.push({ start: n, end: n, label });
    });
    return out;
  }

  function renderRanges() {
    rangesList.replaceChildren();
    for (const r of ranges()) {
      const a = residues[r.start];
      const b = residues[r.end];
      const li = document.createElement("li");
      const span = a === b ? describe(a) : `${describe(a)} – ${b.dataset.resn} ${b.dataset.resi}${b.dataset.icode || ""}`;
      li.textContent = `${span}${r.label ? ` (${r.label})` : ""}`;
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Clear";
      del.setAttribute("aria-label", `Clear ${span}`);
      del.addEventListener("click", () => {
        for (let n = r.start; n <= r.end; n += 1) selected.delete(keyOf(residues[n]));
        commit(`Cleared ${span}.`);
      });
      li.append(del);
      rangesList.append(li);
    }
  }

  function commit(message) {
    const items = residues
      .filter((el) => selected.has(keyOf(el)))
      .map((el) => {
        const item = { chain: el.dataset.chain, resi: Number(el.dataset.resi), resn: el.dataset.resn };
        if (el.dataset.icode) item.icode = el.dataset.icode;
        const label = selected.get(keyOf(el));
        if (label) item.label = label;
        return item;
      });
    input.value = items.length ? JSON.stringify({ viewer: "protein_structure", items }) : "";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    paint();
    if (message) status.textContent = message;
  }

  function choose(n, on) {
    const el = residues[n];
    if (on && !selected.has(keyOf(el)) && cfg.maxSelections && selected.size >= cfg.maxSelections) {
      status.textContent = `At most ${cfg.maxSelections} residues.`;
      return false;
    }
    if (on) selected.set(keyOf(el), labelSel ? labelSel.value : "");
    else selected.delete(keyOf(el));
    return true;
  }

  function chainStart(n, step) {
    const chain = residues[n].dataset.chain;
    let m = n;
    while (residues[m] && residues[m].dataset.chain === chain) m += step;
    if (!residues[m]) return n;
    if (step < 0) {
      const prev = residues[m].dataset.chain;
      while (m > 0 && residues[m - 1].dataset.chain === prev) m -= 1;
    }
    return m;
  }

  seq.addEventListener("keydown", (e) => {
    if (!residues.length || e.ctrlKey || e.altKey || e.metaKey) return;
    const key = e.key;
    let to = null;
    if (key === "ArrowRight") to = Math.min(cursor + 1, residues.length - 1);
    else if (key === "ArrowLeft") to = Math.max(cursor - 1, 0);
    else if (key === "ArrowDown") to = chainStart(cursor, 1);
    else if (key === "ArrowUp") to = chainStart(cursor, -1);
    else if (key === "Home") to = 0;
    else if (key === "End") to = residues.length - 1;
    let handled = true;
    if (to !== null) {
      if (e.shiftKey && (key === "ArrowRight" || key === "ArrowLeft")) {
        if (anchor === null) anchor = cursor;
        cursor = to;
        const [lo, hi] = [Math.min(anchor, cursor), Math.max(anchor, cursor)];
        for (let n = lo; n <= hi; n += 1) choose(n, true);
        commit(`Selected ${describe(residues[lo])} to ${describe(residues[hi])}.`);
      } else {
        anchor = null;
        cursor = to;
        paint();
        const el = residues[cursor];
        const label = selected.get(keyOf(el));
        status.textContent = `${describe(el)}${label !== undefined ? ", selected" : ""}.`;
      }
    } else if (key === " ") {
      const on = !selected.has(keyOf(residues[cursor]));
      if (choose(cursor, on)) commit(`${on ? "Selected" : "Cleared"} ${describe(residues[cursor])}.`);
    } else if (key === "Delete" || key === "Backspace") {
      choose(cursor, false);
      commit(`Cleared ${describe(residues[cursor])}.`);
    } else if (labelSel && /^[1-9]$/.test(key) && labelSel.options[Number(key) - 1]) {
      labelSel.selectedIndex = Number(key) - 1;
      status.textContent = `Label: ${labelSel.value}.`;
    } else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  seq.addEventListener("keyup", (e) => {
    if (e.key === "Shift") anchor = null;
  });
  residues.forEach((el, n) => {
    el.addEventListener("click", () => {
      cursor = n;
      const on = !selected.has(keyOf(el));
      if (choose(n, on)) commit(`${on ? "Selected" : "Cleared"} ${describe(el)}.`);
      seq.focus();
    });
  });
  if (labelSel) labelSel.addEventListener("change", (e) => e.stopPropagation());
  paint();
  box.dataset.ready = "1";

  const view = box.querySelector("[data-role='structure-3d']");
  if (!view || !residues.length) return;
  const traces = JSON.parse(box.querySelector("[data-role='structure-trace']").textContent);
  mountStructure3d(view, traces, {
    state(n) {
      const label = selected.get(keyOf(residues[n]));
      return { on: label !== undefined, color: colors[label] || "#c2255c" };
    },
    describe: (n) => describe(residues[n]),
    cursor: () => cursor,
    step(delta) {
      cursor = Math.max(0, Math.min(residues.length - 1, cursor + delta));
      paint();
      const label = selected.get(keyOf(residues[cursor]));
      status.textContent = `${describe(residues[cursor])}${label !== undefined ? ", selected" : ""}.`;
    },
    toggle() {
      const on = !selected.has(keyOf(residues[cursor]));
      if (choose(cursor, on)) commit(`${on ? "Selected" : "Cleared"} ${describe(residues[cursor])}.`);
    },
    pick(n, shift) {
      cursor = n;
      if (shift && anchor3d !== null) {
        const [lo, hi] = [Math.min(anchor3d, n), Math.max(anchor3d, n)];
        for (let m = lo; m <= hi; m += 1) choose(m, true);
        commit(`Selected ${describe(residues[lo])} to ${describe(residues[hi])}.`);
      } else {
        const on = !selected.has(keyOf(residues[n]));
        if (choose(n, on)) commit(`${on ? "Selected" : "Cleared"} ${describe(residues[n])}.`);
      }
      anchor3d = n;
    },
  })
    .then((v) => {
      view3d = v;
    })
    .catch((err) => {
      view.querySelector("[data-role='hover']").textContent = `The 3-D view cannot be shown: ${err.message}`;
    });
}

for (const box of document.querySelectorAll("fieldset[data-type='viewer_selection']")) setUp(box);
