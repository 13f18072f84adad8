// Windowed lists for long traces: `items` are the list's rows, built but not in the page
// (from a <template> or from JSON); only the chunks of rows near the visible part of the
// list are put into the page, the others are stand-in gaps of about their height. Rows keep
// their state (pressed buttons, typed notes) while out of the page, so readers that walk
// `items` see every row's answer.
//
//   const w = windowed(list, items);  w.items: every row; w.reveal(i): row i in the page
//   windowed(list, new Array(n), { make: (i) => row }): rows built when first shown

const CHUNK = 40;
const MARGIN = 1.5; // viewport heights kept rendered above and below the visible part
const ROW_GUESS = 64; // px per row until one chunk has been measured

export function windowed(list, items, { onShow, make } = {}) {
  const chunks = [];
  let rowHeight = ROW_GUESS;
  for (let start = 0; start < items.length; start += CHUNK) {
    const gap = document.createElement("li");
    gap.className = "window-gap";
    gap.setAttribute("aria-hidden", "true");
    const end = Math.min(items.length, start + CHUNK);
    gap.style.height = `${(end - start) * rowHeight}px`;
    chunks.push({ start, end, gap, shown: false });
  }
  list.replaceChildren(...chunks.map((c) => c.gap));
  list.dataset.windowRows = String(items.length);
  // The list may be its own scroll box (or become one when its stylesheet arrives).
  const scrolls = () => /(auto|scroll)/.test(getComputedStyle(list).overflowY);

  function show(chunk) {
    if (chunk.shown) return;
    // Rows built on first show when the caller gave `make(i)` (items may start empty).
    if (make) for (let i = chunk.start; i < chunk.end; i++) items[i] ??= make(i);
    chunk.gap.replaceWith(...items.slice(chunk.start, chunk.end));
    chunk.shown = true;
    const first = items[chunk.start];
    const last = items[chunk.end - 1];
    const height = last.getBoundingClientRect().bottom - first.getBoundingClientRect().top;
    if (height > 0) rowHeight = height / (chunk.end - chunk.start);
    if (onShow) onShow(items.slice(chunk.start, chunk.end));
  }

  function hide(chunk) {
    const rows = items.slice(chunk.start, chunk.end);
    if (rows.some((r) => r.contains(document.activeElement) || r.classList.contains("step-active"))) return;
    const height = rows[rows.length - 1].getBoundingClientRect().bottom - rows[0].getBoundingClientRect().top;
    chunk.gap.style.height = `${Math.max(height, 1)}px`;
    rows[0].before(chunk.gap);
    for (const r of rows) r.remove();
    chunk.shown = false;
  }

  function bounds() {
    if (scrolls()) {
      const box = list.getBoundingClientRect();
      return [box.top, box.bottom];
    }
    return [0, window.innerHeight];
  }

  function update() {
    const [top, bottom] = bounds();
    const reach = (bottom - top || window.innerHeight) * MARGIN;
    for (const chunk of chunks) {
      const first = chunk.shown ? items[chunk.start] : chunk.gap;
      const last = chunk.shown ? items[chunk.end - 1] : chunk.gap;
      const near = last.getBoundingClientRect().bottom > top - reach && first.getBoundingClientRect().top < bottom + reach;
      if (near && !chunk.shown) show(chunk);
      else if (!near && chunk.shown) hide(chunk);
    }
  }

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      update();
    });
  };
  list.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);
  window.addEventListener("load", schedule);
  update();

  return {
    items,
    build(i) {
      items[i] ??= make(i);
      return items[i];
    },
    reveal(i) {
      const chunk = chunks[Math.floor(i / CHUNK)];
      if (chunk) show(chunk);
      schedule();
      return items[i];
    },
  };
}
