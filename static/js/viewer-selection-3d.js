// viewer_selection's 3-D view: the structure's C-alpha trace (one line per chain, coloured by
// chain; broken where consecutive C-alphas are more than GAP Å apart) and one pickable sphere
// per residue at its C-alpha, drawn with three.js (vendored at static/vendor/three, loaded from
// the URL the template rendered). Selection state lives in viewer-selection.js: this view asks
// it for each residue's state and tells it about clicks (Shift+click: a range from the last
// clicked residue). The sequence view's cursor is marked with a white wire sphere. Drag
// orbits, the wheel zooms; on the focused canvas the arrows orbit, +/- zoom, 0 resets the
// view, , and . move the cursor to the previous/next residue and Space selects or clears it.

const CHAIN_COLOURS = [0x4c6ef5, 0xf59f00, 0x12b886, 0xbe4bdb, 0xfa5252, 0x15aabf, 0x82c91e, 0x868e96];
const GAP = 8.0; // Å: no trace segment between C-alphas farther apart (a chain break, a ligand)
const PICK_PX = 10;

// hooks.state(n) -> {on, color}, hooks.pick(n, shift), hooks.describe(n), hooks.cursor() -> n,
// hooks.step(delta) moves the cursor, hooks.toggle() selects or clears the cursor's residue
export async function mountStructure3d(view, traces, hooks) {
  const THREE = await import(view.dataset.three);
  const canvas = view.querySelector("canvas");
  const hover = view.querySelector("[data-role='hover']");
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
  renderer.setPixelRatio(1);
  renderer.setSize(canvas.width, canvas.height, false);
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0x101418);
  scene.add(new THREE.AmbientLight(0xffffff, 0.55));
  const sun = new THREE.DirectionalLight(0xffffff, 1.1);
  scene.add(sun);
  const camera = new THREE.PerspectiveCamera(45, canvas.width / canvas.height, 0.1, 10000);

  // points[n]: residue n's C-alpha (or null), in the order of the sequence view
  const points = [];
  const chainOf = [];
  traces.forEach((trace, c) => trace.forEach((p) => { points.push(p); chainOf.push(c); }));
  const present = points.map((p, n) => (p ? n : -1)).filter((n) => n >= 0);
  const centre = new THREE.Vector3();
  present.forEach((n) => centre.add(new THREE.Vector3(...points[n])));
  if (present.length) centre.divideScalar(present.length);
  let extent = 5;
  present.forEach((n) => { extent = Math.max(extent, centre.distanceTo(new THREE.Vector3(...points[n]))); });

  traces.forEach((trace, c) => {
    const pos = [];
    for (let i = 1; i < trace.length; i += 1) {
      const a = trace[i - 1];
      const b = trace[i];
      if (a && b && Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]) <= GAP) pos.push(...a, ...b);
    }
    if (!pos.length) return;
    const geom = new THREE.BufferGeometry();
    geom.setAttribute("position", new THREE.Float32BufferAttribute(pos, 3));
    const line = new THREE.LineSegments(geom, new THREE.LineBasicMaterial({ color: CHAIN_COLOURS[c % CHAIN_COLOURS.length] }));
    scene.add(line);
  });

  const radius = 0.7;
  const spheres = new THREE.InstancedMesh(
    new THREE.SphereGeometry(radius, 12, 8),
    new THREE.MeshLambertMaterial({ color: 0xffffff }),
    Math.max(present.length, 1),
  );
  spheres.count = present.length;
  scene.add(spheres);
  const marker = new THREE.Mesh(
    new THREE.SphereGeometry(radius * 2.4, 12, 8),
    new THREE.MeshBasicMaterial({ color: 0xffffff, wireframe: true }),
  );
  scene.add(marker);
  const matrix = new THREE.Matrix4();
  const colour = new THREE.Color();

  const orbit = { azimuth: 0.6, elevation: 0.35, distance: extent * 2.3 + 4 };
  const home = { ...orbit };
  function place() {
    const { azimuth, elevation, distance } = orbit;
    camera.position.set(
      centre.x + distance * Math.cos(elevation) * Math.sin(azimuth),
      centre.y + distance * Math.sin(elevation),
      centre.z + distance * Math.cos(elevation) * Math.cos(azimuth),
    );
    camera.lookAt(centre);
    camera.updateMatrixWorld();
    sun.position.copy(camera.position);
  }

  function render() {
    place();
    renderer.render(scene, camera);
  }

  function update() {
    let on = 0;
    present.forEach((n, i) => {
      const s = hooks.state(n);
      const scale = s.on ? 1.7 : 1;
      matrix.makeScale(scale, scale, scale).setPosition(...points[n]);
      spheres.setMatrixAt(i, matrix);
      if (s.on) { colour.set(s.color); on += 1; } else colour.setHex(CHAIN_COLOURS[chainOf[n] % CHAIN_COLOURS.length]).multiplyScalar(0.55);
      spheres.setColorAt(i, colour);
    });
    spheres.instanceMatrix.needsUpdate = true;
    if (spheres.instanceColor) spheres.instanceColor.needsUpdate = true;
    canvas.dataset.selected = String(on);
    const here = hooks.cursor();
    marker.visible = Boolean(points[here]);
    if (marker.visible) marker.position.set(...points[here]);
    canvas.dataset.cursor = here >= 0 && here < points.length ? hooks.describe(here) : "";
    render();
  }

  // the residue drawn nearest to the pointer (within its sphere or PICK_PX), nearest camera first
  function residueAt(clientX, clientY) {
    const rect = canvas.getBoundingClientRect();
    const x = ((clientX - rect.left) / rect.width) * canvas.width;
    const y = ((clientY - rect.top) / rect.height) * canvas.height;
    const v = new THREE.Vector3();
    let best = -1;
    let bestDepth = Infinity;
    for (const n of present) {
      v.set(...points[n]);
      const depth = v.distanceTo(camera.position);
      v.project(camera);
      if (v.z > 1) continue;
      const sx = ((v.x + 1) / 2) * canvas.width;
      const sy = ((1 - v.y) / 2) * canvas.height;
      const scale = hooks.state(n).on ? 1.7 : 1;
      const px = (radius * scale * canvas.height) / (2 * depth * Math.tan((camera.fov * Math.PI) / 360));
      if (Math.hypot(sx - x, sy - y) <= Math.max(px, PICK_PX) && depth < bestDepth) {
        best = n;
        bestDepth = depth;
      }
    }
    return best;
  }

  let drag = null;
  canvas.addEventListener("pointerdown", (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false, azimuth: orbit.azimuth, elevation: orbit.elevation };
    canvas.focus();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (drag && e.buttons) {
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (Math.hypot(dx, dy) > 4) drag.moved = true;
      if (drag.moved) {
        orbit.azimuth = drag.azimuth - dx * 0.01;
        orbit.elevation = Math.max(-1.5, Math.min(1.5, drag.elevation + dy * 0.01));
        render();
      }
      return;
    }
    const n = residueAt(e.clientX, e.clientY);
    const text = n >= 0 ? hooks.describe(n) : "";
    if (canvas.dataset.hover !== text) {
      canvas.dataset.hover = text;
      hover.textContent = text;
    }
  });
  canvas.addEventListener("pointerup", (e) => {
    const click = drag && !drag.moved;
    drag = null;
    if (!click) return;
    const n = residueAt(e.clientX, e.clientY);
    if (n >= 0) hooks.pick(n, e.shiftKey);
  });
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.1 : 1 / 1.1);
  }, { passive: false });
  function zoom(f) {
    orbit.distance = Math.max(2, Math.min(extent * 20 + 50, orbit.distance * f));
    render();
  }
  canvas.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    const k = e.key;
    if (k === "ArrowLeft") orbit.azimuth -= 0.15;
    else if (k === "ArrowRight") orbit.azimuth += 0.15;
    else if (k === "ArrowUp") orbit.elevation = Math.min(1.5, orbit.elevation + 0.15);
    else if (k === "ArrowDown") orbit.elevation = Math.max(-1.5, orbit.elevation - 0.15);
    else if (k === "+" || k === "=") { zoom(1 / 1.2); }
    else if (k === "-") { zoom(1.2); }
    else if (k === "0") Object.assign(orbit, home);
    else if (k === "," || k === ".") hooks.step(k === "," ? -1 : 1);
    else if (k === " ") hooks.toggle();
    else return;
    e.preventDefault();
    e.stopPropagation();
    render();
  });

  update();
  canvas.dataset.ready = "1";
  return { update };
}
