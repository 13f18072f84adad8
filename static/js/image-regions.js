// region_caption and grounding_eval: they follow the shapes of an image_annotation scheme's
// editor (image-annotation.js, window.potatoImageEditors) and add `region_captions` /
// `grounding_annotations` to every save of annotate.js. Plain ES module, no build step.

const form = document.getElementById("annotation-form");
const key = (region) => JSON.stringify([region.type, region.coordinates]);
const regionOf = (shape) => ({ type: shape.type, coordinates: shape.coordinates });

function el(tag, props = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k.startsWith("data-") || k.startsWith("aria-")) node.setAttribute(k, v); else node[k] = v;
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function changed() { form.dispatchEvent(new CustomEvent("potato:changed")); }

class Captions {
  constructor(fs, config, value) {
    this.fs = fs; this.config = config;
    this.captions = new Map((value.captions || []).map((c) => [key(c.region), c.caption]));
    this.list = fs.querySelector("[data-region-list]");
  }

  shapes() {
    const ed = (window.potatoImageEditors || {})[this.config.region_schema];
    return ed ? ed.shapes.filter((s) => s.type !== "mask") : [];
  }

  render() {
    this.list.replaceChildren();
    this.shapes().forEach((shape, i) => {
      const k = key(regionOf(shape));
      const box = el("textarea", { rows: 2, placeholder: this.config.placeholder || "", value: this.captions.get(k) || "", "data-testid": "region-caption-text" });
      if (this.config.max_length) box.maxLength = this.config.max_length;
      box.addEventListener("input", () => { this.captions.set(k, box.value); changed(); });
      const li = el("li", { className: "entry" });
      li.append(el("span", {}, `Region ${i + 1} (${shape.label}, ${shape.type})`), box);
      this.list.append(li);
    });
  }

  body() {
    return this.shapes().map((shape) => {
      const region = regionOf(shape);
      return { region, caption: this.captions.get(key(region)) || "" };
    });
  }
}

class Grounding {
  constructor(fs, config, value) {
    this.fs = fs; this.config = config;
    this.answers = new Map((value.answers || []).map((a) => [a.expression_id, a]));
    this.list = fs.querySelector("[data-region-list]");
  }

  editor() { return (window.potatoImageEditors || {})[this.config.region_schema]; }

  render() {
    this.list.replaceChildren();
    for (const expr of this.config.expressions || []) {
      const answer = this.answers.get(expr.id) || { expression_id: expr.id, regions: [], absent: false };
      const li = el("li", { className: "entry", "data-expression": expr.id });
      const state = answer.absent ? "not present" : answer.regions.length ? `${answer.regions.length} region(s)` : "not answered";
      li.append(el("span", {}, `${expr.text} — ${state}`));
      const use = el("button", { type: "button", "data-testid": "grounding-use" }, "Use selected shape");
      use.addEventListener("click", () => {
        const ed = this.editor();
        const shape = ed && (ed.shapes[ed.selected] || ed.shapes[ed.shapes.length - 1]);
        if (!shape) return;
        this.answers.set(expr.id, { ...answer, regions: [regionOf(shape)], absent: false });
        this.render(); changed();
      });
      const absent = el("button", { type: "button", "aria-pressed": String(!!answer.absent), "data-testid": "grounding-absent" }, "Not present");
      absent.addEventListener("click", () => {
        this.answers.set(expr.id, { ...answer, regions: [], absent: !answer.absent });
        this.render(); changed();
      });
      li.append(use, absent);
      if ((this.config.verdicts || []).length) {
        const select = el("select", { "aria-label": "Verdict" });
        select.append(el("option", { value: "" }, "verdict…"));
        for (const v of this.config.verdicts) select.append(el("option", { value: v, selected: answer.verdict === v }, v));
        select.addEventListener("change", () => { this.answers.set(expr.id, { ...answer, verdict: select.value || undefined }); changed(); });
        li.append(select);
      }
      this.list.append(li);
    }
  }

  body() { return [...this.answers.values()]; }
}

const widgets = [...document.querySelectorAll("fieldset.region-scheme")].map((fs) => {
  const config = JSON.parse(fs.querySelector("[data-region-config]").textContent);
  const value = JSON.parse(fs.querySelector("[data-region-value]").textContent) || {};
  const W = fs.dataset.regionKind === "caption" ? Captions : Grounding;
  return new W(fs, config, value);
});
for (const w of widgets) w.render();
form.addEventListener("ia:shapes", () => { for (const w of widgets) if (w instanceof Captions) w.render(); });

(window.potatoExtras = window.potatoExtras || []).push(() => {
  const out = {};
  for (const w of widgets) {
    const field = w instanceof Captions ? "region_captions" : "grounding_annotations";
    out[field] = out[field] || {};
    out[field][w.config.name] = w.body();
  }
  return out;
});
