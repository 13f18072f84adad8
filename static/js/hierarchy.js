// hierarchical_multiselect: keep the hidden comma-separated answer in step with the tree's
// checkboxes; filter the tree by the search box; auto_select_children / _parent.
// Loaded only by pages that show one.
const form = document.getElementById("annotation-form");

for (const box of form.querySelectorAll("fieldset.hierarchy")) {
  const hidden = box.querySelector("input.hier-value");
  const boxes = () => [...box.querySelectorAll('input[type="checkbox"]')];
  const sync = () => {
    const chosen = [...new Set(boxes().filter((b) => b.checked).map((b) => b.value))];
    hidden.value = chosen.join(",");
  };
  box.addEventListener("change", (e) => {
    const cb = e.target;
    if (cb.type !== "checkbox") return;
    const node = cb.closest("li.hier-node");
    if (box.dataset.autoChildren && node) {
      for (const child of node.querySelectorAll('ul input[type="checkbox"]')) child.checked = cb.checked;
    }
    if (box.dataset.autoParent && cb.checked) {
      let up = node && node.parentElement.closest("li.hier-node");
      while (up) {
        up.querySelector(':scope > label > input[type="checkbox"]').checked = true;
        up = up.parentElement.closest("li.hier-node");
      }
    }
    sync();
  }, { capture: true }); // before annotate.js collects the answer on the same event
  const search = box.querySelector("input.hier-search");
  if (search) {
    search.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const li of box.querySelectorAll("li.hier-node")) {
        const match = !q || li.textContent.toLowerCase().includes(q);
        li.hidden = !match;
      }
    });
  }
}
