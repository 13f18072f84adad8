// tree_annotation: the per-node ratings and the path checkboxes are written, as Potato's
// JSON, into the scheme's two hidden inputs (node_annotations, selected_path), which
// annotate.js saves. The path is the checked turns in tree order (root-ward first).
for (const box of document.querySelectorAll("fieldset[data-type='tree_annotation']")) {
  const nodesInput = box.querySelector("input[data-label='node_annotations']");
  const pathInput = box.querySelector("input[data-label='selected_path']");
  const rows = [...box.querySelectorAll("tr[data-node]")];

  function update() {
    const ratings = {};
    const path = [];
    for (const row of rows) {
      const rating = row.querySelector("[data-role='rating']");
      if (rating && rating.value) ratings[row.dataset.node] = rating.value;
      const onPath = row.querySelector("[data-role='path']");
      if (onPath && onPath.checked) path.push(row.dataset.node);
    }
    nodesInput.value = Object.keys(ratings).length ? JSON.stringify(ratings) : "";
    pathInput.value = path.length ? JSON.stringify(path) : "";
  }
  // Runs before annotate.js's form listener (this box is inside the form), so the save
  // it schedules sends the new values.
  box.addEventListener("change", update);
  box.addEventListener("input", update);
}
