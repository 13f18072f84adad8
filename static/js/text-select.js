// A passage chooser for the text-work types (error_span, extractive_qa): the text is shown
// word by word in a focusable box; ←/→ move to a word (which is then the selection),
// Shift+←/→ extend it, Home/End jump, Esc clears; a mouse selection works too. Offsets are
// Unicode code points of the text, as the server counts them.

const STYLESHEET = "css/text-work.css";

export function loadStylesheet() {
  if (document.querySelector(`link[data-text-work]`)) return;
  const scriptUrl = new URL(import.meta.url);
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL(`../${STYLESHEET}${scriptUrl.search}`, scriptUrl).href;
  link.dataset.textWork = "1";
  document.head.appendChild(link);
}

// Code-point offset of each UTF-16 index (the browser's strings count UTF-16 units).
function codePointIndex(text) {
  const map = new Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      map[++i] = cp;
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}

export function pageText() {
  const el = document.getElementById("instance-text");
  return el ? el.textContent : "";
}

export function selectableText(box, text, onSelect) {
  const cps = codePointIndex(text);
  const words = [];
  box.textContent = "";
  const re = /\S+/g;
  let last = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) box.appendChild(document.createTextNode(text.slice(last, m.index)));
    const span = document.createElement("span");
    span.className = "tw-word";
    span.textContent = m[0];
    span.dataset.index = String(words.length);
    words.push({ el: span, start: cps[m.index], end: cps[m.index + m[0].length], from: m.index, to: m.index + m[0].length });
    box.appendChild(span);
    last = m.index + m[0].length;
  }
  if (last < text.length) box.appendChild(document.createTextNode(text.slice(last)));

  let anchor = null;
  let focus = -1;
  let mouse = null; // a selection made with the mouse: {start, end, from, to}

  function current() {
    if (mouse) return mouse;
    if (focus < 0 || !words.length) return null;
    const a = Math.min(anchor ?? focus, focus);
    const b = Math.max(anchor ?? focus, focus);
    return { start: words[a].start, end: words[b].end, from: words[a].from, to: words[b].to };
  }

  function paint() {
    const sel = current();
    for (const [i, w] of words.entries()) {
      w.el.classList.toggle("tw-selected", !!sel && w.start >= sel.start && w.end <= sel.end);
      w.el.classList.toggle("tw-cursor", i === focus && !mouse);
    }
    const chosen = sel ? { start: sel.start, end: sel.end, text: text.slice(sel.from, sel.to) } : null;
    box.setAttribute("aria-description", chosen ? `selected: ${chosen.text}` : "nothing selected");
    if (onSelect) onSelect(chosen);
  }

  box.addEventListener("keydown", (e) => {
    if (!words.length || e.altKey || e.metaKey || e.ctrlKey) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1 };
    if (e.key in moves) {
      mouse = null;
      if (e.shiftKey) {
        if (anchor === null) anchor = Math.max(focus, 0);
      } else {
        anchor = null;
      }
      focus = focus < 0 ? 0 : Math.min(words.length - 1, Math.max(0, focus + moves[e.key]));
    } else if (e.key === "Home" || e.key === "End") {
      mouse = null;
      if (!e.shiftKey) anchor = null;
      else if (anchor === null) anchor = Math.max(focus, 0);
      focus = e.key === "Home" ? 0 : words.length - 1;
    } else if (e.key === "Escape") {
      anchor = null;
      focus = -1;
      mouse = null;
    } else {
      return;
    }
    e.preventDefault(); // the page's ←/→ would change the item
    paint();
  });

  box.addEventListener("mouseup", () => {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !box.contains(sel.anchorNode) || !box.contains(sel.focusNode)) return;
    const range = sel.getRangeAt(0);
    const before = document.createRange();
    before.selectNodeContents(box);
    before.setEnd(range.startContainer, range.startOffset);
    let from = before.toString().length;
    let to = from + range.toString().length;
    while (from < to && /\s/.test(text[from])) from++;
    while (to > from && /\s/.test(text[to - 1])) to--;
    if (to <= from) return;
    mouse = { start: cps[from], end: cps[to], from, to };
    anchor = null;
    sel.removeAllRanges();
    paint();
  });

  return {
    selection: () => {
      const sel = current();
      return sel ? { start: sel.start, end: sel.end, text: text.slice(sel.from, sel.to) } : null;
    },
    clear() {
      anchor = null;
      focus = -1;
      mouse = null;
      paint();
    },
    // ranges: [{start, end, cls}] in code points; words inside get the class
    mark(ranges) {
      for (const w of words) {
        w.el.className = w.el.className.split(" ").filter((c) => !c.startsWith("tw-mark")).join(" ");
        for (const r of ranges) {
          if (w.start < r.end && w.end > r.start) w.el.classList.add("tw-mark", `tw-mark-${r.cls}`);
        }
      }
    },
  };
}

// The scheme's hidden input carries its JSON record; a change saves it (annotate.js).
export function storeRecord(input, record) {
  input.value = record === null ? "" : JSON.stringify(record);
  input.form.dispatchEvent(new Event("potato:changed"));
}

export function readRecord(input) {
  try {
    return input.value ? JSON.parse(input.value) : null;
  } catch (_) {
    return null;
  }
}
