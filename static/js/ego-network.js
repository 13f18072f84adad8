// ego_network: builds each stage of the ego-network interview from the stage list in the
// scheme's JSON block and keeps Potato's answer {"alters", "attributes", "ties", "positions",
// "census", "tie_attributes"} in the hidden input. Name generators add people (Enter), name
// interpreters ask each question per person, the dyad census asks Yes/No per pair (a Yes is a
// tie), the sociogram draws ego, alters and ties as SVG (and offers a checkbox per pair when
// ties may be drawn there). Loaded only by pages that show an ego network.
const form = document.getElementById("annotation-form");
const SVG = "http://www.w3.org/2000/svg";

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter(Boolean));
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function setup(box) {
  const config = JSON.parse(box.querySelector("script.ego-config").textContent);
  const stages = config.stages;
  const hidden = box.querySelector("input.ego-network-value");
  const status = box.querySelector(".ego-status");
  const uid = box.dataset.domId;
  const empty = { alters: [], attributes: {}, ties: [], positions: {}, census: {}, tie_attributes: {} };
  let net = { ...empty };
  try { if (hidden.value) net = { ...empty, ...JSON.parse(hidden.value) }; } catch (_) { /* fresh */ }
  let next = 1 + Math.max(0, ...net.alters.map((a) => Number(String(a.id).replace(/\D/g, "")) || 0));

  const order = () => Object.fromEntries(net.alters.map((a, i) => [a.id, i]));
  const pairKey = (a, b, rel) => {
    const o = order();
    const [x, y] = o[a] <= o[b] ? [a, b] : [b, a];
    return `${x}|${y}` + (rel ? `|${rel}` : "");
  };
  const hasTie = (a, b, rel) => net.ties.some((t) => (t[2] || null) === (rel || null) &&
    ((t[0] === a && t[1] === b) || (t[0] === b && t[1] === a)));
  function setTie(a, b, rel, on) {
    net.ties = net.ties.filter((t) => !((t[2] || null) === (rel || null) &&
      ((t[0] === a && t[1] === b) || (t[0] === b && t[1] === a))));
    if (on) {
      const [x, y] = pairKey(a, b).split("|");
      net.ties.push(rel ? [x, y, rel] : [x, y]);
    }
  }
  const pairs = () => net.alters.flatMap((a, i) => net.alters.slice(i + 1).map((b) => [a, b]));

  function write(rebuild) {
    hidden.value = net.alters.length ? JSON.stringify(net) : "";
    form.dispatchEvent(new Event("potato:changed"));
    if (rebuild) render();
    else drawAll();
  }

  function addAlter(stage, name) {
    name = name.replace(/\s+/g, " ").trim();
    if (!name) return false;
    const mine = net.alters.filter((a) => a.named_in.includes(stage.id));
    if (stage.max_alters && mine.length >= stage.max_alters) {
      status.textContent = `${stage.title}: at most ${stage.max_alters} people.`;
      return false;
    }
    const same = net.alters.find((a) => a.name.toLowerCase() === name.toLowerCase());
    if (same) {
      if (!same.named_in.includes(stage.id)) same.named_in.push(stage.id);
    } else {
      const id = `a${next++}`;
      net.alters.push({ id, name, named_in: [stage.id] });
      if (stage.sets && Object.keys(stage.sets).length) net.attributes[id] = { ...stage.sets };
    }
    status.textContent = `Added ${name}.`;
    return true;
  }

  function removeAlter(stage, id) {
    const alter = net.alters.find((a) => a.id === id);
    alter.named_in = alter.named_in.filter((s) => s !== stage.id);
    if (!alter.named_in.length) {
      net.alters = net.alters.filter((a) => a.id !== id);
      delete net.attributes[id];
      delete net.positions[id];
      net.ties = net.ties.filter((t) => t[0] !== id && t[1] !== id);
      for (const store of [net.census, net.tie_attributes]) {
        for (const k of Object.keys(store)) if (k.split("|").slice(0, 2).includes(id)) delete store[k];
      }
    }
    status.textContent = `Removed ${alter.name}.`;
  }

  function generator(stage, body) {
    const mine = net.alters.filter((a) => a.named_in.includes(stage.id));
    if (stage.roster && stage.roster.length) {
      const list = el("ul", { class: "ego-alters" });
      stage.roster.forEach((name, i) => {
        const on = mine.some((a) => a.name === name);
        const box2 = el("input", { type: "checkbox", id: `${uid}-${stage.id}-r${i}`, checked: on });
        box2.addEventListener("change", () => {
          if (box2.checked) addAlter(stage, name);
          else removeAlter(stage, net.alters.find((a) => a.name === name).id);
          write(true);
          document.getElementById(box2.id).focus();
        });
        list.append(el("li", {}, box2, el("label", { for: box2.id, text: name })));
      });
      body.append(list);
      return;
    }
    const entry = el("input", { type: "text", class: "ego-entry", id: `${uid}-${stage.id}-entry`,
      autocomplete: "off", placeholder: stage.placeholder || "" });
    const add = el("button", { type: "button", text: "Add" });
    const commit = () => {
      if (addAlter(stage, entry.value)) {
        write(true);
        document.getElementById(entry.id).focus();
      }
    };
    entry.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault(); // Enter names a person here; it does not submit the page
        e.stopPropagation();
        commit();
      }
    });
    add.addEventListener("click", commit);
    const list = el("ul", { class: "ego-alters", "aria-label": "People named" });
    for (const a of mine) {
      const del = el("button", { type: "button", text: "Remove", "aria-label": `Remove ${a.name}` });
      del.addEventListener("click", () => { removeAlter(stage, a.id); write(true); });
      list.append(el("li", { "data-alter": a.id }, el("span", { text: a.name }), del));
    }
    body.append(el("label", { for: entry.id, text: "Add a person" }), entry, add, list,
      el("p", { class: "hint", text: `${mine.length} named` + (stage.min_alters ? ` (at least ${stage.min_alters})` : "") }));
  }

  function interpreter(stage, body) {
    if (!net.alters.length) body.append(el("p", { class: "hint", text: "Name people first." }));
    for (const a of net.alters) {
      const set = el("fieldset", { class: "ego-person", "data-alter": a.id }, el("legend", { text: a.name }));
      for (const q of stage.questions) {
        const answers = net.attributes[a.id] || {};
        const current = answers[q.name];
        const base = `${uid}-${stage.id}-${a.id}-${q.name}`;
        const save = (v) => {
          net.attributes[a.id] = { ...(net.attributes[a.id] || {}), [q.name]: v };
          if (v === "" || v === null || (Array.isArray(v) && !v.length)) delete net.attributes[a.id][q.name];
          write(false);
        };
        const text = q.description.replace("{name}", a.name);
        if (q.type === "radio" || q.type === "multiselect") {
          const group = el("fieldset", { class: "ego-question" }, el("legend", { text }));
          q.labels.forEach((label, i) => {
            const input = el("input", { type: q.type === "radio" ? "radio" : "checkbox", id: `${base}-${i}`,
              name: base, value: label,
              checked: q.type === "radio" ? current === label : (current || []).includes(label) });
            input.addEventListener("change", () => {
              if (q.type === "radio") save(label);
              else save([...group.querySelectorAll("input:checked")].map((x) => x.value));
            });
            group.append(el("label", { for: input.id }, input, ` ${(q.texts || {})[label] || label}`));
          });
          set.append(group);
        } else {
          const input = el("input", { type: q.type === "number" ? "number" : "text", id: base,
            value: current ?? "", min: q.min ?? undefined, max: q.max ?? undefined, step: q.step ?? undefined });
          input.addEventListener("change", () => save(q.type === "number" && input.value !== "" ? Number(input.value) : input.value));
          set.append(el("label", { for: base, text }), input);
        }
      }
      body.append(set);
    }
  }

  function census(stage, body) {
    const rel = stage.relation || null;
    const all = pairs();
    if (!all.length) body.append(el("p", { class: "hint", text: "Name at least two people first." }));
    const list = el("ul", { class: "ego-census" });
    for (const [a, b] of all) {
      const key = pairKey(a.id, b.id, rel);
      const base = `${uid}-${stage.id}-${a.id}-${b.id}`;
      const q = (stage.prompt || "Do {a} and {b} know each other?").replace("{a}", a.name).replace("{b}", b.name);
      const group = el("fieldset", { class: "ego-question", "data-pair": key },
        el("legend", { text: `${a.name} and ${b.name}` + (stage.prompt ? "" : "") }));
      group.setAttribute("aria-description", q);
      for (const [answer, label] of [[true, stage.yes_label], [false, stage.no_label]]) {
        const input = el("input", { type: "radio", name: base, id: `${base}-${answer}`, value: String(answer),
          checked: net.census[key] === answer });
        input.addEventListener("change", () => {
          net.census[key] = answer;
          setTie(a.id, b.id, rel, answer);
          if (!answer) delete net.tie_attributes[key];
          write(false);
        });
        group.append(el("label", { for: input.id }, input, ` ${label}`));
      }
      if (stage.strength_labels && stage.strength_labels.length) {
        const pick = el("select", { "aria-label": `How strongly: ${a.name} and ${b.name}` },
          el("option", { value: "", text: "(strength)" }),
          ...stage.strength_labels.map((s) => el("option", { value: s, text: (stage.strength_texts || {})[s] || s })));
        pick.value = (net.tie_attributes[key] || {})[stage.strength_variable] || "";
        pick.addEventListener("change", () => {
          if (pick.value) net.tie_attributes[key] = { [stage.strength_variable]: pick.value };
          else delete net.tie_attributes[key];
          write(false);
        });
        group.append(pick);
      }
      list.append(el("li", {}, group));
    }
    body.append(list);
  }

  function sociogram(stage, body) {
    const rel = stage.relation || null;
    const figure = svg("svg", { viewBox: "-1.2 -1.2 2.4 2.4", class: "ego-sociogram", role: "group",
      "data-relation": rel || "", "data-rings": String(stage.rings ?? 3), "aria-label": "Sociogram" });
    body.append(figure);
    if (stage.allow_ties !== false && pairs().length) {
      const list = el("ul", { class: "ego-census", "aria-label": "Ties" });
      for (const [a, b] of pairs()) {
        const id = `${uid}-${stage.id}-${a.id}-${b.id}`;
        const box2 = el("input", { type: "checkbox", id, checked: hasTie(a.id, b.id, rel) });
        box2.addEventListener("change", () => { setTie(a.id, b.id, rel, box2.checked); write(false); });
        list.append(el("li", {}, box2, el("label", { for: id, text: `${a.name} — ${b.name}` })));
      }
      body.append(list);
    }
  }

  function draw(figure) {
    const rel = figure.dataset.relation || null;
    const n = net.alters.length;
    const at = {};
    net.alters.forEach((a, i) => {
      const p = net.positions[a.id];
      at[a.id] = p ? [p[0] * 2 - 1, p[1] * 2 - 1]
        : [Math.cos((2 * Math.PI * i) / n - Math.PI / 2) * 0.8, Math.sin((2 * Math.PI * i) / n - Math.PI / 2) * 0.8];
    });
    const parts = [];
    const rings = Number(figure.dataset.rings) || 0;
    for (let k = 1; k <= rings; k++) {
      parts.push(svg("circle", { cx: 0, cy: 0, r: k / rings, class: "ego-ring", "stroke-width": "0.005" }));
    }
    for (const a of net.alters) parts.push(svg("line", { x1: 0, y1: 0, x2: at[a.id][0], y2: at[a.id][1], class: "ego-spoke", "stroke-dasharray": "0.02 0.03", "stroke-width": "0.005" }));
    for (const t of net.ties) {
      if ((t[2] || null) !== rel || !at[t[0]] || !at[t[1]]) continue;
      parts.push(svg("line", { x1: at[t[0]][0], y1: at[t[0]][1], x2: at[t[1]][0], y2: at[t[1]][1],
        "stroke-width": "0.02", "data-tie": `${t[0]}|${t[1]}` }));
    }
    parts.push(svg("circle", { cx: 0, cy: 0, r: 0.07, class: "ego-self" }));
    for (const a of net.alters) {
      const [x, y] = at[a.id];
      const node = svg("g", { class: "ego-node", tabindex: "0", role: "button", "data-alter": a.id,
        "aria-label": `${a.name}: arrow keys or dragging move the person` });
      const dot = svg("circle", { cx: x, cy: y, r: 0.06, "data-alter": a.id });
      const label = svg("text", { x, y: y + 0.16, "text-anchor": "middle", "font-size": "0.11" });
      label.textContent = a.name;
      node.append(dot, label);
      parts.push(node);
    }
    const focused = document.activeElement && figure.contains(document.activeElement)
      ? document.activeElement.dataset.alter : null;
    figure.replaceChildren(...parts);
    if (focused) figure.querySelector(`g[data-alter="${CSS.escape(focused)}"]`).focus();
    figure.setAttribute("aria-label", `Sociogram: ${n} people, ${net.ties.filter((t) => (t[2] || null) === rel).length} ties`);
  }

  // Moving people on the sociogram: arrow keys move the focused person, or drag with the
  // pointer; positions are stored as [x, y] in 0..1.
  const clamp = (v) => Math.round(Math.max(0, Math.min(1, v)) * 1000) / 1000;
  function place(id, x, y) {
    net.positions[id] = [clamp(x), clamp(y)];
  }
  function where(figure, id) {
    const dot = figure.querySelector(`circle[data-alter="${CSS.escape(id)}"]`);
    return [(Number(dot.getAttribute("cx")) + 1) / 2, (Number(dot.getAttribute("cy")) + 1) / 2];
  }
  const STEP = 0.04;
  const MOVES = { ArrowUp: [0, -STEP], ArrowDown: [0, STEP], ArrowLeft: [-STEP, 0], ArrowRight: [STEP, 0] };
  box.addEventListener("keydown", (e) => {
    const node = e.target.closest && e.target.closest("g.ego-node");
    if (!node || !MOVES[e.key]) return;
    e.preventDefault(); // the arrows move the person, not to another item
    const figure = node.ownerSVGElement;
    const [x, y] = where(figure, node.dataset.alter);
    place(node.dataset.alter, x + MOVES[e.key][0], y + MOVES[e.key][1]);
    write(false);
  });
  box.addEventListener("pointerdown", (e) => {
    const node = e.target.closest && e.target.closest("g.ego-node");
    if (!node) return;
    const figure = node.ownerSVGElement;
    const id = node.dataset.alter;
    figure.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const m = figure.getScreenCTM().inverse();
      const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m);
      place(id, (p.x + 1) / 2, (p.y + 1) / 2);
      draw(figure);
    };
    const stop = () => {
      figure.removeEventListener("pointermove", move);
      figure.removeEventListener("pointerup", stop);
      write(false);
    };
    figure.addEventListener("pointermove", move);
    figure.addEventListener("pointerup", stop);
  });

  function drawAll() {
    for (const figure of box.querySelectorAll("svg.ego-sociogram")) draw(figure);
  }

  const builders = { name_generator: generator, name_interpreter: interpreter, dyad_census: census, sociogram };
  function render() {
    for (const stage of stages) {
      const body = box.querySelector(`section[data-stage="${CSS.escape(stage.id)}"] .ego-stage-body`);
      body.replaceChildren();
      builders[stage.type](stage, body);
    }
    drawAll();
  }
  render();

  // stage_layout: steps shows one stage at a time, with Previous / Next step buttons.
  const prev = box.querySelector("button.ego-prev");
  const nextStep = box.querySelector("button.ego-next");
  if (prev && nextStep) {
    const sections = [...box.querySelectorAll("section.ego-stage")];
    const label = box.querySelector(".ego-step-label");
    let current = 0;
    const show = (k) => {
      current = Math.max(0, Math.min(sections.length - 1, k));
      sections.forEach((sec, i) => { sec.hidden = i !== current; });
      label.textContent = `Step ${current + 1} of ${sections.length}: ${stages[current].title}`;
      prev.disabled = current === 0;
      nextStep.disabled = current === sections.length - 1;
    };
    prev.addEventListener("click", () => show(current - 1));
    nextStep.addEventListener("click", () => show(current + 1));
    show(0);
  }
}

for (const box of form.querySelectorAll("fieldset.ego-network")) setup(box);
