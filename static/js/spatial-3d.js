// spatial_annotation's 3D view: the item's point cloud drawn with three.js (vendored at
// static/vendor/three, loaded from the URL the template rendered), with the scheme's boxes,
// points, polylines and segments, and lasso / box selection of points that becomes a
// `segment_3d` object. Indices in a segment are indices into the file's full cloud: the
// served cloud is every `stride`-th point, so served point j is file point j * stride.
// Selection takes every served point whose projection falls inside the lasso or box, at any
// depth (points hidden behind others are selected too).

const SELECTED = [1, 1, 1];

function hexRgb(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return [0.9, 0.22, 0.21];
  const n = parseInt(m[1], 16);
  return [((n >> 16) & 255) / 255, ((n >> 8) & 255) / 255, (n & 255) / 255];
}

function insidePolygon(x, y, poly) {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]; const [xj, yj] = poly[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

// mount(box, hooks): hooks.objects() -> the scheme's objects, hooks.label() -> the current
// label, hooks.colorOf(label), hooks.addSegment(indices) stores a new segment_3d, hooks.say(text).
export async function mountViewer3d(box, hooks) {
  const THREE = await import(box.dataset.three);
  const canvas = box.querySelector(".sp3-canvas");
  const overlay = box.querySelector(".sp3-overlay");
  const octx = overlay.getContext("2d");
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  renderer.setPixelRatio(1);
  renderer.setSize(canvas.width, canvas.height, false);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x111111);
  const camera = new THREE.PerspectiveCamera(55, canvas.width / canvas.height, 0.05, 5000);
  camera.up.set(0, 0, 1); // the sensor frame: x forward, y left, z up
  const shapes = new THREE.Group();
  scene.add(shapes);
  let cloud = null; // {points, stride, ...} as /media/pointcloud serves it
  let cloudObject = null;
  let colors = null;
  let base = null; // colour of each served point before segments are painted
  const orbit = { target: new THREE.Vector3(), radius: 40, azimuth: Math.PI, elevation: 0.6 };
  let mode = "orbit"; // orbit | lasso | box
  let selection = new Set(); // served indices
  let drag = null;

  function placeCamera() {
    const { target, radius, azimuth, elevation } = orbit;
    camera.position.set(
      target.x + radius * Math.cos(elevation) * Math.cos(azimuth),
      target.y + radius * Math.cos(elevation) * Math.sin(azimuth),
      target.z + radius * Math.sin(elevation),
    );
    camera.lookAt(target);
    camera.updateMatrixWorld();
  }

  function render() {
    placeCamera();
    renderer.render(scene, camera);
  }

  function paint() {
    if (!cloud) return;
    colors.set(base);
    let painted = 0;
    for (const o of hooks.objects()) {
      if (o.type !== "segment_3d") continue;
      const [r, g, b] = hexRgb(o.color || hooks.colorOf(o.label));
      for (const i of o.indices) {
        if (i % cloud.stride) continue; // not among the served points
        const j = i / cloud.stride;
        if (j >= cloud.served) continue;
        colors[3 * j] = r; colors[3 * j + 1] = g; colors[3 * j + 2] = b;
        painted++;
      }
    }
    for (const j of selection) colors.set(SELECTED, 3 * j);
    cloudObject.geometry.attributes.color.needsUpdate = true;
    canvas.dataset.painted = String(painted);
    canvas.dataset.selected = String(selection.size);
  }

  function rebuildShapes() {
    shapes.clear();
    for (const o of hooks.objects()) {
      const color = new THREE.Color(o.color || hooks.colorOf(o.label));
      if (o.type === "cuboid_3d") {
        const { center, size, rotation } = o.coordinates;
        const edges = new THREE.EdgesGeometry(new THREE.BoxGeometry(size[0], size[1], size[2]));
        const lines = new THREE.LineSegments(edges, new THREE.LineBasicMaterial({ color }));
        lines.position.set(center[0], center[1], center[2]);
        lines.quaternion.set(rotation[0], rotation[1], rotation[2], rotation[3]);
        shapes.add(lines);
      } else if (o.type === "point_3d") {
        const ball = new THREE.Mesh(new THREE.SphereGeometry(0.25, 12, 8), new THREE.MeshBasicMaterial({ color }));
        ball.position.set(...o.coordinates);
        shapes.add(ball);
      } else if (o.type === "polyline_3d") {
        const geometry = new THREE.BufferGeometry().setFromPoints(o.coordinates.map((c) => new THREE.Vector3(...c)));
        shapes.add(new THREE.Line(geometry, new THREE.LineBasicMaterial({ color })));
      }
    }
    canvas.dataset.shapes = String(shapes.children.length);
  }

  function update() {
    rebuildShapes();
    paint();
    render();
  }

  function setCloud(data) {
    cloud = data;
    const p = new Float32Array(cloud.points);
    const geometry = new THREE.BufferGeometry();
    geometry.setAttribute("position", new THREE.BufferAttribute(p, 3));
    base = new Float32Array(p.length);
    const zmin = cloud.bounds.min[2]; const zr = Math.max(0.1, cloud.bounds.max[2] - zmin);
    let imin = Infinity; let imax = -Infinity;
    for (const v of cloud.intensity) { imin = Math.min(imin, v); imax = Math.max(imax, v); }
    const ir = Math.max(1e-6, imax - imin);
    const c = new THREE.Color();
    for (let j = 0; j < cloud.served; j++) {
      const mode_ = hooks.colorMode;
      const t = mode_ === "intensity" ? (cloud.intensity[j] - imin) / ir : mode_ === "uniform" ? 0.6 : (p[3 * j + 2] - zmin) / zr;
      c.setHSL((240 - 240 * Math.min(1, Math.max(0, t))) / 360, 0.9, 0.55);
      base[3 * j] = c.r; base[3 * j + 1] = c.g; base[3 * j + 2] = c.b;
    }
    colors = new Float32Array(base);
    geometry.setAttribute("color", new THREE.BufferAttribute(colors, 3));
    const material = new THREE.PointsMaterial({ size: hooks.pointSize, sizeAttenuation: false, vertexColors: true });
    cloudObject = new THREE.Points(geometry, material);
    scene.add(cloudObject);
    const lo = cloud.bounds.min; const hi = cloud.bounds.max;
    orbit.target.set((lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2);
    orbit.radius = Math.max(5, Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]));
    canvas.dataset.ready = "1";
    update();
  }

  // -- selection --------------------------------------------------------------------------
  function canvasPoint(e) {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  }

  function select(path, add) {
    if (!cloud) return;
    if (!add) selection = new Set();
    placeCamera();
    const m = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse).elements;
    const p = cloud.points; const w = canvas.width; const h = canvas.height;
    const xs = path.map((q) => q[0]); const ys = path.map((q) => q[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    for (let j = 0; j < cloud.served; j++) {
      const x = p[3 * j]; const y = p[3 * j + 1]; const z = p[3 * j + 2];
      const cw = m[3] * x + m[7] * y + m[11] * z + m[15];
      if (cw <= 0) continue; // behind the camera
      const sx = ((m[0] * x + m[4] * y + m[8] * z + m[12]) / cw + 1) * w / 2;
      const sy = (1 - (m[1] * x + m[5] * y + m[9] * z + m[13]) / cw) * h / 2;
      if (sx < x0 || sx > x1 || sy < y0 || sy > y1) continue;
      if (mode === "box" || insidePolygon(sx, sy, path)) selection.add(j);
    }
    hooks.say(`${selection.size} point(s) selected; Enter makes them a ${hooks.label()} segment, Escape clears.`);
    paint();
    render();
  }

  function drawPath() {
    octx.clearRect(0, 0, overlay.width, overlay.height);
    if (!drag || !drag.path.length) return;
    octx.strokeStyle = "#fff"; octx.setLineDash([5, 4]); octx.lineWidth = 1.5;
    octx.beginPath();
    if (mode === "box") {
      const [a, b] = [drag.path[0], drag.path[drag.path.length - 1]];
      octx.rect(a[0], a[1], b[0] - a[0], b[1] - a[1]);
    } else drag.path.forEach(([x, y], k) => (k ? octx.lineTo(x, y) : octx.moveTo(x, y)));
    octx.stroke();
  }

  function commit() {
    if (!selection.size) { hooks.say("Select points first (L lasso, B box, then drag)."); return; }
    const indices = [...selection].sort((a, b) => a - b).map((j) => j * cloud.stride);
    selection = new Set();
    hooks.addSegment(indices);
  }

  function setMode(next) {
    mode = next;
    for (const b of box.querySelectorAll("[data-sp3-mode]")) b.setAttribute("aria-pressed", String(b.dataset.sp3Mode === mode));
    canvas.dataset.mode = mode;
  }

  box.addEventListener("click", (e) => {
    const b = e.target.closest("[data-sp3-mode]");
    if (b) setMode(b.dataset.sp3Mode);
    if (e.target.closest("[data-sp3-commit]")) commit();
  });
  canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  canvas.addEventListener("pointerdown", (e) => {
    canvas.focus({ preventScroll: true });
    canvas.setPointerCapture(e.pointerId);
    const at = canvasPoint(e);
    const kind = e.button === 2 || (e.button === 0 && e.ctrlKey) ? "pan" : mode === "orbit" ? "orbit" : "select";
    drag = { kind, last: at, path: kind === "select" ? [at] : [], add: e.shiftKey };
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const at = canvasPoint(e);
    const [dx, dy] = [at[0] - drag.last[0], at[1] - drag.last[1]];
    drag.last = at;
    if (drag.kind === "orbit") {
      orbit.azimuth -= dx * 0.01;
      orbit.elevation = Math.min(1.55, Math.max(-1.55, orbit.elevation + dy * 0.01));
      render();
    } else if (drag.kind === "pan") {
      const right = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 0);
      const up = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 1);
      const k = orbit.radius / canvas.height;
      orbit.target.addScaledVector(right, -dx * k).addScaledVector(up, dy * k);
      render();
    } else {
      drag.path.push(at);
      drawPath();
    }
  });
  canvas.addEventListener("pointerup", () => {
    if (drag && drag.kind === "select" && drag.path.length > 1) select(drag.path, drag.add);
    drag = null;
    drawPath();
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    orbit.radius = Math.min(2000, Math.max(1, orbit.radius * (e.deltaY < 0 ? 1 / 1.15 : 1.15)));
    render();
  }, { passive: false });
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    const turn = e.shiftKey ? 0.2 : 0.05;
    let done = true;
    if (k === "ArrowLeft" || k === "ArrowRight") { orbit.azimuth += k === "ArrowLeft" ? turn : -turn; render(); }
    else if (k === "ArrowUp" || k === "ArrowDown") { orbit.elevation = Math.min(1.55, Math.max(-1.55, orbit.elevation + (k === "ArrowUp" ? turn : -turn))); render(); }
    else if (k === "+" || k === "=") { orbit.radius = Math.max(1, orbit.radius / 1.2); render(); }
    else if (k === "-") { orbit.radius = Math.min(2000, orbit.radius * 1.2); render(); }
    else if (k === "t") { orbit.elevation = 1.55; render(); } // top view
    else if (k === "0") { orbit.azimuth = Math.PI; orbit.elevation = 0.6; render(); }
    else if (k === "l" || k === "b" || k === "o") setMode({ l: "lasso", b: "box", o: "orbit" }[k]);
    else if (k === "Enter") commit();
    else if (k === "Escape") { selection = new Set(); hooks.say("Selection cleared."); paint(); render(); }
    else done = hooks.pickLabel(k);
    if (done) { e.preventDefault(); e.stopPropagation(); }
  });

  setMode("orbit");
  render();
  return { setCloud, update };
}
