// free_list: Enter (or Add) appends the typed item to the list with the time since the list
// was started; Delete removes one and Undo delete puts it back (same place, same time). The answer is Potato's JSON
// {"items", "timings_ms", "elapsed_ms", "time_up", "started"} in the hidden input.
// The clock starts at the first focus of the entry box and resumes from the stored
// elapsed_ms after a reload. Loaded only by pages that show a free list.
const form = document.getElementById("annotation-form");

const squash = (s) => s.replace(/\s+/g, " ").trim();

function setup(box) {
  const hidden = box.querySelector("input.free-list-value");
  const entry = box.querySelector("input.free-list-input");
  const addBtn = box.querySelector("button.free-list-add");
  const list = box.querySelector("ol.free-list-items");
  const status = box.querySelector(".free-list-status");
  const count = box.querySelector(".free-list-count");
  const clock = box.querySelector(".free-list-clock");
  const undoBtn = box.querySelector("button.free-list-undo");
  const removed = []; // deletions to undo: {index, item}, back to the same place and time
  const limitMs = Number(box.dataset.timeLimitMs) || 0;
  const maxItems = Number(box.dataset.maxItems) || 0;
  const minItems = Number(box.dataset.minItems) || 0;
  const allowDup = box.dataset.allowDuplicates === "true";
  let before = Number(box.dataset.elapsedMs) || 0;
  let since = null;
  let timeUp = box.dataset.timeUp === "true";
  let ticker = null;
  const items = [...list.querySelectorAll("li")].map((li) => ({
    text: li.dataset.item,
    ms: li.dataset.ms === "" ? null : Number(li.dataset.ms),
  }));
  let started = items.length > 0 || before > 0;

  const elapsed = () => before + (since === null ? 0 : performance.now() - since);
  const say = (text) => { status.textContent = text; };

  function write() {
    const data = {
      items: items.map((i) => i.text),
      timings_ms: items.map((i) => i.ms),
      elapsed_ms: Math.round(limitMs && timeUp ? limitMs : elapsed()),
      time_up: timeUp,
      started,
    };
    hidden.value = items.length || timeUp ? JSON.stringify(data) : "";
    form.dispatchEvent(new Event("potato:changed"));
  }

  function render() {
    list.replaceChildren();
    items.forEach((item, i) => {
      const li = document.createElement("li");
      const span = document.createElement("span");
      span.className = "free-list-text";
      span.textContent = item.text;
      const del = document.createElement("button");
      del.type = "button";
      del.className = "free-list-delete";
      del.textContent = "×";
      del.setAttribute("aria-label", `Delete ${item.text}`);
      del.dataset.index = String(i);
      del.disabled = timeUp;
      li.append(span, del);
      list.append(li);
    });
    const n = items.length;
    count.textContent = `${n} item${n === 1 ? "" : "s"}` + (minItems ? ` (at least ${minItems})` : "");
    const full = maxItems && n >= maxItems;
    entry.disabled = addBtn.disabled = timeUp || Boolean(full);
    if (full) say(`The list is full (${maxItems} items).`);
    undoBtn.hidden = timeUp || !removed.length;
  }

  function tick() {
    const left = limitMs - elapsed();
    if (clock) {
      const s = Math.max(0, Math.ceil(left / 1000));
      clock.textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} left`;
    }
    if (left <= 0) {
      clearInterval(ticker);
      before = limitMs;
      since = null;
      timeUp = true;
      say("Time is up. Your list has been saved.");
      write();
      render();
    }
  }

  function start() {
    if (since !== null || timeUp) return;
    started = true;
    since = performance.now();
    if (limitMs) {
      ticker = setInterval(tick, 250);
      tick();
    }
  }

  function add() {
    const text = squash(entry.value);
    if (!text || timeUp) return;
    if (maxItems && items.length >= maxItems) return;
    if (!allowDup && items.some((i) => i.text.toLowerCase() === text.toLowerCase())) {
      say(`“${text}” is already on your list.`);
      entry.select();
      return;
    }
    start();
    items.push({ text, ms: Math.round(elapsed()) });
    entry.value = "";
    say(`Added “${text}”.`);
    render();
    write();
    entry.focus();
  }

  entry.addEventListener("focus", start);
  entry.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) {
      e.preventDefault(); // Enter adds an item here; it does not submit the page
      e.stopPropagation();
      add();
    }
  });
  addBtn.addEventListener("click", add);
  list.addEventListener("click", (e) => {
    const del = e.target.closest("button.free-list-delete");
    if (!del || timeUp) return;
    const index = Number(del.dataset.index);
    const [gone] = items.splice(index, 1);
    removed.push({ index, item: gone });
    say(`Removed “${gone.text}”.`);
    render();
    write();
    undoBtn.focus();
  });
  undoBtn.addEventListener("click", () => {
    const last = removed.pop();
    if (!last || timeUp) return;
    items.splice(Math.min(last.index, items.length), 0, last.item);
    say(`Restored “${last.item.text}”.`);
    render();
    write();
    entry.focus();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && since !== null) {
      before = elapsed(); // the clock runs only while the page shows
      since = null;
      clearInterval(ticker);
    } else if (!document.hidden && started && limitMs && !timeUp) {
      start();
    }
  });
  render();
  if (timeUp) say("Time is up. Your list has been saved.");
  else if (clock) tick();
}

for (const box of form.querySelectorAll("fieldset.free-list")) setup(box);
