// card_sort: turn each card's group picker (or, in open mode, a new group's name) into the
// JSON answer {group: [cards]} in the hidden input. Cards can also be dragged onto a group.
// Loaded only by pages that show one.
const form = document.getElementById("annotation-form");

function addOption(select, group) {
  if ([...select.options].some((o) => o.value === group)) return;
  select.add(new Option(group, group));
}

for (const box of form.querySelectorAll("fieldset.card-sort")) {
  const hidden = box.querySelector("input.card-sort-value");
  const zones = box.querySelector(".card-sort-groups");
  const cards = [...box.querySelectorAll("li.card-sort-card")];
  const sync = () => {
    const groups = {};
    for (const card of cards) {
      const fresh = card.querySelector("input.card-sort-new");
      const group = (fresh && fresh.value.trim()) || card.querySelector("select").value;
      if (!group) continue;
      (groups[group] = groups[group] || []).push(card.dataset.card);
    }
    hidden.value = Object.keys(groups).length ? JSON.stringify(groups) : "";
  };
  box.addEventListener("change", (e) => {
    if (e.target.classList.contains("card-sort-new") && e.target.value.trim()) {
      // a group named in open mode becomes a choice for every card and a drop target
      const group = e.target.value.trim();
      cards.forEach((c) => addOption(c.querySelector("select"), group));
      if (![...zones.children].some((z) => z.dataset.group === group)) {
        const zone = document.createElement("li");
        zone.dataset.group = group;
        zone.textContent = group;
        zones.append(zone);
      }
    }
    sync();
  }, { capture: true });
  box.addEventListener("input", (e) => {
    if (e.target.classList.contains("card-sort-new")) {
      sync();
      form.dispatchEvent(new Event("potato:changed"));
    }
  });

  // Mouse: drag a card onto a group.
  for (const card of cards) {
    card.draggable = true;
    card.addEventListener("dragstart", (e) => {
      e.dataTransfer.setData("text/plain", card.dataset.card);
      card.classList.add("dragging");
    });
    card.addEventListener("dragend", () => card.classList.remove("dragging"));
  }
  zones.addEventListener("dragover", (e) => {
    if (e.target.dataset && e.target.dataset.group) e.preventDefault();
  });
  zones.addEventListener("drop", (e) => {
    const group = e.target.dataset && e.target.dataset.group;
    if (!group) return;
    e.preventDefault();
    const name = e.dataTransfer.getData("text/plain");
    const card = cards.find((c) => c.dataset.card === name);
    if (!card) return;
    const select = card.querySelector("select");
    addOption(select, group);
    select.value = group;
    const fresh = card.querySelector("input.card-sort-new");
    if (fresh) fresh.value = "";
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
}
