// spatial_annotation: a bird's-eye view of the item's point cloud (served decimated by
// /media/pointcloud), with 3D boxes, points and polylines placed by pointer or keyboard.
// Coordinates are metres in the sensor frame; forward (+x) is up, left (+y) is left. The
// answer goes to the hidden `_data` input as Potato's list of objects.
import { appUrl } from "./app-url.js";
import { mountViewer3d } from "./spatial-3d.js";

const form = document.getElementById("annotation-form");

function yawOf(q) { const [x, y, z, w] = q; return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z)); }
function quat(yaw) { return [0, 0, Math.sin(yaw / 2), Math.cos(yaw / 2)]; }
const r3 = (v) => Math.round(v * 1000) / 1000;

for (const fs of document.querySelectorAll('fieldset[data-type="spatial_annotation"]')) {
  const config = JSON.parse(fs.dataset.config);
  const input = fs.querySelector('input[data-label="_data"]');
  const canvas = fs.querySelector(".sp-canvas");
  const status = fs.querySelector('[data-role="status"]');
  const list = fs.querySelector('[data-role="list"]');
  const ctx = canvas.getContext("2d");
  let objects = input.value ? JSON.parse(input.value) : [];
  let tool = config.tools[0];
  let label = config.labels[0] ? config.labels[0].name : "";
  let selected = -1;
  let draft = null; // polyline points in progress
  let cloud = null;
  let view = { cx: 20, cy: 0, scale: 8 }; // centre in metres, px per metre
  let cross = { x: 20, y: 0, z: 0 };
  const colorOf = (name) => (config.labels.find((l) => l.name === name) || {}).color || "#e53935";
  let viewer = null; // the 3D view (static/js/spatial-3d.js), once three.js has loaded
  const viewerBox = fs.querySelector(".sp3");
  const viewerReady = viewerBox
    ? mountViewer3d(viewerBox, {
      objects: () => objects,
      label: () => label,
      colorOf,
      colorMode: config.colorMode,
      pointSize: config.pointSize,
      say: (text) => { status.textContent = text; },
      pickLabel: (key) => {
        const byLabel = config.labels.find((l) => l.key && l.key === key);
        if (byLabel) { label = byLabel.name; draw(); }
        return Boolean(byLabel);
      },
      addSegment: (indices) => {
        if (!config.segment3d) { status.textContent = "This scheme's tools do not make segments."; return; }
        if (config.maxAnnotations && objects.length >= config.maxAnnotations) { status.textContent = `At most ${config.maxAnnotations} objects.`; return; }
        objects.push({ type: "segment_3d", label, color: colorOf(label), indices });
        selected = objects.length - 1;
        status.textContent = `Made a ${label} segment of ${indices.length} point(s).`;
        save();
      },
    }).then((v) => { viewer = v; return v; }).catch((err) => { status.textContent = `The 3D view could not start: ${err.message}`; return null; })
    : Promise.resolve(null);

  const toScreen = (x, y) => [canvas.width / 2 - (y - view.cy) * view.scale, canvas.height / 2 - (x - view.cx) * view.scale];
  const toWorld = (sx, sy) => ({ x: view.cx + (canvas.height / 2 - sy) / view.scale, y: view.cy - (sx - canvas.width / 2) / view.scale });

  function groundAt(x, y) {
    if (!cloud) return 0;
    let low = Infinity;
    const p = cloud.points;
    for (let i = 0; i < p.length; i += 3) if (Math.abs(p[i] - x) < 1.5 && Math.abs(p[i + 1] - y) < 1.5) low = Math.min(low, p[i + 2]);
    return Number.isFinite(low) ? low : cloud.bounds.min[2];
  }

  function save() {
    input.value = objects.length ? JSON.stringify(objects) : "";
    form.dispatchEvent(new Event("potato:changed"));
    draw();
    if (viewer) viewer.update();
  }

  function place(at) {
    if (config.maxAnnotations && objects.length >= config.maxAnnotations) { status.textContent = `At most ${config.maxAnnotations} objects.`; return; }
    if (tool === "cuboid_3d") {
      const h = config.defaultBoxHeight;
      const z = groundAt(at.x, at.y) + h / 2;
      objects.push({ type: "cuboid_3d", label, color: colorOf(label), coordinates: { center: [r3(at.x), r3(at.y), r3(z)], size: [4, 1.8, h], rotation: [0, 0, 0, 1] } });
    } else if (tool === "point_3d") {
      objects.push({ type: "point_3d", label, color: colorOf(label), coordinates: [r3(at.x), r3(at.y), r3(groundAt(at.x, at.y))] });
    } else if (tool === "segment_3d") {
      status.textContent = "Segments are made in the 3D view: L lasso or B box, drag over the points, Enter.";
      return;
    } else if (tool === "polyline_3d") {
      (draft = draft || []).push([r3(at.x), r3(at.y), r3(groundAt(at.x, at.y))]);
      status.textContent = `Polyline: ${draft.length} point(s); Enter on the last point finishes it, Escape cancels.`;
      draw();
      return;
    }
    selected = objects.length - 1;
    status.textContent = `Placed ${label} ${tool.replace("_", " ")}.`;
    save();
  }

  function finishPolyline() {
    if (!draft) return false;
    if (draft.length >= 2) { objects.push({ type: "polyline_3d", label, color: colorOf(label), coordinates: draft }); selected = objects.length - 1; }
    else status.textContent = "A polyline needs at least 2 points.";
    draft = null;
    save();
    return true;
  }

  function nudge(o, dx, dy, dz) {
    if (o.type === "cuboid_3d") { const c = o.coordinates.center; c[0] = r3(c[0] + dx); c[1] = r3(c[1] + dy); c[2] = r3(c[2] + dz); }
    else if (o.type === "point_3d") { const c = o.coordinates; c[0] = r3(c[0] + dx); c[1] = r3(c[1] + dy); c[2] = r3(c[2] + dz); }
    else if (o.type === "polyline_3d") for (const c of o.coordinates) { c[0] = r3(c[0] + dx); c[1] = r3(c[1] + dy); c[2] = r3(c[2] + dz); }
  }

  function draw() {
    ctx.fillStyle = "#111"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    if (cloud) {
      const p = cloud.points; const zmin = cloud.bounds.min[2]; const zr = Math.max(0.1, cloud.bounds.max[2] - zmin);
      const imin = Math.min(...cloud.intensity.slice(0, 5000)); const ir = Math.max(1e-6, Math.max(...cloud.intensity.slice(0, 5000)) - imin);
      for (let i = 0, j = 0; i < p.length; i += 3, j++) {
        const [sx, sy] = toScreen(p[i], p[i + 1]);
        if (sx < 0 || sy < 0 || sx > canvas.width || sy > canvas.height) continue;
        const t = config.colorMode === "intensity" ? (cloud.intensity[j] - imin) / ir : config.colorMode === "uniform" ? 0.6 : (p[i + 2] - zmin) / zr;
        ctx.fillStyle = `hsl(${240 - 240 * Math.min(1, Math.max(0, t))}, 90%, 55%)`;
        ctx.fillRect(sx, sy, config.pointSize, config.pointSize);
      }
    }
    objects.forEach((o, i) => {
      ctx.strokeStyle = o.color || colorOf(o.label); ctx.fillStyle = ctx.strokeStyle;
      ctx.lineWidth = i === selected ? 3 : 1.5;
      if (o.type === "cuboid_3d") {
        const { center, size, rotation } = o.coordinates; const yaw = yawOf(rotation);
        const corners = [[1, 1], [1, -1], [-1, -1], [-1, 1]].map(([a, b]) => {
          const lx = a * size[0] / 2; const ly = b * size[1] / 2;
          return toScreen(center[0] + lx * Math.cos(yaw) - ly * Math.sin(yaw), center[1] + lx * Math.sin(yaw) + ly * Math.cos(yaw));
        });
        ctx.beginPath(); corners.forEach(([x, y], k) => (k ? ctx.lineTo(x, y) : ctx.moveTo(x, y))); ctx.closePath(); ctx.stroke();
        const [fx, fy] = toScreen(center[0] + Math.cos(yaw) * size[0] / 2, center[1] + Math.sin(yaw) * size[0] / 2);
        const [cx, cy] = toScreen(center[0], center[1]);
        ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(fx, fy); ctx.stroke(); // heading
      } else if (o.type === "point_3d") {
        const [sx, sy] = toScreen(o.coordinates[0], o.coordinates[1]);
        ctx.beginPath(); ctx.arc(sx, sy, i === selected ? 6 : 4, 0, 2 * Math.PI); ctx.fill();
      } else if (o.type === "polyline_3d") {
        ctx.beginPath(); o.coordinates.forEach((c, k) => { const [sx, sy] = toScreen(c[0], c[1]); if (k) ctx.lineTo(sx, sy); else ctx.moveTo(sx, sy); }); ctx.stroke();
      }
    });
    if (draft) {
      ctx.strokeStyle = colorOf(label); ctx.setLineDash([4, 3]); ctx.beginPath();
      draft.forEach((c, k) => { const [sx, sy] = toScreen(c[0], c[1]); if (k) ctx.lineTo(sx, sy); else ctx.moveTo(sx, sy); }); ctx.stroke(); ctx.setLineDash([]);
    }
    const [kx, ky] = toScreen(cross.x, cross.y);
    ctx.strokeStyle = "#fff"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(kx - 8, ky); ctx.lineTo(kx + 8, ky); ctx.moveTo(kx, ky - 8); ctx.lineTo(kx, ky + 8); ctx.stroke();
    list.replaceChildren(...objects.map((o, i) => {
      const li = document.createElement("li");
      li.className = "entry" + (i === selected ? " selected" : "");
      li.dataset.testid = "sp-object";
      if (o.type === "segment_3d") {
        li.textContent = `${o.label} · segment of ${o.indices.length} point(s)`;
        li.addEventListener("click", () => { selected = i; draw(); });
        return li;
      }
      const where = o.type === "cuboid_3d" ? o.coordinates.center : o.type === "point_3d" ? o.coordinates : o.coordinates[0];
      const extra = o.type === "cuboid_3d" ? ` size ${o.coordinates.size.map((v) => v.toFixed(1)).join("×")} m, yaw ${(yawOf(o.coordinates.rotation) * 180 / Math.PI).toFixed(0)}°` : "";
      li.textContent = `${o.label} · ${o.type.replace("_", " ")} at (${where.map((v) => v.toFixed(2)).join(", ")})${extra}`;
      li.addEventListener("click", () => { selected = i; draw(); });
      return li;
    }));
    for (const b of fs.querySelectorAll("[data-sp-tool]")) b.setAttribute("aria-pressed", String(b.dataset.spTool === tool));
    for (const b of fs.querySelectorAll("[data-sp-label]")) b.setAttribute("aria-pressed", String(b.dataset.spLabel === label));
  }

  fs.addEventListener("click", (e) => {
    const t = e.target.closest("[data-sp-tool]"); const l = e.target.closest("[data-sp-label]");
    if (t) { tool = t.dataset.spTool; draft = null; draw(); }
    if (l) { label = l.dataset.spLabel; if (objects[selected]) { objects[selected].label = label; objects[selected].color = colorOf(label); save(); } else draw(); }
  });
  canvas.addEventListener("pointerdown", (e) => {
    canvas.focus({ preventScroll: true });
    const r = canvas.getBoundingClientRect();
    const at = toWorld((e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height);
    cross = { ...cross, ...at };
    place(at);
  });
  canvas.addEventListener("wheel", (e) => { e.preventDefault(); view.scale = Math.min(200, Math.max(1, view.scale * (e.deltaY < 0 ? 1.2 : 1 / 1.2))); draw(); }, { passive: false });
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key; const step = e.shiftKey ? 1 : 0.1;
    const o = objects[selected];
    const moves = { ArrowUp: [step, 0], ArrowDown: [-step, 0], ArrowLeft: [0, step], ArrowRight: [0, -step] };
    let done = true;
    if (moves[k]) {
      if (o) { nudge(o, moves[k][0], moves[k][1], 0); save(); } else { cross.x += moves[k][0]; cross.y += moves[k][1]; draw(); }
    } else if ((k === "PageUp" || k === "PageDown") && o) { nudge(o, 0, 0, k === "PageUp" ? step : -step); save(); }
    else if (k === "Enter") { if (!(draft && finishPolyline())) place({ x: cross.x, y: cross.y }); }
    else if (k === "Escape") { draft = null; selected = -1; draw(); }
    else if ((k === "Delete" || k === "Backspace") && o) { objects.splice(selected, 1); selected = -1; save(); }
    else if (k === "," || k === ".") { if (objects.length) { selected = (selected + (k === "." ? 1 : objects.length - 1)) % objects.length; draw(); } }
    else if (o && o.type === "cuboid_3d" && "qewsadrf".includes(k.toLowerCase()) && k.length === 1) {
      const c = o.coordinates; const key = k.toLowerCase(); const d = e.shiftKey ? 0.5 : 0.1;
      if (key === "q" || key === "e") c.rotation = quat(yawOf(c.rotation) + (key === "q" ? 1 : -1) * Math.PI / 36).map(r3);
      else { const axis = { w: 0, s: 0, a: 1, d: 1, r: 2, f: 2 }[key]; c.size[axis] = r3(Math.max(0.1, c.size[axis] + ("wdr".includes(key) ? d : -d))); }
      save();
    } else if (k === "+" || k === "=") { view.scale = Math.min(200, view.scale * 1.25); draw(); }
    else if (k === "-") { view.scale = Math.max(1, view.scale / 1.25); draw(); }
    else {
      const byLabel = config.labels.find((l) => l.key && l.key === k);
      const byTool = Object.entries(config.toolKeys).find(([, key]) => key === k.toLowerCase());
      if (byLabel) { label = byLabel.name; if (o) { o.label = label; o.color = byLabel.color; save(); } else draw(); }
      else if (byTool) { tool = byTool[0]; draft = null; draw(); }
      else done = false;
    }
    if (done) { e.preventDefault(); e.stopPropagation(); }
  });

  draw();
  if (!config.cloud) status.textContent = "This item names no point cloud; objects can still be placed.";
  else {
    const path = config.cloud.replace(/^\/+(media\/)?/, "");
    fetch(appUrl(`/media/pointcloud/${path.split("/").map(encodeURIComponent).join("/")}?max_points=${config.maxPoints}`), { credentials: "same-origin" })
      .then(async (r) => {
        const data = await r.json();
        if (!r.ok) { status.textContent = data.error || `The cloud could not be loaded (${r.status}).`; return; }
        cloud = data;
        const mid = (i) => (cloud.bounds.min[i] + cloud.bounds.max[i]) / 2;
        view = { cx: mid(0), cy: mid(1), scale: Math.min(canvas.height / Math.max(1, cloud.bounds.max[0] - cloud.bounds.min[0]), canvas.width / Math.max(1, cloud.bounds.max[1] - cloud.bounds.min[1])) * 0.95 };
        cross = { x: view.cx, y: view.cy, z: 0 };
        canvas.dataset.ready = "1";
        status.textContent = `${cloud.served.toLocaleString()} of ${cloud.count.toLocaleString()} points shown` + (cloud.stride > 1 ? ` (every ${cloud.stride}th).` : ".");
        draw();
        viewerReady.then((v) => v && v.setCloud(cloud));
      });
  }
}
