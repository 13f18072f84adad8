// geo_annotation: points, lines and polygons (or one pin per label) on a Leaflet map
// (static/vendor/leaflet, loaded from the URL the template rendered). The answer is a GeoJSON
// FeatureCollection ([longitude, latitude]) in the scheme's hidden input, which annotate.js
// saves on its change event. Everything the pointer does, the keyboard does on the focused
// map: arrows pan and +/- zoom, A adds at the centre cross, Enter finishes a line
// or polygon, Escape cancels it, Backspace drops its last vertex, N/P select features,
// Delete removes the selected one, 1-9 choose the label and T the tool.
// task: classify_region (a choropleth): a click on a region gives it the chosen label (again:
// clears it); N/P select a region, A or Enter label it, Delete clears it.

const round7 = (x) => Math.round(x * 1e7) / 1e7;
const wrapLon = (x) => ((((x + 180) % 360) + 360) % 360) - 180;

function fmt(p) {
  return `${p[0].toFixed(4)}, ${p[1].toFixed(4)}`;
}

async function setUp(box) {
  const L = await import(box.dataset.leaflet);
  const cfg = JSON.parse(box.querySelector("[data-role='geo-config']").textContent);
  const input = box.querySelector("input[type='hidden'][data-label]");
  const mapEl = box.querySelector("[data-role='map']");
  const status = box.querySelector("[data-role='status']");
  const list = box.querySelector("[data-role='features']");
  const labelSel = box.querySelector("[data-role='label']");
  const toolSel = box.querySelector("[data-role='tool']");
  const textInput = box.querySelector("[data-role='feature-text']");
  const colors = Object.fromEntries(cfg.labels.map((l) => [l.name, l.color]));
  const shown = Object.fromEntries(cfg.labels.map((l) => [l.name, l.text]));
  const baseStatus = status.textContent.trim();

  let features = [];
  try {
    features = input.value ? JSON.parse(input.value).features || [] : [];
  } catch {
    features = [];
  }
  if (!features.length && cfg.preannotation) features = cfg.preannotation.features || [];
  let selected = features.length ? 0 : -1;
  let draft = null; // {tool, points: [[lon, lat], ...]}

  const map = L.map(mapEl, { doubleClickZoom: false, maxZoom: cfg.maxZoom || 19, keyboard: false });
  // Leaflet's own keyboard handler listens on the document, after annotate.js (whose arrows
  // change the item) and skips keys during a pan animation: the map's keys are handled here.
  const PAN = { ArrowLeft: [-80, 0], ArrowRight: [80, 0], ArrowUp: [0, -80], ArrowDown: [0, 80] };
  if (cfg.tiles) {
    L.tileLayer(cfg.tiles, { attribution: cfg.attribution, maxZoom: cfg.maxZoom || 19 }).addTo(map);
  } else {
    const grid = L.layerGroup().addTo(map);
    for (let lon = -180; lon <= 180; lon += 30) {
      L.polyline([[-85, lon], [85, lon]], { color: "#bbb", weight: 1, interactive: false }).addTo(grid);
    }
    for (let lat = -60; lat <= 60; lat += 30) {
      L.polyline([[lat, -180], [lat, 180]], { color: "#bbb", weight: 1, interactive: false }).addTo(grid);
    }
  }
  let overlayBounds = null;
  if (cfg.overlay) {
    const overlay = L.geoJSON(cfg.overlay, {
      style: { color: "#555", weight: 1, fillOpacity: 0.08 },
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 4, color: "#555" }),
      interactive: false,
    }).addTo(map);
    if (overlay.getLayers().length) overlayBounds = overlay.getBounds();
  }
  if (cfg.center) map.setView([cfg.center[1], cfg.center[0]], cfg.zoom ?? 4);
  else if (overlayBounds) map.fitBounds(overlayBounds, { padding: [20, 20] });
  else map.setView([20, 0], cfg.zoom ?? 2);

  if (cfg.task === "classify_region") {
    regionsMode({ L, box, cfg, map, mapEl, input, labelSel, colors, shown, status, baseStatus, PAN });
    return;
  }
  const drawn = L.layerGroup().addTo(map);

  function toLatLngs(coords) {
    return coords.map((p) => [p[1], p[0]]);
  }

  function layerFor(f, isSelected) {
    const color = colors[f.properties.label] || "#0072B2";
    const style = { color, weight: isSelected ? 5 : 3, fillOpacity: 0.25 };
    const g = f.geometry;
    if (g.type === "Point") {
      return L.circleMarker([g.coordinates[1], g.coordinates[0]], { ...style, radius: isSelected ? 9 : 6 });
    }
    if (g.type === "LineString") return L.polyline(toLatLngs(g.coordinates), style);
    return L.polygon(g.coordinates.map(toLatLngs), style);
  }

  function redraw() {
    drawn.clearLayers();
    features.forEach((f, i) => {
      const layer = layerFor(f, i === selected).addTo(drawn);
      layer.on("click", (e) => {
        L.DomEvent.stopPropagation(e);
        select(i);
      });
    });
    if (draft && draft.points.length) {
      L.polyline(toLatLngs(draft.points), { color: "#c00", dashArray: "4 4" }).addTo(drawn);
    }
    renderList();
  }

  function describe(f, i) {
    const g = f.geometry;
    const where =
      g.type === "Point" ? fmt(g.coordinates)
        : g.type === "LineString" ? `${g.coordinates.length} vertices`
          : `${g.coordinates[0].length - 1} corners`;
    const text = f.properties.text ? ` “${f.properties.text}”` : "";
    return `${i + 1}. ${g.type} — ${shown[f.properties.label] || f.properties.label}${text} (${where})`;
  }

  function renderList() {
    list.replaceChildren();
    features.forEach((f, i) => {
      const li = document.createElement("li");
      li.dataset.index = String(i);
      if (i === selected) li.setAttribute("aria-current", "true");
      const span = document.createElement("span");
      span.textContent = describe(f, i);
      span.addEventListener("click", () => select(i));
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `Delete feature ${i + 1}`);
      del.addEventListener("click", () => remove(i));
      li.append(span, del);
      list.append(li);
    });
    if (textInput) {
      textInput.disabled = selected < 0;
      textInput.value = selected >= 0 ? features[selected].properties.text || "" : "";
    }
  }

  function commit(message) {
    features = features.map((f) => ({ type: "Feature", geometry: f.geometry, properties: f.properties }));
    input.value = features.length ? JSON.stringify({ type: "FeatureCollection", features }) : "";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    redraw();
    say(message);
  }

  function say(message) {
    status.textContent = message ? `${message} ${baseStatus}`.trim() : baseStatus;
  }

  function select(i) {
    if (!features.length) return;
    selected = ((i % features.length) + features.length) % features.length;
    redraw();
    say(`Selected ${describe(features[selected], selected)}.`);
  }

  function remove(i) {
    if (i < 0 || i >= features.length) return;
    const gone = describe(features[i], i);
    features.splice(i, 1);
    selected = Math.min(selected, features.length - 1);
    commit(`Deleted ${gone}.`);
  }

  function currentLabel() {
    return labelSel.value;
  }

  function addAt(latlng) {
    const p = [round7(wrapLon(latlng.lng)), round7(Math.max(-90, Math.min(90, latlng.lat)))];
    const tool = cfg.task === "pin" ? "point" : toolSel ? toolSel.value : "point";
    const label = currentLabel();
    if (tool === "point") {
      if (cfg.task === "pin") features = features.filter((f) => f.properties.label !== label);
      if (cfg.maxFeatures != null && features.length >= cfg.maxFeatures) {
        say(`At most ${cfg.maxFeatures} features.`);
        return;
      }
      features.push({ type: "Feature", geometry: { type: "Point", coordinates: p }, properties: { label } });
      selected = features.length - 1;
      commit(`Added ${describe(features[selected], selected)}.`);
      return;
    }
    if (!draft || draft.tool !== tool) draft = { tool, points: [] };
    draft.points.push(p);
    redraw();
    say(`${tool}: ${draft.points.length} vertices; Enter finishes, Escape cancels.`);
  }

  function finish() {
    if (!draft) return false;
    const pts = draft.points;
    const distinct = new Set(pts.map((p) => p.join(","))).size;
    const label = currentLabel();
    let geometry;
    if (draft.tool === "line") {
      if (distinct < 2) return say("A line needs two different points."), true;
      geometry = { type: "LineString", coordinates: pts };
    } else {
      if (distinct < 3) return say("A polygon needs three different corners."), true;
      geometry = { type: "Polygon", coordinates: [[...pts, pts[0]]] };
    }
    draft = null;
    features.push({ type: "Feature", geometry, properties: { label } });
    selected = features.length - 1;
    commit(`Added ${describe(features[selected], selected)}.`);
    return true;
  }

  map.on("click", (e) => addAt(e.latlng));

  mapEl.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    let handled = true;
    const key = e.key;
    if (PAN[key]) map.panBy(PAN[key].map((d) => (e.shiftKey ? 3 * d : d)), { animate: false });
    else if (key === "+" || key === "=") map.setZoom(map.getZoom() + 1, { animate: false });
    else if (key === "-" || key === "_") map.setZoom(map.getZoom() - 1, { animate: false });
    else if (key === "a" || key === "A") addAt(map.getCenter());
    else if (key === "Enter" && draft) finish();
    else if (key === "Escape" && draft) {
      draft = null;
      redraw();
      say("Drawing cancelled.");
    } else if (key === "Backspace" && draft) {
      draft.points.pop();
      redraw();
    } else if ((key === "Delete" || key === "Backspace") && selected >= 0) remove(selected);
    else if (key === "n" || key === "N") select(selected + 1);
    else if (key === "p" || key === "P") select(selected - 1);
    else if (/^[1-9]$/.test(key) && labelSel.options[Number(key) - 1]) {
      labelSel.selectedIndex = Number(key) - 1;
      say(`Label: ${labelSel.options[labelSel.selectedIndex].textContent.trim()}.`);
    } else if ((key === "t" || key === "T") && toolSel) {
      toolSel.selectedIndex = (toolSel.selectedIndex + 1) % toolSel.options.length;
      draft = null;
      say(`Tool: ${toolSel.value}.`);
    } else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  });

  if (textInput) {
    textInput.addEventListener("input", (e) => {
      e.stopPropagation(); // the hidden input's change event carries the save
      if (selected < 0) return;
      const text = textInput.value;
      if (text) features[selected].properties.text = text;
      else delete features[selected].properties.text;
      input.value = JSON.stringify({ type: "FeatureCollection", features });
      input.dispatchEvent(new Event("change", { bubbles: true }));
      renderList();
    });
    textInput.addEventListener("change", (e) => e.stopPropagation());
  }
  redraw();
  box.dataset.ready = "1";
}

function regionsMode({ L, box, cfg, map, mapEl, input, labelSel, colors, shown, status, baseStatus, PAN }) {
  const list = box.querySelector("[data-role='regions']");
  const regions = cfg.regions || [];
  const names = Object.fromEntries(regions.map((r) => [r.id, r.name || r.id]));
  const assign = {};
  try {
    for (const f of (input.value ? JSON.parse(input.value).features : []) || []) {
      const p = f.properties || {};
      if (p.region !== undefined && p.label && names[String(p.region)] !== undefined) {
        assign[String(p.region)] = p.label;
      }
    }
  } catch {
    // an unreadable stored answer starts empty
  }
  let selected = regions.length ? 0 : -1;
  const layers = {};
  const say = (message) => {
    status.textContent = message ? `${message} ${baseStatus}`.trim() : baseStatus;
  };
  const describe = (r) => `${names[r.id]}: ${assign[r.id] ? shown[assign[r.id]] || assign[r.id] : "no label"}`;

  function style(r, i) {
    const label = assign[r.id];
    return {
      color: i === selected ? "#000" : "#555",
      weight: i === selected ? 4 : 1,
      fillColor: label ? colors[label] || "#0072B2" : "#ddd",
      fillOpacity: label ? 0.55 : 0.2,
    };
  }

  function redraw() {
    regions.forEach((r, i) => layers[r.id] && layers[r.id].setStyle(style(r, i)));
    list.replaceChildren();
    regions.forEach((r, i) => {
      const li = document.createElement("li");
      li.dataset.region = r.id;
      if (i === selected) li.setAttribute("aria-current", "true");
      li.textContent = describe(r);
      li.addEventListener("click", () => select(i));
      list.append(li);
    });
  }

  function commit(message) {
    const features = regions
      .filter((r) => assign[r.id])
      .map((r) => ({
        type: "Feature",
        geometry: null,
        properties: { region: r.id, region_name: r.name || "", label: assign[r.id] },
      }));
    input.value = features.length ? JSON.stringify({ type: "FeatureCollection", features }) : "";
    input.dispatchEvent(new Event("change", { bubbles: true }));
    redraw();
    say(message);
  }

  function select(i) {
    if (!regions.length) return;
    selected = ((i % regions.length) + regions.length) % regions.length;
    redraw();
    say(`Selected ${describe(regions[selected])}.`);
  }

  function label(i, toggle) {
    const r = regions[i];
    if (!r) return;
    selected = i;
    if (toggle && assign[r.id] === labelSel.value) delete assign[r.id];
    else assign[r.id] = labelSel.value;
    commit(`${describe(r)}.`);
  }

  function clear(i) {
    const r = regions[i];
    if (!r || !assign[r.id]) return;
    delete assign[r.id];
    commit(`${describe(r)}.`);
  }

  const bounds = [];
  regions.forEach((r, i) => {
    if (!r.geometry) return;
    const layer = L.geoJSON({ type: "Feature", geometry: r.geometry, properties: {} }, {
      style: style(r, i),
      pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 6 }),
    }).addTo(map);
    layer.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      label(i, true);
    });
    layers[r.id] = layer;
    bounds.push(layer.getBounds());
  });
  if (!cfg.center && bounds.length) {
    map.fitBounds(bounds.reduce((a, b) => a.extend(b), L.latLngBounds(bounds[0])), { padding: [20, 20] });
  }

  mapEl.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    let handled = true;
    const key = e.key;
    if (PAN[key]) map.panBy(PAN[key].map((d) => (e.shiftKey ? 3 * d : d)), { animate: false });
    else if (key === "+" || key === "=") map.setZoom(map.getZoom() + 1, { animate: false });
    else if (key === "-" || key === "_") map.setZoom(map.getZoom() - 1, { animate: false });
    else if (key === "n" || key === "N") select(selected + 1);
    else if (key === "p" || key === "P") select(selected - 1);
    else if (key === "a" || key === "A" || key === "Enter") label(selected, false);
    else if (key === "Delete" || key === "Backspace") clear(selected);
    else if (/^[1-9]$/.test(key) && labelSel.options[Number(key) - 1]) {
      labelSel.selectedIndex = Number(key) - 1;
      say(`Label: ${labelSel.options[labelSel.selectedIndex].textContent.trim()}.`);
    } else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  });
  redraw();
  box.dataset.ready = "1";
}

for (const box of document.querySelectorAll("fieldset[data-type='geo_annotation']")) {
  setUp(box).catch((err) => {
    const status = box.querySelector("[data-role='status']");
    if (status) status.textContent = `The map could not be shown: ${err.message}`;
  });
}
