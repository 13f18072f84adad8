// card_sort: turn each card's group picker (or, in open mode, a new group's name) into the
// JSON answer {group: [cards]} in the hidden input. Loaded only by pages that show one.
const form = document.getElementById("annotation-form");

for (const box of form.querySelectorAll("fieldset.card-sort")) {
  const hidden = box.querySelector("input.card-sort-value");
  const sync = () => {
    const groups = {};
    for (const card of box.querySelectorAll("li.card-sort-card")) {
      const fresh = card.querySelector("input.card-sort-new");
      const group = (fresh && fresh.value.trim()) || card.querySelector("select").value;
      if (!group) continue;
      (groups[group] = groups[group] || []).push(card.dataset.card);
    }
    hidden.value = Object.keys(groups).length ? JSON.stringify(groups) : "";
  };
  box.addEventListener("change", sync, { capture: true });
  box.addEventListener("input", (e) => {
    if (e.target.classList.contains("card-sort-new")) {
      sync();
      form.dispatchEvent(new Event("potato:changed"));
    }
  });
}
