// volume_annotation: three linked slice views of a volume the server renders as PNG slices
// (GET <data-volume-url>?info=1, then ?axis=&index=&wc=&ww=). One cursor voxel [i, j, k]
// links the views: axial shows slice k (columns i, rows j), coronal slice j (columns i, rows
// k, highest k on top), sagittal slice i (columns j, rows k, highest k on top), as
// media/volumes.py renders them. Masks are kept per label and axial slice as (nJ, nI)
// planes and saved run-length encoded (0s first) with the boxes in the hidden input.

const STEP = { axial: "k", coronal: "j", sagittal: "i" };

function rleEncode(plane) {
  const counts = [];
  let run = 0;
  let value = 0;
  for (const v of plane) {
    if ((v ? 1 : 0) === value) run += 1;
    else {
      counts.push(run);
      run = 1;
      value = 1 - value;
    }
  }
  counts.push(run);
  return counts;
}

function rleDecode(counts, size) {
  const plane = new Uint8Array(size);
  let pos = 0;
  let value = 0;
  for (const c of counts) {
    if (value) plane.fill(1, pos, pos + c);
    pos += c;
    value = 1 - value;
  }
  return plane;
}

async function setUp(box) {
  const cfg = JSON.parse(box.querySelector("[data-role='volume-config']").textContent);
  const input = box.querySelector("input[type='hidden'][data-label]");
  const status = box.querySelector("[data-role='status']");
  const labelSel = box.querySelector("[data-role='label']");
  const toolSel = box.querySelector("[data-role='tool']");
  const windowSel = box.querySelector("[data-role='window']");
  const windowValue = box.querySelector("[data-role='window-value']");
  const shapeList = box.querySelector("[data-role='shapes']");
  const url = box.dataset.volumeUrl;
  if (!url) return;
  const resp = await fetch(`${url}?info=1`, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const info = await resp.json();
  if (!resp.ok) throw new Error(info.error || resp.statusText);
  const [nI, nJ, nK] = info.shape;
  const colors = Object.fromEntries(cfg.labels.map((l) => [l.name, l.color]));
  const windows = [...cfg.windows, info.window];
  for (const [n, w] of windows.entries()) windowSel.add(new Option(w.name, String(n)));
  let win = { ...windows[0] };
  const cursor = { i: nI >> 1, j: nJ >> 1, k: nK >> 1 };
  const masks = {}; // label -> Map(k -> Uint8Array(nI * nJ))
  let shapes = [];
  let corner = null; // the first corner of a box being placed

  try {
    const saved = input.value ? JSON.parse(input.value) : null;
    if (saved && String(saved.shape) === String(info.shape)) {
      for (const [label, slices] of Object.entries(saved.masks || {})) {
        masks[label] = new Map(
          Object.entries(slices).map(([k, c]) => [Number(k), rleDecode(c, nI * nJ)]),
        );
      }
      shapes = saved.shapes || [];
    }
  } catch {
    /* an unreadable stored value starts empty */
  }

  const views = [...box.querySelectorAll(".vol-stage")].map((stage) => ({
    stage,
    axis: stage.dataset.view,
    img: stage.querySelector("img"),
    canvas: stage.querySelector("canvas"),
    sliceLabel: box.querySelector(`[data-role='slice-${stage.dataset.view}']`),
  }));

  // each view keeps the true proportions of its slice (voxel counts times spacing)
  const [sx, sy, sz] = info.spacing;
  for (const view of views) {
    const [w, h] = view.axis === "axial" ? [nI * sx, nJ * sy] : view.axis === "coronal" ? [nI * sx, nK * sz] : [nJ * sy, nK * sz];
    view.stage.style.aspectRatio = `${w} / ${h}`;
  }

  function dims(axis) {
    return axis === "axial" ? [nI, nJ] : axis === "coronal" ? [nI, nK] : [nJ, nK];
  }
  function sliceIndex(axis) {
    return cursor[STEP[axis]];
  }
  // display (column, row) of a view <-> voxel
  function toVoxel(axis, c, r) {
    if (axis === "axial") return { i: c, j: r, k: cursor.k };
    if (axis === "coronal") return { i: c, j: cursor.j, k: nK - 1 - r };
    return { i: cursor.i, j: c, k: nK - 1 - r };
  }
  function toDisplay(axis, v) {
    if (axis === "axial") return [v.i, v.j];
    if (axis === "coronal") return [v.i, nK - 1 - v.k];
    return [v.j, nK - 1 - v.k];
  }

  function loadImage(view) {
    const index = sliceIndex(view.axis);
    const q = new URLSearchParams({ axis: view.axis, index, wc: win.center, ww: win.width });
    view.img.src = `${url}?${q}`;
    view.sliceLabel.textContent = `${STEP[view.axis]} = ${index}`;
  }

  function drawOverlay(view) {
    const [w, h] = dims(view.axis);
    const canvas = view.canvas;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(w, h);
    for (const [label, map] of Object.entries(masks)) {
      const rgb = (colors[label] || "#ff0000").match(/[0-9a-f]{2}/gi).map((x) => parseInt(x, 16));
      for (let r = 0; r < h; r += 1) {
        for (let c = 0; c < w; c += 1) {
          const v = toVoxel(view.axis, c, r);
          const plane = map.get(v.k);
          if (plane && plane[v.j * nI + v.i]) {
            const at = (r * w + c) * 4;
            image.data.set([rgb[0], rgb[1], rgb[2], 140], at);
          }
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    for (const s of shapes) {
      if (s.type === "polygon") {
        // a polygon (from Potato's page) lies on the slice it was drawn on
        if (s.axis !== view.axis || s.index !== sliceIndex(view.axis)) continue;
        ctx.strokeStyle = colors[s.label] || "#ff0";
        ctx.beginPath();
        s.points.forEach(([i, j, k], n) => {
          const [c, r] = toDisplay(view.axis, { i, j, k });
          if (n) ctx.lineTo(c + 0.5, r + 0.5);
          else ctx.moveTo(c + 0.5, r + 0.5);
        });
        ctx.closePath();
        ctx.stroke();
        continue;
      }
      const [a, b] = s.points.map(([i, j, k]) => ({ i, j, k }));
      const axisKey = STEP[view.axis];
      const lo = Math.min(a[axisKey], b[axisKey]);
      const hi = Math.max(a[axisKey], b[axisKey]);
      if (sliceIndex(view.axis) < lo || sliceIndex(view.axis) > hi) continue;
      const [c1, r1] = toDisplay(view.axis, a);
      const [c2, r2] = toDisplay(view.axis, b);
      ctx.strokeStyle = colors[s.label] || "#ff0";
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.min(c1, c2), Math.min(r1, r2), Math.abs(c2 - c1) + 1, Math.abs(r2 - r1) + 1);
    }
    const [cc, cr] = toDisplay(view.axis, cursor);
    ctx.fillStyle = "rgba(255, 255, 0, 0.8)";
    ctx.fillRect(cc, 0, 1, h);
    ctx.fillRect(0, cr, w, 1);
  }

  function refresh(reload = true) {
    for (const view of views) {
      if (reload) loadImage(view);
      drawOverlay(view);
    }
    windowValue.textContent = `centre ${Math.round(win.center)}, width ${Math.round(win.width)}`;
  }

  function renderShapes() {
    shapeList.replaceChildren();
    shapes.forEach((s, n) => {
      const li = document.createElement("li");
      const [a, b] = s.points;
      li.textContent =
        s.type === "polygon"
          ? `${s.label}: polygon of ${s.points.length} points on ${s.axis} slice ${s.index} `
          : `${s.label}: box [${a.join(", ")}] – [${b.join(", ")}] `;
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete ${s.type} ${n + 1}`);
      del.addEventListener("click", () => {
        shapes.splice(n, 1);
        commit(`${s.type === "polygon" ? "Polygon" : "Box"} deleted.`);
      });
      li.append(del);
      shapeList.append(li);
    });
  }

  function commit(message) {
    const out = {};
    for (const [label, map] of Object.entries(masks)) {
      const slices = {};
      for (const [k, plane] of [...map].sort((x, y) => x[0] - y[0])) {
        if (plane.some((v) => v)) slices[String(k)] = rleEncode(plane);
      }
      if (Object.keys(slices).length) out[label] = slices;
    }
    const empty = !Object.keys(out).length && !shapes.length;
    input.value = empty
      ? ""
      : JSON.stringify({ volume: cfg.volume, shape: [nI, nJ, nK], labels: cfg.labels.map((l) => l.name), masks: out, shapes });
    input.dispatchEvent(new Event("change", { bubbles: true }));
    renderShapes();
    refresh(false);
    if (message) status.textContent = message;
  }

  function paint(axis, on) {
    const label = labelSel.value;
    const map = masks[label] || (masks[label] = new Map());
    const r = cfg.brushSize;
    const [w, h] = dims(axis);
    const [cc, cr] = toDisplay(axis, cursor);
    let touched = 0;
    for (let dr = -Math.ceil(r); dr <= Math.ceil(r); dr += 1) {
      for (let dc = -Math.ceil(r); dc <= Math.ceil(r); dc += 1) {
        const c = cc + dc;
        const row = cr + dr;
        if (dc * dc + dr * dr > r * r || c < 0 || row < 0 || c >= w || row >= h) continue;
        const v = toVoxel(axis, c, row);
        let plane = map.get(v.k);
        if (!plane) map.set(v.k, (plane = new Uint8Array(nI * nJ)));
        plane[v.j * nI + v.i] = on ? 1 : 0;
        touched += 1;
      }
    }
    commit(`${on ? "Painted" : "Erased"} ${touched} voxels of ${label} around [${cursor.i}, ${cursor.j}, ${cursor.k}].`);
  }

  function apply(axis) {
    const tool = toolSel.value;
    if (tool === "brush") paint(axis, true);
    else if (tool === "eraser") paint(axis, false);
    else if (tool === "box") {
      const here = [cursor.i, cursor.j, cursor.k];
      if (!corner) {
        corner = here;
        status.textContent = `Box corner at [${here.join(", ")}]; move (any view, any slice) and press Space for the opposite corner.`;
      } else {
        shapes.push({ label: labelSel.value, type: "box", axis, index: sliceIndex(axis), points: [corner, here] });
        corner = null;
        commit(`Box added for ${labelSel.value}.`);
      }
    }
  }

  const TOOL_KEYS = { b: "brush", e: "eraser", x: "box", v: "navigate" };
  for (const view of views) {
    view.stage.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.altKey || e.metaKey) return;
      const key = e.key;
      const [w, h] = dims(view.axis);
      const [cc, cr] = toDisplay(view.axis, cursor);
      let move = null;
      if (key === "ArrowLeft") move = [Math.max(cc - 1, 0), cr];
      else if (key === "ArrowRight") move = [Math.min(cc + 1, w - 1), cr];
      else if (key === "ArrowUp") move = [cc, Math.max(cr - 1, 0)];
      else if (key === "ArrowDown") move = [cc, Math.min(cr + 1, h - 1)];
      let handled = true;
      if (move) {
        Object.assign(cursor, toVoxel(view.axis, move[0], move[1]));
        refresh();
      } else if (key === "PageUp" || key === "PageDown" || key === "," || key === ".") {
        const axisKey = STEP[view.axis];
        const size = { i: nI, j: nJ, k: nK }[axisKey];
        const delta = key === "PageUp" || key === "." ? 1 : -1;
        cursor[axisKey] = Math.min(Math.max(cursor[axisKey] + delta, 0), size - 1);
        refresh();
      } else if (key === " ") apply(view.axis);
      else if (TOOL_KEYS[key.toLowerCase()] && [...toolSel.options].some((o) => o.value === TOOL_KEYS[key.toLowerCase()])) {
        toolSel.value = TOOL_KEYS[key.toLowerCase()];
        corner = null;
        status.textContent = `Tool: ${toolSel.value}.`;
      } else if (/^[1-9]$/.test(key) && labelSel.options[Number(key) - 1]) {
        labelSel.selectedIndex = Number(key) - 1;
        status.textContent = `Label: ${labelSel.value}.`;
      } else if (key === "w" || key === "W") {
        windowSel.selectedIndex = (windowSel.selectedIndex + 1) % windowSel.options.length;
        win = { ...windows[windowSel.selectedIndex] };
        refresh();
      } else if (key === "[" || key === "]") {
        win.width = Math.max(1, win.width * (key === "]" ? 1.25 : 0.8));
        refresh();
      } else if (key === "{" || key === "}") {
        win.center += (key === "}" ? 0.1 : -0.1) * win.width;
        refresh();
      } else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
    view.stage.addEventListener("click", (e) => {
      const rect = view.stage.getBoundingClientRect();
      const [w, h] = dims(view.axis);
      const c = Math.min(w - 1, Math.floor(((e.clientX - rect.left) / rect.width) * w));
      const r = Math.min(h - 1, Math.floor(((e.clientY - rect.top) / rect.height) * h));
      Object.assign(cursor, toVoxel(view.axis, c, r));
      view.stage.focus();
      if (toolSel.value === "navigate") refresh();
      else {
        refresh();
        apply(view.axis);
      }
    });
  }
  windowSel.addEventListener("change", (e) => {
    e.stopPropagation();
    win = { ...windows[windowSel.selectedIndex] };
    refresh();
  });
  for (const sel of [labelSel, toolSel]) sel.addEventListener("change", (e) => e.stopPropagation());
  renderShapes();
  refresh();
  box.dataset.ready = "1";
}

for (const box of document.querySelectorAll("fieldset[data-type='volume_annotation']")) {
  setUp(box).catch((err) => {
    box.querySelector("[data-role='status']").textContent = `The volume could not be shown: ${err.message}`;
  });
}
