// Ranking schemes: reorder the list by dragging, or with the keyboard (focus an entry,
// Alt+ArrowUp / Alt+ArrowDown or u / d). The hidden input holds the order, best first,
// as Potato sends it ("A,B,C"); a change event on it makes annotate.js save.

function syncValue(list) {
  const input = list.closest("fieldset").querySelector("input.ranking-value");
  input.value = [...list.querySelectorAll(".ranking-item")].map((li) => li.dataset.value).join(",");
  input.dispatchEvent(new Event("change", { bubbles: true }));
}

function move(item, step) {
  const list = item.parentElement;
  if (step < 0 && item.previousElementSibling) list.insertBefore(item, item.previousElementSibling);
  else if (step > 0 && item.nextElementSibling) list.insertBefore(item.nextElementSibling, item);
  else return;
  item.focus();
  syncValue(list);
}

for (const list of document.querySelectorAll("ol.ranking-list")) {
  let dragged = null;
  list.addEventListener("dragstart", (e) => {
    dragged = e.target.closest(".ranking-item");
    if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
  });
  list.addEventListener("dragover", (e) => {
    const over = e.target.closest(".ranking-item");
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    const after = e.clientY > over.getBoundingClientRect().top + over.offsetHeight / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  list.addEventListener("drop", (e) => {
    e.preventDefault();
    if (dragged) syncValue(list);
    dragged = null;
  });
  list.addEventListener("keydown", (e) => {
    const item = e.target.closest(".ranking-item");
    if (!item || e.ctrlKey || e.metaKey) return;
    let step = 0;
    if ((e.altKey && e.key === "ArrowUp") || (!e.altKey && e.key === "u")) step = -1;
    if ((e.altKey && e.key === "ArrowDown") || (!e.altKey && e.key === "d")) step = 1;
    if (!e.altKey && e.key === "ArrowUp" && item.previousElementSibling) {
      e.preventDefault();
      item.previousElementSibling.focus();
      return;
    }
    if (!e.altKey && e.key === "ArrowDown" && item.nextElementSibling) {
      e.preventDefault();
      item.nextElementSibling.focus();
      return;
    }
    if (!step) return;
    e.preventDefault(); // annotate.js skips keys a scheme handled
    move(item, step);
  });
}

for (const button of document.querySelectorAll("button[data-ranking-keep]")) {
  button.addEventListener("click", () => syncValue(button.closest("fieldset").querySelector("ol.ranking-list")));
}
