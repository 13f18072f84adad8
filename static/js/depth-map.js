// depth_map display: window and colormap controls (the server colours the map), the RGB
// frame of `rgb_field` under it, and a readout in metres from a coarse grid fetched once.
// The readout follows the pointer, or a crosshair moved with the arrow keys.

for (const box of document.querySelectorAll("[data-depth-map]")) {
  const config = JSON.parse(box.dataset.depthConfig);
  const img = box.querySelector(".depth-image");
  const stage = box.querySelector(".depth-stage");
  const readout = box.querySelector(".depth-readout");
  const cross = box.querySelector(".depth-cross");
  const control = (name) => box.querySelector(`[data-depth="${name}"]`);
  const scale = config.scale ? `scale=${encodeURIComponent(config.scale)}` : "";
  let grid = null;
  let at = null; // crosshair in 0..1

  fetch(`${config.base}?format=json${scale ? `&${scale}` : ""}`, { credentials: "same-origin" })
    .then((r) => r.json()).then((info) => {
      if (info.error) { readout.textContent = info.error; return; }
      if (control("near") && info.near !== undefined) control("near").value = info.near.toFixed(2);
      if (control("far") && info.far !== undefined) control("far").value = info.far.toFixed(2);
    });
  fetch(`${config.base}?format=grid${scale ? `&${scale}` : ""}`, { credentials: "same-origin" })
    .then((r) => r.json()).then((g) => { if (!g.error) { grid = g; if (at) show(at.x, at.y); } });

  const refresh = () => {
    const q = new URLSearchParams();
    if (config.scale) q.set("scale", config.scale);
    q.set("colormap", control("colormap") ? control("colormap").value : config.colormap);
    for (const k of ["near", "far"]) if (control(k) && control(k).value !== "") q.set(k, control(k).value);
    if (config.invert) q.set("invert", "1");
    img.src = `${config.base}?${q}`;
  };
  for (const k of ["colormap", "near", "far"]) control(k)?.addEventListener("change", refresh);

  if (config.rgb_field) {
    const rgb = document.querySelector(`[data-field-key="${CSS.escape(config.rgb_field)}"] img`);
    if (rgb) {
      const under = box.querySelector(".depth-rgb");
      under.src = rgb.getAttribute("src"); under.hidden = false;
      img.classList.add("depth-over");
      img.style.opacity = String(config.opacity);
    }
  }

  const show = (fx, fy) => {
    at = { x: Math.min(1, Math.max(0, fx)), y: Math.min(1, Math.max(0, fy)) };
    cross.hidden = false;
    cross.style.left = `${at.x * 100}%`; cross.style.top = `${at.y * 100}%`;
    if (!grid) { readout.textContent = "Loading the depth values…"; return; }
    const px = Math.min(grid.width - 1, Math.floor(at.x * grid.width));
    const py = Math.min(grid.height - 1, Math.floor(at.y * grid.height));
    const row = grid.rows[Math.min(grid.rows.length - 1, Math.floor(py / grid.step))] || [];
    const v = row[Math.min(row.length - 1, Math.floor(px / grid.step))];
    readout.textContent = v === null || v === undefined ? `(${px}, ${py}): no depth` : `(${px}, ${py}): ${v.toFixed(2)} m`;
    readout.dataset.metres = v === null || v === undefined ? "" : String(v);
  };
  img.addEventListener("pointermove", (e) => {
    const r = img.getBoundingClientRect();
    show((e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
  });
  stage.addEventListener("keydown", (e) => {
    const steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!steps[e.key]) return;
    e.preventDefault(); e.stopPropagation();
    const k = e.shiftKey ? 0.1 : 0.02;
    const p = at || { x: 0.5, y: 0.5 };
    show(p.x + steps[e.key][0] * k, p.y + steps[e.key][1] * k);
  });
  stage.addEventListener("focus", () => { if (!at) show(0.5, 0.5); });
}
