// interlinear_gloss: checks each word as it is typed, with the server's rules (Leipzig rule 2:
// the segmentation and the gloss have the same - and = boundaries in the same order, infixes
// in <> on both; category labels in capitals must be known abbreviations), lists the
// problems with the word named, and writes Potato's JSON {"words", "translation"} into the
// hidden input. Loaded only by pages that show interlinear glosses.
const form = document.getElementById("annotation-form");
const ELEMENT = /[^.:;_\\()[\]\s<>=-]+/g;

function split(text) {
  const infixes = (text.match(/<[^<>]*>/g) || []).length;
  const parts = text.replace(/<[^<>]*>/g, "").split(/([-=])/);
  return { pieces: parts.filter((_, i) => i % 2 === 0), bounds: parts.filter((_, i) => i % 2 === 1), infixes };
}

function describe(s) {
  const n = s.bounds.length + s.infixes;
  if (!n) return "no boundaries";
  return `${n} boundar${n === 1 ? "y" : "ies"} (${[...s.bounds, ...Array(s.infixes).fill("<>")].join(" ")})`;
}

function alignment(m, g) {
  m = m.trim();
  g = g.trim();
  if (!m || !g) return [];
  const out = [];
  if (/\s/.test(m)) out.push("the segmentation holds a space: join morphemes with - or =");
  if (/\s/.test(g)) out.push("the gloss holds a space: join the words of one gloss with . (rule 4)");
  const a = split(m);
  const b = split(g);
  if (a.bounds.join("") !== b.bounds.join("") || a.infixes !== b.infixes) {
    out.push(`segmentation has ${describe(a)}, gloss has ${describe(b)}`);
  } else {
    const em = a.pieces.flatMap((p, i) => (p.trim() ? [] : [i + 1]));
    const eg = b.pieces.flatMap((p, i) => (p.trim() ? [] : [i + 1]));
    if (em.length) out.push(`empty morpheme at position ${em.join(", ")}`);
    if (eg.length) out.push(`no gloss for morpheme ${eg.join(", ")}`);
  }
  return out;
}

const isCategory = (e) => ["1", "2", "3"].includes(e) || (!/^\d+$/.test(e) && /^[0-9A-ZØ]+$/.test(e));

function known(e, list) {
  if (list.has(e) || e === "Ø") return true;
  const person = /^([123]+)([0-9A-Z]*)$/.exec(e);
  if (person && [...person[1]].every((d) => list.has(d)) && (!person[2] || known(person[2], list))) return true;
  if (e.length > 1 && e.startsWith("N") && list.has("N")) return known(e.slice(1), list);
  return false;
}

for (const box of form.querySelectorAll("fieldset.interlinear-gloss")) {
  const hidden = box.querySelector("input.igt-value");
  const problems = box.querySelector(".igt-problems");
  const translation = box.querySelector("input.igt-translation");
  const rawKnown = JSON.parse(box.querySelector("script.igt-known").textContent);
  const list = rawKnown ? new Set(rawKnown) : null;
  const words = [...box.querySelectorAll("li.igt-word")];

  // On load only the problems are shown: the pre-filled answer is sent once the annotator
  // edits something, so an untouched sentence is not saved as if it were glossed.
  const sync = (e) => {
    const out = [];
    const records = words.map((li, i) => {
      const rec = {
        word: li.dataset.word,
        morphemes: li.querySelector("input.igt-morphemes").value.trim(),
        gloss: li.querySelector("input.igt-gloss").value.trim(),
      };
      for (const t of li.querySelectorAll("input.igt-tier")) rec[t.dataset.tier] = t.value.trim();
      const found = alignment(rec.morphemes, rec.gloss);
      if (list) {
        const unknown = [...new Set((rec.gloss.match(ELEMENT) || []).filter((e) => isCategory(e) && !known(e, list)))];
        if (unknown.length) found.push(`unknown category label${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`);
      }
      li.classList.toggle("igt-bad", found.length > 0);
      for (const input of li.querySelectorAll("input")) input.setAttribute("aria-invalid", found.length ? "true" : "false");
      if (found.length) out.push(`word ${i + 1} “${rec.word}”: ${found.join("; ")}`);
      return rec;
    });
    problems.replaceChildren(...out.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
    if (e || hidden.value) {
      hidden.value = JSON.stringify({ words: records, translation: translation ? translation.value.trim() : "" });
    }
  };
  // capture: the hidden value is current before annotate.js schedules the save
  box.addEventListener("input", sync, { capture: true });
  box.addEventListener("change", sync, { capture: true });
  sync(null);
}
