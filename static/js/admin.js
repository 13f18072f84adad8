// Admin tables: click a header to sort the rows shown (numbers numerically), again to reverse.
for (const table of document.querySelectorAll("table.sortable")) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => {
    if (!th.dataset.sort) return;
    th.tabIndex = 0;
    th.setAttribute("aria-sort", "none");
    const sort = () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.dataset.sort && h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = th.dataset.sort === "number";
      // A cell may carry its sort key in data-value (e.g. "85%" sorts as 0.85; "" = no value).
      const key = (row) => {
        const cell = row.cells[column];
        return (cell.dataset.value ?? cell.textContent).trim();
      };
      const number = (text) => (text === "" || Number.isNaN(Number(text)) ? -Infinity : Number(text));
      const rows = [...table.tBodies[0].rows].filter((r) => r.cells.length === headers.length);
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        const order = numeric ? Math.sign(number(x) - number(y) || 0) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      table.tBodies[0].append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
  });
}
